/**
 * Makes workers fail on purpose, from the test kit only: each worker's handler is wrapped once,
 * when the test runtime is made, and fails while a test has asked it to. Production code has no
 * hook for this.
 */
import { RetryableError } from '../core/errors.js';
import type { Flow } from '../core/flow.js';

export interface FailWorkerOptions {
  /** How many of the next handlings fail. @defaultValue Infinity (until the attempts run out) */
  times?: number;
  /**
   * What the handler throws: a {@link RetryableError} is retried with backoff, a `NonRetriableError`
   * is dead-lettered at once. @defaultValue a RetryableError naming the worker and the failure's number
   */
  error?: Error | ((failure: number) => Error);
}

export interface FailingWorkers {
  /** The flow with every worker's handler wrapped. */
  flow: Flow;
  fail(worker: string, options?: FailWorkerOptions): void;
}

export function failingWorkers(flow: Flow): FailingWorkers {
  const plans = new Map<string, { left: number; failures: number; error?: FailWorkerOptions['error'] }>();
  const workers = flow.workers.map((worker) => ({
    ...worker,
    async handle(message: never, context: Parameters<typeof worker.handle>[1]) {
      const plan = plans.get(worker.name);
      if (plan && plan.left > 0) {
        plan.left--;
        const failure = ++plan.failures;
        const error = plan.error ?? ((n: number) => new RetryableError(`${worker.name} fails on purpose (failure ${n})`));
        throw typeof error === 'function' ? error(failure) : error;
      }
      return worker.handle(message, context);
    },
  }));
  return {
    flow: { ...flow, workers },
    fail(name, { times = Number.POSITIVE_INFINITY, error } = {}) {
      if (!flow.workers.some((w) => w.name === name)) {
        throw new Error(`failWorker: flow ${flow.name} has no worker named ${JSON.stringify(name)}; it has ${flow.workers.map((w) => w.name).join(', ')}`);
      }
      if (!(times >= 0) || (!Number.isInteger(times) && times !== Number.POSITIVE_INFINITY)) {
        throw new Error(`failWorker: times must be a whole number, 0 or more, or Infinity, got ${times}`);
      }
      plans.set(name, { left: times, failures: 0, error });
    },
  };
}
