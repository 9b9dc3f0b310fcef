/**
 * Creates pg-boss queues on first use. pg-boss 10 silently drops a job sent to a queue that does
 * not exist (its insert joins the queue table), so every send and consume waits for its queue here.
 *
 * Creating a queue adds a partition to pg-boss's job table, and two `createQueue` calls at once
 * deadlock on its locks (PostgreSQL aborts one after `deadlock_timeout`). So this runs pg-boss's
 * own `create_queue` function, the SQL `createQueue` runs, under a transaction-scoped advisory
 * lock: every process on the schema creates one queue at a time. It does nothing when the queue
 * exists.
 */
import type pg from 'pg';
import { inTransaction } from './database.js';
import { crashRetryDelaySeconds, crashRetryLimit } from './jobs.js';

export function queueCreator(pool: pg.Pool, schema: string, expireInSeconds: number): (queue: string) => Promise<void> {
  const created = new Map<string, Promise<void>>();
  const settings = { policy: 'standard', retryLimit: crashRetryLimit, retryDelay: crashRetryDelaySeconds, retryBackoff: false, expireInSeconds };

  const create = (queue: string) =>
    inTransaction(pool, async (db) => {
      await db.executeSql('SELECT pg_advisory_xact_lock(hashtext($1))', [`dataflow pg-boss create_queue ${schema}`]);
      await db.executeSql(`SELECT ${schema}.create_queue($1, $2)`, [queue, settings]);
    });

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
