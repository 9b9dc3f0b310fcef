/** Durations as people write them in settings and flags: `45s`, `90m`, `12h`, `30d`. */

const unitMs = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/** Milliseconds in `text` (a positive number and one of s, m, h, d); `name` is what the error names. */
export function parseDuration(text: string, name: string): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*([smhd])\s*$/.exec(text);
  const ms = match ? Number(match[1]) * unitMs[match[2] as keyof typeof unitMs] : Number.NaN;
  if (!(ms > 0) || !Number.isSafeInteger(Math.round(ms))) {
    throw new Error(`${name} must be a duration like 30d, 12h, 90m or 45s (a positive number and one of s, m, h, d), got ${JSON.stringify(text)}`);
  }
  return Math.round(ms);
}
