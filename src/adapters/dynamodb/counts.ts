/**
 * Message counts by type and status, kept in counter items changed in the same transaction as
 * each status change (a save, a settle, a revive), so they are exact, and read without touching
 * a message. The counters are spread over shards (`counts#<shard>`, one item per type and status
 * in each), chosen by the id of the message a write is about, so concurrent writers seldom touch
 * one item; reading sums the shards.
 */
import type { MessageStatus } from '../../ports/state-store.js';

export const COUNT_SHARDS = 8;

/** A stable shard for an id (FNV-1a). */
export function shardOf(id: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) hash = Math.imul(hash ^ id.charCodeAt(i), 0x01000193);
  return (hash >>> 0) % COUNT_SHARDS;
}

export const countsPartition = (shard: number) => `counts#${shard}`;

/** Changes to the counts, by type and status; one transaction item per pair that changes. */
export class CountChanges {
  private readonly changes = new Map<string, { type: string; status: MessageStatus; n: number }>();

  add(type: string, status: MessageStatus, n: number): this {
    const name = JSON.stringify([type, status]);
    const change = this.changes.get(name) ?? { type, status, n: 0 };
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
          UpdateExpression: 'ADD n :n SET countedType = :type, countedStatus = :status',
          ExpressionAttributeValues: { ':n': c.n, ':type': c.type, ':status': c.status },
        },
      }));
  }
}
