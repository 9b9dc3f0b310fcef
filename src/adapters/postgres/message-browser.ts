/** The message browser on the PostgreSQL state store's tables. */
import type pg from 'pg';
import { formatCursor, pageLimit, parseCursor, type MessageBrowser } from '../../ports/message-browser.js';
import type { MessageStatus, StoredMessage } from '../../ports/state-store.js';

/**
 * Moves the net changes the triggers appended into the counts, in one statement: each change is
 * either still a row or already in the counts, never both, whoever reads or folds at the same time.
 */
export async function foldCounts(db: Pick<pg.PoolClient, 'query'>, tables: { counts: string; changes: string }): Promise<void> {
  await db.query(
    `WITH folded AS (DELETE FROM ${tables.changes} RETURNING type, status, n)
     INSERT INTO ${tables.counts} AS c (type, status, n)
     SELECT type, status, SUM(n) FROM folded GROUP BY type, status ORDER BY type, status
     ON CONFLICT (type, status) DO UPDATE SET n = c.n + EXCLUDED.n`,
  );
}

/**
 * `counts` and `changes` name the tables the migration's triggers keep: the counts, and the net
 * changes each write appended since they were last folded in (the state store folds them as it
 * writes). Reading them writes nothing, so a read-only role serves the dashboard and /metrics.
 */
export function postgresMessageBrowser(
  pool: pg.Pool,
  messages: string,
  toStored: (row: never) => StoredMessage,
  tables: { counts: string; changes: string },
): MessageBrowser {
  return {
    async search(query) {
      const limit = pageLimit(query.limit);
      if (query.from !== undefined && query.to !== undefined && query.from > query.to) return { messages: [] };
      const where: string[] = [];
      const params: unknown[] = [];
      const add = (sql: string, value: unknown) => (params.push(value), where.push(sql.replace('?', `$${params.length}`)));
      if (query.type !== undefined) add('type = ?', query.type);
      if (query.key !== undefined) add('key = ?', query.key);
      if (query.status !== undefined) add('status = ?', query.status);
      if (query.from !== undefined) add('created_at >= ?', query.from);
      if (query.to !== undefined) add('created_at <= ?', query.to);
      // A time window is read newest first along the (created_at, seq) index, whatever part of the
      // history it covers; any other search by seq.
      const byTime = query.from !== undefined || query.to !== undefined;
      const after = parseCursor(query.cursor, byTime);
      if (after?.createdAt !== undefined) {
        params.push(after.createdAt, after.seq);
        where.push(`(created_at, seq) < ($${params.length - 1}::bigint, $${params.length}::bigint)`);
      } else if (after) add('seq < ?', after.seq);
      params.push(limit + 1);
      const { rows } = await pool.query<{ seq: string; created_at: string }>(
        `SELECT * FROM ${messages} ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
         ORDER BY ${byTime ? 'created_at DESC, seq DESC' : 'seq DESC'} LIMIT $${params.length}`,
        params,
      );
      const page = rows.slice(0, limit);
      const last = page.at(-1);
      return {
        messages: page.map((row) => toStored(row as never)),
        next: rows.length > limit && last ? formatCursor(last.seq, byTime ? last.created_at : undefined) : undefined,
      };
    },
    async counts() {
      // Both small tables, summed: exact, and no message is scanned.
      const { rows } = await pool.query<{ type: string; status: MessageStatus; count: string }>(
        `SELECT type, status, SUM(n) AS count
         FROM (SELECT type, status, n FROM ${tables.counts} UNION ALL SELECT type, status, n FROM ${tables.changes}) kept
         GROUP BY type, status HAVING SUM(n) > 0 ORDER BY type, status`,
      );
      return rows.map((row) => ({ ...row, count: Number(row.count) }));
    },
    async activity(since, bucketMs) {
      const { rows } = await pool.query<{ type: string; start: string; done: string; dead: string; average: string | null; max: string | null }>(
        `SELECT type, (updated_at / $1) * $1 AS start,
                COUNT(*) FILTER (WHERE status = 'done') AS done, COUNT(*) FILTER (WHERE status = 'dead') AS dead,
                AVG(updated_at - created_at) FILTER (WHERE status = 'done') AS average,
                MAX(updated_at - created_at) FILTER (WHERE status = 'done') AS max
         FROM ${messages} WHERE updated_at >= $2 AND status <> 'pending'
         GROUP BY type, start ORDER BY start, type`,
        [bucketMs, since],
      );
      return rows.map((row) => ({
        type: row.type,
        start: Number(row.start),
        done: Number(row.done),
        dead: Number(row.dead),
        averageLatencyMs: Math.round(Number(row.average ?? 0)),
        maxLatencyMs: Number(row.max ?? 0),
      }));
    },
  };
}
