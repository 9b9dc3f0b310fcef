/** The message browser on the PostgreSQL state store's tables. */
import type pg from 'pg';
import { pageLimit, type MessageBrowser } from '../../ports/message-browser.js';
import type { MessageStatus, StoredMessage } from '../../ports/state-store.js';

export function postgresMessageBrowser(pool: pg.Pool, messages: string, toStored: (row: never) => StoredMessage): MessageBrowser {
  return {
    async search(query) {
      const limit = pageLimit(query.limit);
      const where: string[] = [];
      const params: unknown[] = [];
      const add = (sql: string, value: unknown) => (params.push(value), where.push(sql.replace('?', `$${params.length}`)));
      if (query.type !== undefined) add('type = ?', query.type);
      if (query.key !== undefined) add('key = ?', query.key);
      if (query.status !== undefined) add('status = ?', query.status);
      if (query.from !== undefined) add('created_at >= ?', query.from);
      if (query.to !== undefined) add('created_at <= ?', query.to);
      if (query.cursor !== undefined) add('seq < ?', query.cursor);
      params.push(limit + 1);
      const { rows } = await pool.query<{ seq: string }>(
        `SELECT * FROM ${messages} ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY seq DESC LIMIT $${params.length}`,
        params,
      );
      const page = rows.slice(0, limit);
      return { messages: page.map((row) => toStored(row as never)), next: rows.length > limit ? String(page.at(-1)!.seq) : undefined };
    },
    async counts() {
      const { rows } = await pool.query<{ type: string; status: MessageStatus; count: string }>(
        `SELECT type, status, COUNT(*) AS count FROM ${messages} GROUP BY type, status ORDER BY type, status`,
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
