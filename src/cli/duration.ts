/** Durations as people write them on a command line: `500ms`, `90s`, `5m`, `2h`, `1d`, or seconds alone. */
const units = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/** Milliseconds; throws naming the option when the text is no duration. */
export function parseDuration(text: string, option: string): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?\s*$/.exec(text);
  const ms = match ? Number(match[1]) * units[(match[2] ?? 's') as keyof typeof units] : NaN;
  if (!(ms > 0) || !Number.isFinite(ms)) throw new Error(`${option} must be a duration like 90s, 5m or 1h, got ${JSON.stringify(text)}`);
  return Math.round(ms);
}
