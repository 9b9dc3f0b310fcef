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
  /** The `next` of the previous page. */
  cursor?: string;
  /** @defaultValue 50, at most 500 */
  limit?: number;
}

export interface MessagePage {
  /** Newest first. */
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
