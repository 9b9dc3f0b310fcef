/**
 * Keeping secrets out of text: credentials hidden in a URL before it is shown, and known secret
 * values scrubbed from any text (an error, a log line, a page from outside) in every form they
 * travel in. One set of rules for everything that shows text, so no place misses a form another
 * one covers.
 */
import { escapeHtml } from './html.js';

/**
 * A URL's user information: everything between `scheme://` (optional) and the LAST `@`. A
 * password may hold a raw `/`, `?`, `#` or `@` that a URL parser takes as the end of the
 * authority, so taking up to the last `@` hides too much rather than too little.
 */
const USER_INFO = /^([a-z][a-z0-9+.-]*:\/\/)?(.*)@/is;

/** The value with any user name and password replaced by `***`: safe to show in an error. */
export function hideCredentials(value: string): string {
  return value.replace(USER_INFO, '$1***@');
}

/** True when the value carries a user name or password (by the rule of {@link hideCredentials}). */
export function hasCredentials(value: string): boolean {
  return USER_INFO.test(value);
}

/**
 * The password of a `scheme://user:password@host` URL as written (not decoded), also when a URL
 * parser would refuse the text. Taken up to the last `@` and, when that differs, up to the first
 * one too: both are returned, so a scrubber finds the password either way a driver reads it.
 */
export function passwordsInUrl(value: string | undefined): string[] {
  const match = value === undefined ? null : /^[a-z][a-z0-9+.-]*:\/\/(.*)@/is.exec(value);
  const userInfo = match?.[1];
  const colon = userInfo?.indexOf(':') ?? -1;
  if (!userInfo || colon < 0) return [];
  const password = userInfo.slice(colon + 1);
  const shortest = password.split('@')[0]!;
  return [...new Set([password, shortest].filter(Boolean))];
}

/**
 * Replaces every one of the secrets in a text with `[redacted]`, in each form it may take: as
 * written, URL-encoded (`encodeURIComponent` and `encodeURI`), form-encoded, HTML-escaped (as an
 * error page quotes a path), and each of those escaped as inside a JSON string (a log line).
 * Secrets shorter than 3 characters are ignored: they would scrub ordinary words.
 */
export function secretScrubber(secrets: readonly string[]): (text: string) => string {
  const forms = new Set<string>();
  for (const secret of secrets.filter((s) => s.length >= 3)) {
    const component = encodeURIComponent(secret);
    for (const encoded of [secret, component, encodeURI(secret), component.replace(/%20/g, '+')]) {
      // Servers escape `'` as `&#39;`, or not at all.
      for (const form of [encoded, escapeHtml(encoded), escapeHtml(encoded).replace(/&#39;/g, "'")]) {
        forms.add(form);
        forms.add(JSON.stringify(form).slice(1, -1));
      }
    }
  }
  // Longest first: a form inside another is replaced only where the longer one is not.
  const ordered = [...forms].sort((a, b) => b.length - a.length);
  return (text) => ordered.reduce((t, form) => (t.includes(form) ? t.split(form).join('[redacted]') : t), text);
}
