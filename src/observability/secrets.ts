/**
 * The secret values this process knows, so they can be scrubbed from every log line: credentials
 * from the environment, and the passwords inside connection URLs.
 */
import { passwordsInUrl, secretScrubber } from '../core/redact.js';

const SECRET_VARIABLES = ['AERIS_CLIENT_SECRET', 'AERIS_CLIENT_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'DATAFLOW_DASHBOARD_TOKEN'];
const URL_VARIABLES = ['DATABASE_URL', 'SMTP_URL', 'DATAFLOW_BLOBS', 'AERIS_MAPS_URL', 'DATAFLOW_PUBLIC_URL'];

export function secretsFromEnvironment(environment: NodeJS.ProcessEnv = process.env): string[] {
  const secrets = SECRET_VARIABLES.map((name) => environment[name]).filter((value): value is string => Boolean(value));
  for (const password of URL_VARIABLES.flatMap((name) => passwordsInUrl(environment[name]))) {
    secrets.push(password);
    try {
      secrets.push(decodeURIComponent(password));
    } catch {
      // a raw '%' that is no escape: drivers take the password as written, and so do we
    }
  }
  // Short values would scrub ordinary words; a secret that short is no secret anyway.
  return [...new Set(secrets.filter((s) => s.length >= 4))];
}

/** The one scrubber of the core, under the name the CLI imports it by. */
export { secretScrubber as textScrubber };
