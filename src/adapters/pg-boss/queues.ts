/**
 * Creates pg-boss queues on first use. pg-boss 10 silently drops a job sent to a queue that does
 * not exist (its insert joins the queue table), so every send and consume waits for its queue here.
 *
 * Creating a queue adds a partition to pg-boss's job table, and two `createQueue` calls at once
 * deadlock on its locks (PostgreSQL aborts one after `deadlock_timeout`). So this runs pg-boss's
 * own `create_queue` function, the SQL `createQueue` runs, under a transaction-scoped advisory
 * lock: every process on the schema creates one queue at a time. It does nothing when the queue
 * exists.
 *
 * It answers the queue's own partition of the job table, for the SQL of our own that writes and
 * fetches one queue's jobs (see `./job-sql.ts`): a statement on the partition is planned once and
 * then kept, where one on the partitioned table is planned at every run to leave the other
 * partitions out.
 */
import pg from 'pg';
import { inTransaction } from './database.js';
import { crashRetryDelaySeconds, crashRetryLimit } from './jobs.js';

/** `"schema"."partition"`: the table holding one queue's jobs. */
export type QueueTable = string;

/** `readyTable` runs once per queue, on its table, before the queue is answered as ready. */
export function queueCreator(pool: pg.Pool, schema: string, expireInSeconds: number, readyTable?: (table: QueueTable) => Promise<void>): (queue: string) => Promise<QueueTable> {
  const created = new Map<string, Promise<QueueTable>>();
  const settings = { policy: 'standard', retryLimit: crashRetryLimit, retryDelay: crashRetryDelaySeconds, retryBackoff: false, expireInSeconds };

  const create = async (queue: string): Promise<QueueTable> => {
    const existing = `SELECT partition_name FROM ${pg.escapeIdentifier(schema)}.queue WHERE name = $1`;
    let { rows } = await pool.query<{ partition_name: string | null }>(existing, [queue]);
    if (rows.length === 0) {
      await inTransaction(pool, async (db) => {
        await db.executeSql('SELECT pg_advisory_xact_lock(hashtext($1))', [`dataflow pg-boss create_queue ${schema}`]);
        await db.executeSql(`SELECT ${schema}.create_queue($1, $2)`, [queue, settings]);
      });
      ({ rows } = await pool.query<{ partition_name: string | null }>(existing, [queue]));
    }
    const partition = rows[0]?.partition_name;
    if (!partition) throw new Error(`pg-boss queue ${queue} in schema ${schema} has no partition of its own (a pg-boss older than 10?)`);
    const table = `${pg.escapeIdentifier(schema)}.${pg.escapeIdentifier(partition)}`;
    await readyTable?.(table);
    return table;
  };

  return (queue) => {
    let creating = created.get(queue);
    if (!creating) {
      creating = create(queue);
      created.set(queue, creating);
      creating.catch(() => created.delete(queue)); // a failure is tried again on the next use
    }
    return creating;
  };
}
