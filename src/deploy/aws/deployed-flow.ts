/**
 * What a stack needs to know of a flow, read from it once at synthesis: its name, its consumers
 * (each gets a function, a queue and a dead-letter queue) and its schedule's cron. Plain data, so a
 * CDK app can also write it by hand.
 */
import type { Flow } from '../../core/flow.js';

export interface DeployedConsumer {
  /** The mediator's name or a worker's: the queue's and the function's. */
  name: string;
  /** Deliveries handled at once: the event source's batch size and the least of its maximum concurrency. */
  concurrency: number;
  /** The retry policy's attempts, from which the dead-letter queue's maxReceiveCount follows. */
  retry: { maxAttempts: number };
  /** How long one handling may take. */
  timeoutMs: number;
}

export interface DeployedFlow {
  name: string;
  consumers: DeployedConsumer[];
  /** The flow's cron expression (UTC), when it has a schedule. */
  schedule?: { cron: string };
}

export function describeFlow(flow: Flow): DeployedFlow {
  return {
    name: flow.name,
    consumers: flow.consumers().map(({ name, concurrency, retry, timeoutMs }) => ({ name, concurrency, retry: { maxAttempts: retry.maxAttempts }, timeoutMs })),
    ...(flow.schedule ? { schedule: { cron: flow.schedule.cron } } : {}),
  };
}
