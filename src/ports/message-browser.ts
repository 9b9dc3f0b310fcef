/**
 * Read-side queries for people watching a flow (the dashboard, `dataflow trace`): paged search,
 * counts, and recent activity. Every query is bounded and served by an index, so it stays fast
 * with hundreds of thousands of messages.
 */
import type { MessageStatus, StoredMessage } from './state-store.js';

export interface MessageSearch {
  type?: string;
  key?: string;
  status?: MessageStatus;
  /** Recorded at or after (epoch ms). */
  from?: number;
  /** Recorded at or before (epoch ms). */
  to?: number;
  /** The `next` of the previous page (of the same search). */
  cursor?: string;
  /** @defaultValue 50, at most 500 */
  limit?: number;
}

export interface MessagePage {
  /**
   * Newest first: by arrival, or, when the search has a time window, by time recorded (then
   * arrival), which the created_at index serves however old or empty the window is.
   */
  messages: StoredMessage[];
  /** Pass as `cursor` for the next (older) page; absent on the last page. */
  next?: string;
}

export interface TypeCount {
  type: string;
  status: MessageStatus;
  count: number;
}

/** What settled in one time bucket for one message type. */
export interface ActivityBucket {
  type: string;
  /** Epoch ms at which the bucket starts. */
  start: number;
  done: number;
  dead: number;
  /** From recorded to settled (queue wait plus handling), over the done messages. */
  averageLatencyMs: number;
  maxLatencyMs: number;
}

export interface MessageBrowser {
  search(query: MessageSearch): Promise<MessagePage>;
  counts(): Promise<TypeCount[]>;
  /** Buckets of `bucketMs` since `since`, oldest first; empty buckets left out. */
  activity(since: number, bucketMs: number): Promise<ActivityBucket[]>;
}

export function pageLimit(limit: number | undefined): number {
  if (limit === undefined) return 50;
  if (!Number.isInteger(limit) || limit < 1) throw new Error(`limit must be a positive whole number, got ${limit}`);
  return Math.min(limit, 500);
}

/**
 * A page's `next`: the last message's seq, or, for a time-ordered search, `<createdAt>.<seq>`.
 * Stores read it back with `parseCursor`.
 */
export function formatCursor(seq: number | string, createdAt?: number | string): string {
  return createdAt === undefined ? String(seq) : `${createdAt}.${seq}`;
}

/** The position a cursor names; refuses one from another kind of search. */
export function parseCursor(cursor: string | undefined, timeOrdered: boolean): { seq: string; createdAt?: string } | undefined {
  if (cursor === undefined) return undefined;
  const match = /^(?:(\d{1,19})\.)?(\d{1,19})$/.exec(cursor);
  if (!match || Boolean(match[1]) !== timeOrdered) {
    throw new Error(`cursor must be the \`next\` of a previous page of the same search, got ${JSON.stringify(cursor)}`);
  }
  return { seq: match[2]!, createdAt: match[1] };
}
