/**
 * The secret values the host knows, so they can be scrubbed from every log line and reason: the
 * credentials in its own settings and the passwords inside its connection URLs. A flow adds the
 * ones it read (`ProvidedFlow.secrets`): the host knows no flow's variables.
 */
import { passwordsInUrl, secretScrubber } from '../core/redact.js';
import { runtimeEnv } from '../runtimes/env.js';

/** Variables whose whole value is a secret: the dashboard's token, and the AWS SDK's own keys. */
const SECRET_VARIABLES = [runtimeEnv.dashboardToken, 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN'];
const URL_VARIABLES = [runtimeEnv.databaseUrl, runtimeEnv.smtpUrl, runtimeEnv.blobs];

export function secretsFromEnvironment(environment: Readonly<Record<string, string | undefined>>): string[] {
  const secrets = SECRET_VARIABLES.map((name) => environment[name]).filter((value): value is string => Boolean(value));
  for (const password of URL_VARIABLES.flatMap((name) => passwordsInUrl(environment[name]))) {
    secrets.push(password);
    try {
      secrets.push(decodeURIComponent(password));
    } catch {
      // a raw '%' that is no escape: drivers take the password as written, and so do we
    }
  }
  return knownSecrets(secrets);
}

/** The values worth scrubbing, once each: short ones would scrub ordinary words, and a secret that short is no secret anyway. */
export function knownSecrets(values: readonly (string | undefined)[]): string[] {
  return [...new Set(values.filter((s): s is string => typeof s === 'string' && s.length >= 4))];
}

/** The one scrubber of the core, under the name the CLI imports it by. */
export { secretScrubber as textScrubber };
