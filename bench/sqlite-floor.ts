/**
 * The SQLite floor for the embedded runtime: per message, the row writes a hop needs and nothing
 * else, each in its own transaction as a store call would make it: a lookup of the message, its
 * settle, and the insert of the message it caused. Same file settings (WAL, synchronous NORMAL)
 * and the same schema (indexes, count triggers) as the state store, no validation, no queue.
 */
import Database from 'better-sqlite3';
import { performance } from 'node:perf_hooks';
import { openSqliteStateStore } from '../src/adapters/sqlite/state-store.js';

/** Seconds for `count` messages' lookups, settles and inserts, on a fresh database at `path`. */
export async function sqliteFloorSeconds(path: string, count: number): Promise<number> {
  await openSqliteStateStore(path).close(); // the store's own schema
  const db = new Database(path);
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    const insert = db.prepare(`INSERT INTO messages (id, type, body, key, valid_time, caused_by, status, attempts, created_at, updated_at, root)
      VALUES (?, 'please-work', ?, 'bench', ?, ?, 'pending', 0, ?, ?, ?)`);
    const lookup = db.prepare('SELECT * FROM messages WHERE id = ?');
    const settle = db.prepare(`UPDATE messages SET status = 'done', attempts = 1, updated_at = ? WHERE id = ? AND status = 'pending'`);
    const inOwnTransaction = <A extends unknown[]>(run: (...args: A) => unknown) => {
      const transaction = db.transaction(run);
      return (...args: A) => transaction.immediate(...args);
    };
    const [insertOne, lookupOne, settleOne] = [inOwnTransaction((...a: unknown[]) => insert.run(...a)), inOwnTransaction((id: string) => lookup.get(id)), inOwnTransaction((now: number, id: string) => settle.run(now, id))];
    const body = (id: string, n: number) => JSON.stringify({ type: 'please-work', id, dateCreated: n, n });
    insertOne('m0', body('m0', 0), 0, null, 0, 0, 'm0');
    const start = performance.now();
    for (let n = 0; n < count; n++) {
      const id = `m${n}`;
      const next = `m${n + 1}`;
      lookupOne(id);
      settleOne(n, id);
      insertOne(next, body(next, n + 1), n + 1, id, n, n, 'm0');
    }
    return (performance.now() - start) / 1000;
  } finally {
    db.close();
  }
}
