/** The message browser on the SQLite state store's tables. */
import type Database from 'better-sqlite3';
import { pageLimit, type MessageBrowser } from '../../ports/message-browser.js';
import type { StoredMessage } from '../../ports/state-store.js';

export function sqliteMessageBrowser(db: Database.Database, toStored: (row: never) => StoredMessage): MessageBrowser {
  return {
    async search(query) {
      const limit = pageLimit(query.limit);
      const where: string[] = [];
      const params: unknown[] = [];
      const add = (sql: string, value: unknown) => (where.push(sql), params.push(value));
      if (query.type !== undefined) add('type = ?', query.type);
      if (query.key !== undefined) add('key = ?', query.key);
      if (query.status !== undefined) add('status = ?', query.status);
      if (query.from !== undefined) add('created_at >= ?', query.from);
      if (query.to !== undefined) add('created_at <= ?', query.to);
      if (query.cursor !== undefined) add('seq < ?', Number(query.cursor));
      const rows = db
        .prepare<unknown[], { seq: number }>(`SELECT * FROM messages ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY seq DESC LIMIT ?`)
        .all(...params, limit + 1);
      const page = rows.slice(0, limit);
      return { messages: page.map((row) => toStored(row as never)), next: rows.length > limit ? String(page.at(-1)!.seq) : undefined };
    },
    async counts() {
      return db.prepare<[], { type: string; status: 'pending' | 'done' | 'dead'; count: number }>('SELECT type, status, COUNT(*) AS count FROM messages GROUP BY type, status ORDER BY type, status').all();
    },
    async activity(since, bucketMs) {
      return db
        .prepare<[number, number, number], { type: string; start: number; done: number; dead: number; averageLatencyMs: number | null; maxLatencyMs: number | null }>(
          `SELECT type, CAST(updated_at / ? AS INTEGER) * ? AS start,
                  SUM(status = 'done') AS done, SUM(status = 'dead') AS dead,
                  AVG(CASE WHEN status = 'done' THEN updated_at - created_at END) AS averageLatencyMs,
                  MAX(CASE WHEN status = 'done' THEN updated_at - created_at END) AS maxLatencyMs
           FROM messages WHERE updated_at >= ? AND status <> 'pending'
           GROUP BY type, start ORDER BY start, type`,
        )
        .all(bucketMs, bucketMs, since)
        .map((row) => ({ ...row, averageLatencyMs: Math.round(row.averageLatencyMs ?? 0), maxLatencyMs: row.maxLatencyMs ?? 0 }));
    },
  };
}
