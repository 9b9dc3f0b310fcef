/**
 * Message counts by type and status, kept in counter items changed in the same transaction as
 * each status change (a save, a settle, a revive), so they are exact, and read without touching
 * a message. The counters are spread over shards (`counts#<shard>`, one item per type and status
 * in each), chosen by the id of the message a write is about, so concurrent writers seldom touch
 * one item; reading sums the shards.
 *
 * Done messages expire by TTL, and DynamoDB deletes them with no transaction that could change a
 * counter. So done messages are counted by the UTC day their TTL ends (`[type, 'done', day]`), and
 * a reader leaves out every day that has begun: the counts never include an expired message, and
 * leave out, too, those whose TTL ends later that same day. Each such counter has a TTL of its own,
 * the end of its day, so old ones go as their messages do.
 */
import type { MessageStatus } from '../../ports/state-store.js';
import { TTL_ATTRIBUTE } from './table.js';

export const COUNT_SHARDS = 8;

/** A stable shard for an id (FNV-1a). */
export function shardOf(id: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) hash = Math.imul(hash ^ id.charCodeAt(i), 0x01000193);
  return (hash >>> 0) % COUNT_SHARDS;
}

export const countsPartition = (shard: number) => `counts#${shard}`;

const DAY_SECONDS = 86_400;

/** The UTC day (days since the epoch) in which a TTL (epoch seconds) ends. */
export const expiryDayOf = (expiresAtSeconds: number) => Math.floor(expiresAtSeconds / DAY_SECONDS);

/** Whether a counter of done messages whose TTL ends on `day` is still counted at `nowMs`: not once that day has begun. */
export const stillCounted = (day: number | undefined, nowMs: number) => day === undefined || day * DAY_SECONDS * 1000 > nowMs;

/** Changes to the counts, by type and status; one transaction item per pair that changes. */
export class CountChanges {
  private readonly changes = new Map<string, { type: string; status: MessageStatus; n: number; day?: number }>();

  /** `expiresAt`: a done message's TTL (epoch seconds), which picks its day's counter. */
  add(type: string, status: MessageStatus, n: number, expiresAt?: number): this {
    const day = status === 'done' && expiresAt !== undefined ? expiryDayOf(expiresAt) : undefined;
    const name = JSON.stringify(day === undefined ? [type, status] : [type, status, day]);
    const change = this.changes.get(name) ?? { type, status, n: 0, day };
    change.n += n;
    this.changes.set(name, change);
    return this;
  }

  /** How many transaction items `updates` gives. */
  get size(): number {
    return [...this.changes.values()].filter((c) => c.n !== 0).length;
  }

  updates(table: string, shard: number) {
    return [...this.changes]
      .filter(([, c]) => c.n !== 0)
      .map(([sk, c]) => ({
        Update: {
          TableName: table,
          Key: { pk: countsPartition(shard), sk },
          // Not `type`: a counter must stay out of the message indexes.
          UpdateExpression: `ADD n :n SET countedType = :type, countedStatus = :status${c.day === undefined ? '' : `, expiresDay = :day, ${TTL_ATTRIBUTE} = :end`}`,
          ExpressionAttributeValues: { ':n': c.n, ':type': c.type, ':status': c.status, ...(c.day === undefined ? {} : { ':day': c.day, ':end': (c.day + 1) * DAY_SECONDS }) },
        },
      }));
  }
}
