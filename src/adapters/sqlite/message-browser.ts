/** The message browser on the SQLite state store's tables. */
import type Database from 'better-sqlite3';
import { formatCursor, pageLimit, parseCursor, type MessageBrowser } from '../../ports/message-browser.js';
import type { StoredMessage } from '../../ports/state-store.js';

export function sqliteMessageBrowser(db: Database.Database, toStored: (row: never) => StoredMessage): MessageBrowser {
  return {
    async search(query) {
      const limit = pageLimit(query.limit);
      if (query.from !== undefined && query.to !== undefined && query.from > query.to) return { messages: [] };
      const where: string[] = [];
      const params: unknown[] = [];
      const add = (sql: string, value: unknown) => (where.push(sql), params.push(value));
      if (query.type !== undefined) add('type = ?', query.type);
      if (query.key !== undefined) add('key = ?', query.key);
      if (query.status !== undefined) add('status = ?', query.status);
      if (query.from !== undefined) add('created_at >= ?', query.from);
      if (query.to !== undefined) add('created_at <= ?', query.to);
      // A time window is read newest first along the (created_at, seq) index, whatever part of the
      // history it covers; any other search by seq.
      const byTime = query.from !== undefined || query.to !== undefined;
      const after = parseCursor(query.cursor, byTime);
      if (after?.createdAt !== undefined) (where.push('(created_at, seq) < (?, ?)'), params.push(Number(after.createdAt), Number(after.seq)));
      else if (after) add('seq < ?', Number(after.seq));
      const rows = db
        .prepare<unknown[], { seq: number; created_at: number }>(
          `SELECT * FROM messages ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY ${byTime ? 'created_at DESC, seq DESC' : 'seq DESC'} LIMIT ?`,
        )
        .all(...params, limit + 1);
      const page = rows.slice(0, limit);
      const last = page.at(-1);
      return { messages: page.map((row) => toStored(row as never)), next: rows.length > limit && last ? formatCursor(last.seq, byTime ? last.created_at : undefined) : undefined };
    },
    async counts() {
      // Kept by triggers on every write (see the schema): reading them scans no message.
      return db.prepare<[], { type: string; status: 'pending' | 'done' | 'dead'; count: number }>('SELECT type, status, n AS count FROM message_counts WHERE n > 0 ORDER BY type, status').all();
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
