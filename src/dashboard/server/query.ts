/** Reading query parameters; bad ones answer 400 with what was wrong. */
import { HTTPException } from 'hono/http-exception';
import { parseCursor } from '../../ports/message-browser.js';
import type { MessageStatus } from '../../ports/state-store.js';

export function badRequest(message: string): never {
  throw new HTTPException(400, { res: Response.json({ error: message }, { status: 400 }) });
}

/** Refuses a parameter the endpoint does not take (a misspelt filter would otherwise match everything). */
export function only(given: Record<string, string>, known: readonly string[]): void {
  const unknown = Object.keys(given).filter((name) => !known.includes(name) && name !== 'token');
  if (unknown.length > 0) badRequest(`unknown parameter${unknown.length > 1 ? 's' : ''} ${unknown.map((n) => JSON.stringify(n.slice(0, 40))).join(', ')}: this takes ${known.join(', ')}`);
}

/** A short text, or undefined when absent or empty. */
export function text(value: string | undefined, name: string, max = 200): string | undefined {
  if (value === undefined || value === '') return undefined;
  if (value.length > max) badRequest(`${name} is longer than ${max} characters`);
  return value;
}

/** Epoch ms, given as a number or as an ISO 8601 date. */
export function time(value: string | undefined, name: string): number | undefined {
  if (value === undefined || value === '') return undefined;
  const ms = /^\d+$/.test(value) ? Number(value) : Date.parse(value);
  if (!Number.isFinite(ms)) badRequest(`${name} must be epoch milliseconds or an ISO 8601 date, got ${JSON.stringify(value)}`);
  return ms;
}

export function limit(value: string | undefined, fallback: number, max: number): number {
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) badRequest(`limit must be a positive whole number, got ${JSON.stringify(value)}`);
  return Math.min(n, max);
}

/** `timeOrdered`: the search has a time window, so its pages' cursors name a time too. */
export function cursor(value: string | undefined, timeOrdered = false): string | undefined {
  if (value === undefined || value === '') return undefined;
  try {
    parseCursor(value, timeOrdered); // the stores read it with the same rule
  } catch (error) {
    badRequest((error as Error).message);
  }
  return value;
}

const statuses: readonly MessageStatus[] = ['pending', 'done', 'dead'];

export function status(value: string | undefined): MessageStatus | undefined {
  if (value === undefined || value === '') return undefined;
  if (!statuses.includes(value as MessageStatus)) badRequest(`status must be one of ${statuses.join(', ')}`);
  return value as MessageStatus;
}
