// Numbers, times and durations for people.

const pad = (n) => String(n).padStart(2, '0');

export function count(n) {
  return Number(n ?? 0).toLocaleString('en-US');
}

export function clock(ms) {
  const d = new Date(ms);
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/** Time of day for today, the date too otherwise. */
export function when(ms) {
  if (ms === undefined || ms === null) return '';
  const d = new Date(ms);
  const today = new Date();
  const day = `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
  return d.toDateString() === today.toDateString() ? clock(ms) : `${day} ${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

export function full(ms) {
  if (ms === undefined || ms === null) return '';
  const d = new Date(ms);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${clock(ms)}`;
}

/** A valid time as the flow means it: UTC, to the minute. */
export function utc(ms) {
  if (ms === undefined || ms === null) return '';
  return `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

export function utcTime(ms) {
  return new Date(ms).toISOString().slice(11, 16);
}

export function duration(ms) {
  if (ms === undefined || ms === null) return '–';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`;
  return `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;
}

export function shortId(id) {
  return id.length > 14 ? `${id.slice(0, 8)}…${id.slice(-4)}` : id;
}
