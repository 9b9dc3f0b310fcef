/**
 * The message browser on the DynamoDB state table, for the dashboard and `dataflow trace` on the
 * AWS runtime. Every read goes along an index, each shard of it newest first, merged here:
 *
 * - `search`: the `recent` index (every message, spread over shards, by time recorded then
 *   arrival). A type, key or status is a filter on what it reads, so a rare one reads further;
 *   each shard stops once it has a page.
 * - `counts`: the counter items, kept exact in each write's transaction (see `./counts.js`).
 *   Done messages are counted by the day their TTL ends, and a day that has begun is left out:
 *   no expired message is counted, nor one whose TTL ends later that day.
 * - `activity`: the `settled` index (settled messages by time settled), from `since` on.
 */
import type { DynamoDBDocumentClient, QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { pageLimit, type ActivityBucket, type MessageBrowser, type TypeCount } from '../../ports/message-browser.js';
import type { MessageStatus } from '../../ports/state-store.js';
import { COUNT_SHARDS, countsPartition, stillCounted } from './counts.js';
import { toStored, type MessageItem } from './message-items.js';
import { INDEX } from './table.js';

const shards = Array.from({ length: COUNT_SHARDS }, (_, i) => i);

/** `now`: the clock the counts leave expired days out by (epoch ms). */
export function dynamoMessageBrowser(db: DynamoDBDocumentClient, table: string, now: () => number = Date.now): MessageBrowser {
  /** Every page of one query, until `enough` says stop. */
  async function pages<T>(input: Omit<QueryCommandInput, 'TableName'>, enough: (items: T[]) => boolean): Promise<T[]> {
    const items: T[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await db.send(new QueryCommand({ TableName: table, ...input, ExclusiveStartKey: start }));
      items.push(...((page.Items ?? []) as T[]));
      start = page.LastEvaluatedKey;
    } while (start && !enough(items));
    return items;
  }

  return {
    async search(query) {
      const limit = pageLimit(query.limit);
      if (query.from !== undefined && query.to !== undefined && query.from > query.to) return { messages: [] };
      const byTime = query.from !== undefined || query.to !== undefined;
      const after = parseCursor(query.cursor, byTime);
      const low = query.from === undefined ? undefined : String(Math.max(0, query.from)).padStart(15, '0');
      // `recorded` is `<15 digits>.<arrival>`: '/' sorts just after '.', so this takes all of `to`.
      const high = after ?? (query.to === undefined ? undefined : `${String(Math.max(0, query.to)).padStart(15, '0')}/`);
      const sort = low && high ? '#r BETWEEN :low AND :high' : low ? '#r >= :low' : high ? '#r <= :high' : undefined;
      const filters: string[] = [];
      const values: Record<string, unknown> = {};
      const names: Record<string, string> = sort ? { '#r': 'recorded' } : {};
      for (const field of ['type', 'key', 'status'] as const) {
        if (query[field] === undefined) continue;
        filters.push(`#${field} = :${field}`);
        names[`#${field}`] = field;
        values[`:${field}`] = query[field];
      }
      const found = await Promise.all(
        shards.map(async (shard) => {
          const items = await pages<MessageItem>(
            {
              IndexName: INDEX.recent,
              KeyConditionExpression: `recentShard = :shard${sort ? ` AND ${sort}` : ''}`,
              ...(filters.length ? { FilterExpression: filters.join(' AND ') } : {}),
              ...(Object.keys(names).length ? { ExpressionAttributeNames: names } : {}),
              ExpressionAttributeValues: { ...values, ':shard': `recent#${shard}`, ...(low ? { ':low': low } : {}), ...(high ? { ':high': high } : {}) },
              ScanIndexForward: false,
              Limit: limit + 2,
            },
            (items) => items.filter((item) => item.recorded !== after).length > limit,
          );
          return items.filter((item) => item.recorded !== after); // the cursor itself is on the page before
        }),
      );
      const merged = found.flat().sort((a, b) => (a.recorded < b.recorded ? 1 : a.recorded > b.recorded ? -1 : 0));
      const page = merged.slice(0, limit);
      const last = page.at(-1);
      return { messages: page.map(toStored), next: merged.length > limit && last ? formatCursor(last.recorded, byTime) : undefined };
    },

    async counts() {
      const totals = new Map<string, TypeCount>();
      for (const shard of shards) {
        const items = await pages<{ countedType: string; countedStatus: MessageStatus; n: number; expiresDay?: number }>(
          { KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': countsPartition(shard) }, ConsistentRead: true },
          () => false,
        );
        const at = now();
        for (const { countedType: type, countedStatus: status, n } of items.filter((item) => stillCounted(item.expiresDay, at))) {
          const name = JSON.stringify([type, status]);
          const total = totals.get(name) ?? { type, status, count: 0 };
          total.count += n;
          totals.set(name, total);
        }
      }
      return [...totals.values()].filter((c) => c.count > 0).sort((a, b) => (a.type < b.type ? -1 : a.type > b.type ? 1 : a.status < b.status ? -1 : a.status > b.status ? 1 : 0));
    },

    async activity(since, bucketMs) {
      if (!(bucketMs > 0)) throw new Error(`activity: bucketMs must be a positive number of milliseconds, got ${bucketMs}`);
      const settled = (
        await Promise.all(
          shards.map((shard) =>
            pages<{ type: string; status: MessageStatus; createdAt: number; updatedAt: number }>(
              { IndexName: INDEX.settled, KeyConditionExpression: 'settledShard = :shard AND updatedAt >= :since', ExpressionAttributeValues: { ':shard': `settled#${shard}`, ':since': since } },
              () => false,
            ),
          ),
        )
      ).flat();
      const buckets = new Map<string, ActivityBucket & { latencies: number }>();
      for (const m of settled) {
        const start = Math.floor(m.updatedAt / bucketMs) * bucketMs;
        const name = JSON.stringify([start, m.type]);
        const bucket = buckets.get(name) ?? { type: m.type, start, done: 0, dead: 0, averageLatencyMs: 0, maxLatencyMs: 0, latencies: 0 };
        if (m.status === 'dead') bucket.dead++;
        else if (m.status === 'done') {
          bucket.done++;
          bucket.latencies += m.updatedAt - m.createdAt;
          bucket.maxLatencyMs = Math.max(bucket.maxLatencyMs, m.updatedAt - m.createdAt);
        }
        buckets.set(name, bucket);
      }
      return [...buckets.values()]
        .sort((a, b) => a.start - b.start || (a.type < b.type ? -1 : a.type > b.type ? 1 : 0))
        .map(({ latencies, ...bucket }) => ({ ...bucket, averageLatencyMs: bucket.done ? Math.round(latencies / bucket.done) : 0 }));
    },
  };
}

/** A page's `next`: where it ended in the `recent` index, and which kind of search it was. */
function formatCursor(recorded: string, byTime: boolean): string {
  return `${byTime ? 't' : 'a'}${recorded}`;
}

function parseCursor(cursor: string | undefined, byTime: boolean): string | undefined {
  if (cursor === undefined) return undefined;
  if (!/^[at]\d{15}\.\d{15}\.\d{9}\.[0-9a-z]{1,8}$/.test(cursor) || (cursor[0] === 't') !== byTime) {
    throw new Error(`cursor must be the \`next\` of a previous page of the same search, got ${JSON.stringify(cursor)}`);
  }
  return cursor.slice(1);
}
