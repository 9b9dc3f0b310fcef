/**
 * pg-boss 10's job insert, fetch and completion as SQL of our own: the insert and completion run
 * inside another statement (a settle's, see `../postgres/settle-writes.ts`) where pg-boss's
 * `insert()` and `complete()` would each be a statement of their own, and all three run on the
 * queue's own partition of the job table (see `./queues.ts`) as prepared statements, planned once
 * per connection where pg-boss's SQL on the partitioned table is planned at every run.
 *
 * They write pg-boss's own tables as pg-boss does, so its retries, expiry, archiving and
 * monitoring treat these jobs as any others. The columns follow pg-boss 10.4's `insertJobs`,
 * `fetchNextJob` and `completeJobs` plans (node_modules/pg-boss/src/plans.js) for the jobs and
 * queues this transport makes: an id given, priority 0, no singleton, due now, the lease and
 * retry settings of `jobOptions`, the queue's dead letter and policy (`standard`, so a fetch
 * gates no singleton keys), kept for the queue's retention or else 14 days (pg-boss's default, as
 * the transport sets no retention of its own). A job for a queue that does not exist is dropped,
 * as pg-boss's insert drops it: callers create their queues first.
 */
import pg from 'pg';
import { crashRetryDelaySeconds, crashRetryLimit } from './jobs.js';
import type { QueueTable } from './queues.js';
import { rowsSql, type Param } from '../postgres/rows-sql.js';

export interface NewJob {
  id: string;
  data: unknown;
}

const jobColumns = [
  ['id', 'uuid'],
  ['data', 'jsonb'],
] as const;

/**
 * Inserts jobs of one queue into its table, where `guard` holds. Each is due a microsecond after
 * the one before it, so that they are fetched in the order given (see {@link jobFetchSql}).
 */
export function jobInsertSql(schema: string, queue: string, table: QueueTable, jobs: NewJob[], expireInSeconds: number, param: Param, guard = 'TRUE'): string {
  return `INSERT INTO ${table} (id, name, data, priority, start_after, singleton_key, singleton_on, dead_letter, expire_in, keep_until, retry_limit, retry_delay, retry_backoff, policy)
    SELECT j.id, q.name, j.data, 0, now() + (j.n - 1) * interval '1 microsecond', NULL, NULL, q.dead_letter, ${param(expireInSeconds)}::int * interval '1s',
           now() + COALESCE(make_interval(mins => q.retention_minutes), interval '14 days'),
           ${param(crashRetryLimit)}::int, ${param(crashRetryDelaySeconds)}::int, false, q.policy
      FROM ${rowsSql('j', jobColumns, jobs.map((j) => [j.id, JSON.stringify(j.data)]), param)}
      JOIN ${pg.escapeIdentifier(schema)}.queue q ON q.name = ${param(queue)}
     WHERE ${guard}
    ON CONFLICT DO NOTHING`;
}

/** Completes an active job of the table, where `guard` holds; a job no longer active (expired, taken over) is left as it is. */
export function jobCompletionSql(queue: string, table: QueueTable, jobId: string, param: Param, guard = 'TRUE'): string {
  // The queue's name too, though the table holds that queue only: its key is (name, id).
  return `UPDATE ${table} SET completed_on = now(), state = 'completed', output = NULL
     WHERE name = ${param(queue)} AND id = ${param(jobId)}::uuid AND state = 'active' AND ${guard}`;
}

/** A job as a fetch answers it: what a delivery is read from (see `deliveryOf`). */
export interface FetchedJob<T> {
  id: string;
  name: string;
  data: T;
  retryCount: number;
}

/**
 * Takes up to `$1` jobs due on the table of queue `$2`, the longest due first, and makes them
 * active, as pg-boss's fetch does: a job fetched before (its process died, its lease ran out)
 * counts one more retry.
 *
 * Unlike pg-boss's, it takes them in the order of pg-boss's fetch index (`name, start_after`,
 * over the jobs not yet active), not by priority and `created_on` (this transport sets no
 * priority): it reads only the jobs it takes, where sorting by another order read and sorted the
 * whole backlog at every fetch. The jobs of one insert are due a microsecond apart, so they come
 * in the order they were given.
 *
 * The rows taken are joined back by their place (`ctid`, which their lock keeps where it is),
 * not by key: whatever the statistics, each is then one lookup, where a plan kept from when the
 * queue was empty joined by key by scanning the whole queue.
 */
export function jobFetchSql(table: QueueTable): string {
  return `WITH next AS (
      SELECT ctid FROM ${table}
       WHERE name = $2 AND state < 'active' AND start_after < now()
       ORDER BY start_after
       LIMIT $1
       FOR UPDATE SKIP LOCKED
    )
    UPDATE ${table} j SET state = 'active', started_on = now(),
           retry_count = CASE WHEN j.started_on IS NOT NULL THEN j.retry_count + 1 ELSE j.retry_count END
      FROM next
     WHERE j.ctid = next.ctid
    RETURNING j.id, j.name, j.data, j.retry_count AS "retryCount"`;
}
