/**
 * AMP time segments.
 *
 * - Relative offsets from now: `current`, `latest`, `now`, `0`, `-30m`, `-0h`, `+1hour`,
 *   `-10minutes`, `-2days` (units s/sec/second(s), m/min/minute(s), h/hr/hour(s), d/day(s); a
 *   missing sign means +). AMP answers these with a temporary redirect to the frame's absolute
 *   time.
 * - Absolute: `YYYYMMDDhhmmss` in UTC (AMP's own format), also `{valid}_{run}` as
 *   `YYYYMMDDhhmmss_YYYYMMDDhhmmss` (the valid time counts), ISO 8601, and epoch seconds or
 *   milliseconds (up to 11 digits are seconds, more are milliseconds; the 2017 demo messages
 *   carry such numbers).
 */
import { MapRequestError } from './errors.js';

export type AmpTime =
  | { readonly kind: 'relative'; readonly offsetMs: number }
  | { readonly kind: 'absolute'; readonly time: number };

const UNIT_MS: Readonly<Record<string, number>> = {
  s: 1000,
  sec: 1000,
  secs: 1000,
  second: 1000,
  seconds: 1000,
  m: 60_000,
  min: 60_000,
  mins: 60_000,
  minute: 60_000,
  minutes: 60_000,
  h: 3_600_000,
  hr: 3_600_000,
  hrs: 3_600_000,
  hour: 3_600_000,
  hours: 3_600_000,
  d: 86_400_000,
  day: 86_400_000,
  days: 86_400_000,
};

const RELATIVE = /^([+-]?)(\d+(?:\.\d+)?)([a-z]+)$/;
const COMPACT = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})$/;
/** Latest time accepted, so formatting stays four-digit years. */
const MAX_TIME = Date.UTC(9999, 11, 31, 23, 59, 59);

function invalid(text: string): MapRequestError {
  return new MapRequestError(
    'invalid_time',
    `Time "${text.slice(0, 40)}" is not valid: use an offset like -30m, -2h, +1hour or current, ` +
      'or a UTC time as YYYYMMDDhhmmss.',
    'time',
  );
}

/** Parses `YYYYMMDDhhmmss` (UTC) to epoch ms, checking that every field is in range. */
export function parseCompactTime(text: string): number | undefined {
  const m = COMPACT.exec(text);
  if (!m) return undefined;
  const [y, mo, d, h, mi, s] = m.slice(1).map(Number) as [number, number, number, number, number, number];
  const ms = Date.UTC(y, mo - 1, d, h, mi, s);
  const back = new Date(ms);
  if (
    back.getUTCFullYear() !== y ||
    back.getUTCMonth() !== mo - 1 ||
    back.getUTCDate() !== d ||
    back.getUTCHours() !== h ||
    back.getUTCMinutes() !== mi ||
    back.getUTCSeconds() !== s
  ) {
    return undefined;
  }
  return ms;
}

export function parseAmpTime(input: string): AmpTime {
  const text = input.trim().toLowerCase();
  if (text === 'current' || text === 'latest' || text === 'now' || /^[+-]?0+$/.test(text)) {
    return { kind: 'relative', offsetMs: 0 };
  }
  const rel = RELATIVE.exec(text);
  if (rel) {
    const unit = UNIT_MS[rel[3]!];
    if (unit === undefined) throw invalid(input);
    const offsetMs = Number(rel[2]) * unit * (rel[1] === '-' ? -1 : 1) || 0;
    if (!Number.isFinite(offsetMs) || Math.abs(offsetMs) > 3650 * 86_400_000) throw invalid(input);
    return { kind: 'relative', offsetMs };
  }
  let time: number | undefined;
  const pair = /^(\d{14})_(\d{14})$/.exec(text);
  if (COMPACT.test(text)) time = parseCompactTime(text);
  else if (pair) time = parseCompactTime(pair[1]!);
  else if (/^\d{1,13}$/.test(text)) {
    const n = Number(text);
    time = text.length <= 11 ? n * 1000 : n;
  } else if (/^\d{4}-\d{2}-\d{2}t[\d:.]+(z|[+-]\d{2}:?\d{2})?$/.test(text)) {
    const parsed = Date.parse(text.toUpperCase());
    time = Number.isNaN(parsed) ? undefined : parsed;
  }
  if (time === undefined || !Number.isFinite(time) || time < 0 || time > MAX_TIME) throw invalid(input);
  return { kind: 'absolute', time };
}

function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0');
}

/** `YYYYMMDDhhmmss` in UTC, as AMP URLs spell absolute times. */
export function formatCompactTime(ms: number): string {
  const d = new Date(ms);
  return (
    pad(d.getUTCFullYear(), 4) +
    pad(d.getUTCMonth() + 1) +
    pad(d.getUTCDate()) +
    pad(d.getUTCHours()) +
    pad(d.getUTCMinutes()) +
    pad(d.getUTCSeconds())
  );
}

/** ISO 8601 in UTC without milliseconds: `2017-06-01T16:00:00Z` (the `x-aeris-*-date` headers). */
export function formatHeaderDate(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

/** The start of the frame interval that contains `ms`. */
export function snapToFrame(ms: number, intervalMs: number): number {
  return Math.floor(ms / intervalMs) * intervalMs;
}
