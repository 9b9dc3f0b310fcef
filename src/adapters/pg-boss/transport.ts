/**
 * A durable transport on PostgreSQL, through pg-boss 10: one pg-boss queue per consumer, each job
 * one delivery `{ message, attempt }`. Many processes may share a database and schema; a job is
 * held by one consumer at a time (pg-boss fetches with `FOR UPDATE SKIP LOCKED`).
 *
 * Outcomes: `ack` and `dead` complete the job (the core has recorded a dead letter itself);
 * `retry` completes it and sends the next attempt with `startAfter` = the core's delay, in one
 * transaction. A handler that throws fails the job, and pg-boss retries it. While a handler runs,
 * its process renews the job's lease (see `./lease.ts`); a process that dies mid-job leaves the
 * job active and unrenewed, and once its lease has run out pg-boss's maintenance fails it by
 * timeout and retries it, in whichever process fetches it first.
 *
 * `sendInTransaction` enqueues on the caller's open transaction, so a state store can commit its
 * state and the messages it caused together.
 *
 * A handler's own job is completed by the settle that ends its handling: `settleWrites` gives the
 * state store the job inserts of what it caused and the job's completion as parts of the settle's
 * one statement (SQL of our own for pg-boss's tables, see `./job-sql.ts`), so its state, its
 * caused jobs and its completion commit together, in one round trip. (`sendInTransaction` does
 * the same on a caller's transaction.) The job's outcome then completes nothing more.
 *
 * A consumer does not wait for its next poll: every job insert NOTIFYs on commit, and a transport
 * that consumes LISTENs on a connection of its own and wakes that queue's consumer at once (see
 * `./job-notifications.ts`). Polling stays, as the fallback for a notification missed.
 */
import type { Logger } from '../../core/logger.js';
import PgBoss from 'pg-boss';
import type pg from 'pg';
import type { Delivery, DeliveryHandler, Outcome, Transport } from '../../ports/transport.js';
import { startConsumerLoop, type ConsumerLoop, type DeliveryJob } from './consumer.js';
import { executorOf, inTransaction } from './database.js';
import { jobData, jobOptions, orderedJobId, type DeliveryData } from './jobs.js';
import { queueCreator, type QueueTable } from './queues.js';
import { leaseTimings, renewLeases } from './lease.js';
import { installJobNotifications, listenForJobs, type JobListener } from './job-notifications.js';
import { postgresPool } from '../postgres/pool.js';
import type { SettleWrites } from '../postgres/settle-writes.js';
import { jobCompletionSql, jobFetchSql, jobInsertSql } from './job-sql.js';
import type { Param } from '../postgres/rows-sql.js';
import { prepared, preparedWith } from '../postgres/prepared.js';

export interface PgBossTransportOptions {
  connectionString: string;
  /** The schema pg-boss keeps its tables in. @defaultValue 'dataflow_boss' */
  schema?: string;
  /** A pool to run on instead of one of the transport's own; the transport does not end it. */
  pool?: pg.Pool;
  /**
   * The lease: how long a job may go without renewal before another process may take it. A running
   * handler's process renews it every third of this, so it need not cover any handler's timeout; a
   * process killed mid-job has its jobs delivered again after about this (plus up to one
   * maintenance interval). @defaultValue 30 (`leaseDefaults` in `./lease.ts`)
   */
  expireInSeconds?: number;
  /**
   * How often an idle consumer looks for jobs when no notification woke it: the fallback for one
   * missed while the listening connection was down. @defaultValue 0.5
   */
  pollingIntervalSeconds?: number;
  /** Where troubles go (a lost connection, a failed fetch); warnings on stderr without one. */
  log?: Logger;
  /** How often pg-boss's maintenance expires stalled jobs (and archives old ones). @defaultValue a quarter of the lease, 1 to 60 s */
  maintenanceIntervalSeconds?: number;
  /** How long `close()` waits for running handlers before leaving their jobs to expire. @defaultValue 30000 */
  closeTimeoutMs?: number;
}

export type PgBossTransport = Transport & {
  idle(): Promise<void>;
  /** Installs or migrates pg-boss's schema and starts its maintenance; the other methods call it. */
  start(): Promise<void>;
  /** Enqueues on the caller's open transaction: the deliveries exist if, and only if, it commits. */
  /**
   * `settled`: the id of the message whose settle this transaction is; when that is the message
   * of a job whose handler is running in this process, that job completes in the transaction too.
   */
  sendInTransaction(client: pg.PoolClient, queue: string, deliveries: Delivery[], settled?: string): Promise<void>;
  /**
   * The writes a settle's one statement makes for the queue (see `../postgres/settle-writes.ts`):
   * the jobs of what it caused and, when `settled` is the message of a job whose handler is
   * running in this process, that job's completion. Each is guarded by `guard`.
   */
  settleWrites(request: { settled: string; jobs: { queue: string; delivery: Delivery }[]; guard: string; param: Param }): Promise<SettleWrites>;
};

interface HandledJob {
  queue: string;
  jobId: string;
  /** The id of the message the job delivers. */
  messageId: unknown;
  /** Set once a transaction that enqueued what the handling caused completed the job too. */
  completedInTransaction?: boolean;
}

export function pgBossTransport(options: PgBossTransportOptions): PgBossTransport {
  const schema = options.schema ?? 'dataflow_boss';
  const lease = leaseTimings(options.expireInSeconds);
  const expireInSeconds = lease.leaseSeconds;
  const pollingMs = Math.max(10, (options.pollingIntervalSeconds ?? 0.5) * 1000);
  const closeTimeoutMs = options.closeTimeoutMs ?? 30_000;
  const ownPool = !options.pool;
  // Opening a connection is bounded by the URL's connect_timeout, as everywhere else.
  const pool = options.pool ?? postgresPool({ connectionString: options.connectionString, max: 10, queryTimeoutMs: 120_000 });
  if (ownPool) pool.on('error', (error) => report('idle database connection failed', error));

  const boss = new PgBoss({
    db: executorOf(pool),
    schema,
    migrate: true,
    supervise: true, // maintenance: expires stalled jobs, which is how a dead process's jobs come back
    schedule: false, // no cron here
    maintenanceIntervalSeconds: options.maintenanceIntervalSeconds ?? lease.maintenanceIntervalSeconds,
    ...jobOptions(expireInSeconds),
  });
  // An unhandled 'error' event would kill the process.
  boss.on('error', (error) => report('pg-boss reported an error', error));

  // Each queue's partition announces its jobs too (see `./job-notifications.ts`).
  const ensureQueue = queueCreator(pool, schema, expireInSeconds, (table) => installJobNotifications(pool, schema, table));
  /**
   * The jobs whose handlers are running here, by the id of the message each delivers: a settle of
   * that message completes the first one not completed yet. (Copies of one message run one after
   * the other; should a settle complete a waiting copy's job rather than the running one's, the
   * running one is completed when its handler returns, and the copy finds its message settled.)
   * A map, not an AsyncLocalStorage: that would slow every promise of the process.
   */
  const handling = new Map<unknown, HandledJob[]>();
  const handlingNow = (messageId: string) => handling.get(messageId)?.find((handled) => !handled.completedInTransaction);
  const handle = async (handler: DeliveryHandler, delivery: Delivery, handled: HandledJob) => {
    const list = handling.get(handled.messageId) ?? [];
    if (list.length === 0) handling.set(handled.messageId, list);
    list.push(handled);
    try {
      return await handler(delivery);
    } finally {
      list.splice(list.indexOf(handled), 1);
      if (list.length === 0) handling.delete(handled.messageId);
    }
  };
  const handledJobs = new WeakMap<DeliveryJob, HandledJob>();
  const handledJob = (job: DeliveryJob): HandledJob => {
    let handled = handledJobs.get(job);
    if (!handled) handledJobs.set(job, (handled = { queue: job.name, jobId: job.id, messageId: (job.data?.message as { id?: unknown } | undefined)?.id }));
    return handled;
  };
  const seen = new Set<string>();
  const loops = new Map<string, ConsumerLoop>();
  let starting: Promise<void> | undefined;
  let listener: JobListener | undefined;
  let closed = false;

  function report(doing: string, error: unknown) {
    if (options.log) options.log.warn({ reason: (error as Error)?.message ?? String(error) }, `pg-boss transport: ${doing}`);
    else process.emitWarning(`pg-boss transport: ${doing}: ${(error as Error)?.stack ?? error}`);
  }

  const start = () => {
    starting ??= boss.start().then(
      () => installJobNotifications(pool, schema),
      (error: unknown) => {
        starting = undefined; // let the next call try again
        throw error;
      },
    );
    return starting;
  };

  /** Readies the queue; answers its table (see `./queues.ts`). */
  const prepare = async (queue: string) => {
    if (closed) throw new Error('the transport is closed');
    seen.add(queue);
    await start();
    return ensureQueue(queue);
  };

  const settle = async (queue: string, job: DeliveryJob, delivery: Delivery, outcome: Outcome, handled: HandledJob) => {
    if (outcome.kind !== 'retry') {
      // Completed already when the settle that ended the handling committed (done, or dead) with
      // the job's completion in it; else (a copy of a settled message, a settle refused) here.
      if (!handled.completedInTransaction) await boss.complete(queue, job.id);
      return;
    }
    const startAfter = Math.max(0, outcome.delayMs) / 1000; // seconds; pg-boss casts it to an interval
    await inTransaction(pool, async (db) => {
      const completed = (await boss.complete(queue, job.id, {}, { db })) as unknown as { affected: number };
      // Not ours any more (it expired and another process holds it): that delivery carries on.
      if (completed.affected !== 1) return;
      await boss.send(queue, jobData({ ...delivery, attempt: delivery.attempt + 1 }) as object, { ...jobOptions(expireInSeconds), id: orderedJobId(), startAfter, db });
    });
    loops.get(queue)?.wake(outcome.delayMs + 20);
  };

  const consume = (queue: string, handler: DeliveryHandler, { concurrency }: { concurrency: number }) => {
    if (!Number.isInteger(concurrency) || concurrency < 1) throw new Error(`concurrency must be a positive integer, got ${concurrency}`);
    if (closed) throw new Error('the transport is closed');
    if (loops.has(queue)) throw new Error(`queue ${queue} already has a consumer`);
    seen.add(queue);
    listener ??= listenForJobs({
      connectionString: options.connectionString,
      schema,
      onJobs: (name) => loops.get(name)?.wake(),
      // Back after an outage: whatever was queued meanwhile is looked for now, not at the next poll.
      onListening: () => {
        for (const each of loops.values()) each.wake();
      },
      report,
    });
    const loop = startConsumerLoop({
      queue,
      concurrency,
      pollingMs,
      handler: (delivery, job) => handle(handler, delivery, handledJob(job)),
      prepare: async () => void (await prepare(queue)),
      fetch: async (batchSize) => (await pool.query<DeliveryJob>(prepared(jobFetchSql(await prepare(queue)), [batchSize, queue]))).rows,
      settle: (job, delivery, outcome) => settle(queue, job, delivery, outcome, handledJob(job)),
      fail: async (job, error) => void (await boss.fail(queue, job.id, error as object)),
      report,
      renew: async (jobIds) => void (await renewLeases(pool, schema, queue, jobIds)),
      renewEveryMs: lease.renewEveryMs,
    });
    loops.set(queue, loop);
    return async () => {
      if (loops.get(queue) !== loop) return;
      await loop.stop();
      loops.delete(queue);
    };
  };

  /** Inserts the deliveries' jobs, in one statement, in the order given. */
  const insertJobs = async (db: pg.Pool | pg.PoolClient, queue: string, table: QueueTable, deliveries: Delivery[]) => {
    const rows = deliveries.map((delivery) => ({ id: orderedJobId(), data: jobData(delivery) }));
    await db.query(preparedWith((param) => jobInsertSql(schema, queue, table, rows, expireInSeconds, param)));
  };

  const outstanding = async (): Promise<number> => {
    if (seen.size === 0) return 0;
    const { rows } = await pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${schema}.job WHERE name = ANY($1::text[]) AND state < 'completed'`, [[...seen]]);
    return rows[0]?.n ?? 0;
  };

  /**
   * A live consumer polls every `pollingMs`, so a queue whose due jobs sat the whole period while
   * none of its jobs was taken (fetching sets `started_on`) and none is running has no consumer.
   * Jobs a killed process still holds count as running until their lease expires.
   */
  const unserved = async (queues: string[], forMs: number) => {
    if (queues.length === 0) return [];
    await start();
    const { rows } = await pool.query<{ queue: string; waiting: number }>(
      `SELECT name AS queue, count(*) FILTER (WHERE state < 'active' AND start_after < now() - make_interval(secs => $2))::int AS waiting
         FROM ${schema}.job
        WHERE name = ANY($1::text[])
        GROUP BY name
       HAVING count(*) FILTER (WHERE state < 'active' AND start_after < now() - make_interval(secs => $2)) > 0
          AND count(*) FILTER (WHERE state = 'active' OR started_on > now() - make_interval(secs => $2)) = 0
        ORDER BY name`,
      [queues, forMs / 1000],
    );
    return rows;
  };

  return {
    start,
    unserved,
    async send(queue, deliveries) {
      const table = await prepare(queue);
      if (deliveries.length === 0) return;
      await insertJobs(pool, queue, table, deliveries);
      loops.get(queue)?.wake();
    },
    async sendInTransaction(client, queue, deliveries, settled) {
      const table = await prepare(queue); // outside the caller's transaction: queues are created once, for good
      if (deliveries.length === 0) return;
      await insertJobs(client, queue, table, deliveries);
      // Sent by the settle of the message a handler here is handling: its job completes in the
      // same transaction, once. (Not by any other write in a handler, which may yet fail and retry.)
      const handled = settled === undefined ? undefined : handlingNow(settled);
      if (handled) {
        const handledTable = await prepare(handled.queue);
        await client.query(preparedWith((param) => jobCompletionSql(handled.queue, handledTable, handled.jobId, param)));
        handled.completedInTransaction = true;
      }
      // The caller has not committed yet: the insert's notification wakes the consumers once it has.
    },
    async settleWrites({ settled, jobs, guard, param }) {
      const statements: string[] = [];
      const byQueue = new Map<string, { id: string; data: DeliveryData }[]>();
      for (const { queue, delivery } of jobs) {
        let list = byQueue.get(queue);
        if (!list) byQueue.set(queue, (list = []));
        list.push({ id: orderedJobId(), data: jobData(delivery) });
      }
      for (const [queue, rows] of byQueue) {
        // Readied outside the statement: queues are created once, for good.
        statements.push(jobInsertSql(schema, queue, await prepare(queue), rows, expireInSeconds, param, guard));
      }
      // Once committed, the statement's notification (from its job inserts) wakes the consumers of
      // other processes; this process's own are woken at once, a round trip sooner.
      const wakeHere = () => {
        for (const queue of byQueue.keys()) loops.get(queue)?.wake();
      };
      const handled = handlingNow(settled);
      if (!handled) return { statements, settled: wakeHere };
      statements.push(jobCompletionSql(handled.queue, await prepare(handled.queue), handled.jobId, param, guard));
      return {
        statements,
        settled: () => {
          handled.completedInTransaction = true;
          wakeHere();
        },
      };
    },
    consume,
    async idle() {
      if (seen.size > 0) await start();
      while ((await outstanding()) > 0) await new Promise((resolve) => setTimeout(resolve, 100));
    },
    async close() {
      if (closed) return;
      closed = true;
      const stopping = Promise.all([...loops.values()].map((loop) => loop.stop()));
      let timer: NodeJS.Timeout | undefined;
      const timedOut = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), closeTimeoutMs)));
      // Past the timeout, jobs still running stay active and expire back to their queues.
      if ((await Promise.race([stopping, timedOut])) === 'timeout') {
        report('close', `handlers still running after ${closeTimeoutMs} ms; their jobs will expire back to their queues`);
        for (const loop of loops.values()) loop.abandon();
      }
      clearTimeout(timer);
      loops.clear();
      await listener?.close();
      if (starting) await starting.catch(() => {});
      if (starting) await boss.stop({ graceful: true, wait: true }).catch((error: unknown) => report('stopping pg-boss', error));
      if (ownPool) await pool.end();
    },
  };
}
