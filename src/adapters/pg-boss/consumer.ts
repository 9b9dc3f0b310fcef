/**
 * One queue's consumer in this process: a fetch loop that keeps at most `concurrency` jobs of the
 * queue in hand, runs the handler on each, and carries out its outcome.
 *
 * pg-boss 10's `work()` runs one batch at a time and waits for the whole batch before fetching
 * again, so it cannot keep `concurrency` handlers busy; this loop fetches only as many jobs as it
 * has free slots (with a backlog, once half of them are: see `backlog`), whenever a slot frees up, a job is queued (a send here, a notification from any
 * process: see `./job-notifications.ts`) or a retry's delay wakes it, or the polling
 * interval passes. Copies of one message id are handed to the handler like any other jobs: the
 * core's processor runs them one after the other (a copy waiting its turn keeps its slot).
 *
 * While it holds jobs, it renews their leases every `renewEveryMs`, so no other process takes
 * over a job whose handler is still running, however long it runs.
 */
import { wakeUp } from './wake-up.js';
import type { Delivery, Outcome } from '../../ports/transport.js';
import { deliveryOf, type DeliveryData } from './jobs.js';
import type { FetchedJob } from './job-sql.js';

export type DeliveryJob = FetchedJob<DeliveryData>;

export interface ConsumerLoopOptions {
  queue: string;
  concurrency: number;
  pollingMs: number;
  /** Runs the handler on the job's delivery. */
  handler(delivery: Delivery, job: DeliveryJob): Promise<Outcome>;
  /** Readies the queue; the loop tries again after the polling interval when it throws. */
  prepare(): Promise<void>;
  fetch(batchSize: number): Promise<DeliveryJob[]>;
  /** Carries out the handler's outcome for the job. */
  settle(job: DeliveryJob, delivery: Delivery, outcome: Outcome): Promise<void>;
  /** The handler threw: hands the job back to pg-boss to retry. */
  fail(job: DeliveryJob, error: unknown): Promise<void>;
  report(doing: string, error: unknown): void;
  /** Renews the leases of these jobs, all of this queue and in hand. */
  renew(jobIds: string[]): Promise<void>;
  renewEveryMs: number;
}

export interface ConsumerLoop {
  /** Fetches again now, or after `afterMs` (a retry's delay). */
  wake(afterMs?: number): void;
  /** Fetches no more; resolves once every job in hand has run and been settled. */
  stop(): Promise<void>;
  /** Stops renewing leases: for a process that gives up waiting for its handlers. */
  abandon(): void;
  /** Jobs in hand: running, or about to. */
  inHand(): number;
}

export function startConsumerLoop(options: ConsumerLoopOptions): ConsumerLoop {
  const { concurrency, handler } = options;
  let stopped = false;
  let running = 0;
  /** Every job in hand: the ones whose leases are renewed. */
  const inHand = new Set<DeliveryJob>();
  const timers = new Set<NodeJS.Timeout>();
  let drainWaiters: (() => void)[] = [];
  const { wake, rest, sleep } = wakeUp(() => stopped);

  const checkDrained = () => {
    if (running > 0) return;
    const waiters = drainWaiters;
    drainWaiters = [];
    for (const resolve of waiters) resolve();
  };

  let renewing = false;
  const renewal = setInterval(() => {
    if (renewing || inHand.size === 0) return; // one renewal at a time; a slow database skips a beat
    renewing = true;
    options
      .renew([...inHand].map((job) => job.id))
      .catch((error: unknown) => options.report(`could not renew the leases of jobs of queue ${options.queue}`, error))
      .finally(() => (renewing = false));
  }, options.renewEveryMs);
  renewal.unref();

  const admit = (job: DeliveryJob) => {
    inHand.add(job);
    void run(job);
  };

  const run = async (job: DeliveryJob) => {
    running++;
    const delivery = deliveryOf(job);
    try {
      let outcome: Outcome;
      try {
        outcome = await handler(delivery, job);
      } catch (error) {
        // A handler answers with an outcome; a throw is a bug in the runtime, not the message.
        options.report(`handler threw on a job of queue ${options.queue}`, error);
        await options.fail(job, error);
        return;
      }
      await options.settle(job, delivery, outcome);
    } catch (error) {
      // The job stays active; it expires back to the queue and is delivered again.
      options.report(`could not settle a job of queue ${options.queue}`, error);
    } finally {
      running--;
      inHand.delete(job);
      wake();
      checkDrained();
    }
  };

  /**
   * Set while the last fetch came back full (the queue has a backlog): the next one then waits
   * until half the slots are free and takes them in one statement, rather than one statement per
   * job as each ends. A queue drained (a fetch came back short) is fetched from on any free slot,
   * so a job queued then starts at once.
   */
  let backlog = false;
  const batchSize = Math.ceil(concurrency / 2);

  const loop = async () => {
    let prepared = false;
    while (!stopped) {
      rest();
      let full = false;
      try {
        if (!prepared) {
          await options.prepare();
          prepared = true;
        }
        const free = concurrency - running;
        if (free >= (backlog ? batchSize : 1)) {
          const jobs = await options.fetch(free);
          for (const job of jobs) admit(job); // even when stopping: fetched, so ours to run
          full = jobs.length === free;
          backlog = full;
        }
      } catch (error) {
        options.report(`could not fetch from queue ${options.queue}`, error);
      }
      if (!full) await sleep(options.pollingMs);
    }
  };

  const looping = loop();

  return {
    wake(afterMs) {
      if (stopped) return;
      if (!afterMs || afterMs <= 0) return wake();
      const timer = setTimeout(() => {
        timers.delete(timer);
        wake();
      }, afterMs);
      timer.unref();
      timers.add(timer);
    },
    async stop() {
      stopped = true;
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      wake();
      await looping;
      if (running > 0) await new Promise<void>((resolve) => drainWaiters.push(resolve));
      clearInterval(renewal);
    },
    abandon() {
      // What still runs keeps running, but its jobs are left to expire to another process.
      clearInterval(renewal);
    },
    inHand: () => inHand.size,
  };
}
