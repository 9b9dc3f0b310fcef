/**
 * The secret values this process knows, so they can be scrubbed from every log line: credentials
 * from the environment, and the passwords inside connection URLs.
 */
const SECRET_VARIABLES = ['AERIS_CLIENT_SECRET', 'AERIS_CLIENT_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'DATAFLOW_DASHBOARD_TOKEN'];
const URL_VARIABLES = ['DATABASE_URL', 'SMTP_URL', 'DATAFLOW_BLOBS'];

export function secretsFromEnvironment(environment: NodeJS.ProcessEnv = process.env): string[] {
  const secrets = SECRET_VARIABLES.map((name) => environment[name]).filter((value): value is string => Boolean(value));
  for (const name of URL_VARIABLES) {
    const value = environment[name];
    if (!value) continue;
    try {
      const url = new URL(value);
      if (url.password) secrets.push(decodeURIComponent(url.password), url.password);
    } catch {
      // not a URL: nothing to pick out
    }
  }
  // Short values would scrub ordinary words; a secret that short is no secret anyway.
  return [...new Set(secrets.filter((s) => s.length >= 4))].sort((a, b) => b.length - a.length);
}

/** Replaces every secret, and its URL-encoded form, in the strings of a value. */
export function scrubber(secrets: string[]): (value: unknown) => unknown {
  const forms = secrets.flatMap((s) => [s, encodeURIComponent(s)]);
  const scrubText = (text: string) => forms.reduce((t, secret) => (t.includes(secret) ? t.split(secret).join('[redacted]') : t), text);
  const scrub = (value: unknown, depth = 0): unknown => {
    if (typeof value === 'string') return scrubText(value);
    if (depth > 8 || value === null || typeof value !== 'object') return value;
    if (value instanceof Error) return { name: value.name, message: scrubText(value.message), stack: value.stack && scrubText(value.stack) };
    if (Array.isArray(value)) return value.map((v) => scrub(v, depth + 1));
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, scrub(v, depth + 1)]));
  };
  return (value) => (forms.length === 0 ? value : scrub(value));
}
