/**
 * pg-boss 10's job insert and completion as SQL of our own, to run inside another statement (a
 * settle's, see `../postgres/settle-writes.ts`) where pg-boss's `insert()` and `complete()` would
 * each be a statement of their own.
 *
 * They write pg-boss's own tables as pg-boss does, so its fetch, retries, expiry, archiving and
 * monitoring treat these jobs as any others. The columns follow pg-boss 10.4's `insertJobs` and
 * `completeJobs` plans (node_modules/pg-boss/src/plans.js) for the jobs this transport makes: an
 * id given, priority 0, no singleton, start now, the lease and retry settings of `jobOptions`,
 * the queue's dead letter and policy, kept for the queue's retention or else 14 days (pg-boss's
 * default, as the transport sets no retention of its own). A job named for a queue that does not
 * exist is dropped, as pg-boss's insert drops it: callers create their queues first.
 */
import pg from 'pg';
import { crashRetryDelaySeconds, crashRetryLimit } from './jobs.js';

export interface NewJob {
  id: string;
  queue: string;
  data: unknown;
}

/** Adds a parameter to the statement being built and answers its placeholder. */
export type Param = (value: unknown) => string;

/** Inserts the jobs, where `guard` holds. */
export function jobInsertSql(schema: string, jobs: NewJob[], expireInSeconds: number, param: Param, guard = 'TRUE'): string {
  const s = pg.escapeIdentifier(schema);
  return `INSERT INTO ${s}.job (id, name, data, priority, start_after, singleton_key, singleton_on, dead_letter, expire_in, keep_until, retry_limit, retry_delay, retry_backoff, policy)
    SELECT j.id, j.name, j.data, 0, now(), NULL, NULL, q.dead_letter, ${param(expireInSeconds)}::int * interval '1s',
           now() + COALESCE(make_interval(mins => q.retention_minutes), interval '14 days'),
           ${param(crashRetryLimit)}::int, ${param(crashRetryDelaySeconds)}::int, false, q.policy
      FROM unnest(${param(jobs.map((j) => j.id))}::uuid[], ${param(jobs.map((j) => j.queue))}::text[], ${param(jobs.map((j) => JSON.stringify(j.data)))}::jsonb[]) AS j(id, name, data)
      JOIN ${s}.queue q ON q.name = j.name
     WHERE ${guard}
    ON CONFLICT DO NOTHING`;
}

/** Completes an active job, where `guard` holds; a job no longer active (expired, taken over) is left as it is. */
export function jobCompletionSql(schema: string, queue: string, jobId: string, param: Param, guard = 'TRUE'): string {
  return `UPDATE ${pg.escapeIdentifier(schema)}.job SET completed_on = now(), state = 'completed', output = NULL
     WHERE name = ${param(queue)} AND id = ${param(jobId)}::uuid AND state = 'active' AND ${guard}`;
}
