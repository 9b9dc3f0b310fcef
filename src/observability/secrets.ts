/**
 * The secret values this process knows, so they can be scrubbed from every log line: credentials
 * from the environment, and the passwords inside connection URLs.
 */
const SECRET_VARIABLES = ['AERIS_CLIENT_SECRET', 'AERIS_CLIENT_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'DATAFLOW_DASHBOARD_TOKEN'];
const URL_VARIABLES = ['DATABASE_URL', 'SMTP_URL', 'DATAFLOW_BLOBS', 'AERIS_MAPS_URL'];

export function secretsFromEnvironment(environment: NodeJS.ProcessEnv = process.env): string[] {
  const secrets = SECRET_VARIABLES.map((name) => environment[name]).filter((value): value is string => Boolean(value));
  for (const name of URL_VARIABLES) {
    const password = passwordIn(environment[name]);
    if (!password) continue;
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

/** The password part of a URL, as written; also when `new URL` would refuse the text. */
function passwordIn(value: string | undefined): string | undefined {
  const match = value && /^[a-z][a-z0-9+.-]*:\/\/[^:/?#@]*:([^@/?#]*)@/i.exec(value);
  return match ? match[1] : undefined;
}

/**
 * Replaces every secret in a text: as written, URL-encoded, form-encoded, and escaped as it
 * would be inside a JSON string.
 */
export function textScrubber(secrets: string[]): (text: string) => string {
  const forms = new Set<string>();
  for (const secret of secrets) {
    for (const form of [secret, encodeURIComponent(secret), encodeURIComponent(secret).replace(/%20/g, '+')]) {
      forms.add(form);
      forms.add(JSON.stringify(form).slice(1, -1));
    }
  }
  const ordered = [...forms].filter((f) => f.length >= 4).sort((a, b) => b.length - a.length);
  return (text) => ordered.reduce((t, form) => (t.includes(form) ? t.split(form).join('[redacted]') : t), text);
}
