/**
 * Checking a URL setting where it is read, so a wrong one fails at start with its name and what
 * is wrong with it, not later as `Invalid URL` or `getaddrinfo ENOTFOUND base` from deep in a
 * driver. The host checks its own settings this way, and a flow's factory the ones it reads. The
 * errors show a value only with its credentials hidden.
 */
import { hideCredentials } from './redact.js';

/** A setting that is set but cannot work; its message names the setting. */
export class SettingError extends Error {
  override name = 'SettingError';
}

export interface UrlSettingRules {
  /** The schemes it may have, without `://`; the first is the one a missing scheme is hinted with. */
  schemes: readonly [string, ...string[]];
  /** A URL that would do, for the error when the value is none. */
  example: string;
  /** Said after a wrong scheme, e.g. what the setting is for. */
  schemeReason?: string;
  /** Refuses a user name or password, giving this reason (where the credentials go instead). */
  noCredentials?: string;
  /** Refuses a query or a fragment, giving this reason. */
  noQuery?: string;
}

/** The URL in `value`, or a {@link SettingError} naming `name` and what is wrong. */
export function checkUrlSetting(name: string, value: string, rules: UrlSettingRules): URL {
  const [first] = rules.schemes;
  let url: URL | undefined;
  try {
    // `host:port` parses as a URL of scheme `host:`, so a value without `://` counts as no URL.
    if (value.includes('://')) url = new URL(value);
  } catch {
    // said below
  }
  if (!url) throw new SettingError(`${name} is not a valid URL (got ${shownSetting(value)}${schemeHint(value, first)}): expected one like ${rules.example}`);
  const scheme = url.protocol.slice(0, -1);
  if (!rules.schemes.includes(scheme)) {
    const kinds = rules.schemes.map((s) => `${s}://`).join(' or ');
    const article = /^[aefhilmnorsx]/i.test(first) ? 'an' : 'a';
    throw new SettingError(`${name} must be ${article} ${kinds} URL, not ${scheme}:// (got ${shownSetting(value)})${rules.schemeReason ? `: ${rules.schemeReason}` : ''}`);
  }
  if (rules.noCredentials && (url.username || url.password)) {
    throw new SettingError(`${name} must not hold a user name or password (got ${shownSetting(value)}): ${rules.noCredentials}`);
  }
  if (rules.noQuery && (url.search || url.hash)) throw new SettingError(`${name} must have no query or fragment (got ${shownSetting(value)}): ${rules.noQuery}`);
  return url;
}

/** The value, quoted, with its credentials hidden first and only then shortened. */
export function shownSetting(value: string): string {
  const hidden = hideCredentials(value);
  return JSON.stringify(hidden.length > 120 ? `${hidden.slice(0, 119)}…` : hidden);
}

/** `127.0.0.1:7920` or `db.internal:5432/app` is a host without its scheme. */
function schemeHint(value: string, scheme: string): string {
  const hidden = hideCredentials(value);
  return !value.includes('://') && /^[a-z0-9*.@-]+(:\d+)?(\/\S*)?$/i.test(hidden) ? `; did you mean ${JSON.stringify(`${scheme}://${hidden}`)}?` : '';
}
