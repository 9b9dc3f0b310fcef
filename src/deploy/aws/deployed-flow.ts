/**
 * What a stack needs to know of a flow, read from it once at synthesis: its name, its consumers
 * (each gets a function, a queue and a dead-letter queue) and its schedule's cron. Plain data, so a
 * CDK app can also write it by hand.
 */
import type { Flow } from '../../core/flow.js';
import { functionPermissions, type FunctionPermissions } from './permissions.js';

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
  /** What each function's role allows: each consumer's, and the schedule's (permissions.ts). */
  permissions: FunctionPermissions[];
}

export interface DescribeOptions {
  /** The SES identity mail goes from: the only one a consumer that sends mail may send as. */
  sesFrom?: string;
}

/** Throws naming what is missing, e.g. the SES identity of a flow that sends mail. */
export function describeFlow(flow: Flow, options: DescribeOptions = {}): DeployedFlow {
  return {
    name: flow.name,
    consumers: flow.consumers().map(({ name, concurrency, retry, timeoutMs }) => ({ name, concurrency, retry: { maxAttempts: retry.maxAttempts }, timeoutMs })),
    ...(flow.schedule ? { schedule: { cron: flow.schedule.cron } } : {}),
    // The stack keeps the secret in Secrets Manager: CloudFormation cannot make an SSM SecureString.
    permissions: functionPermissions(flow, { secretStore: 'secretsmanager', mailIdentity: options.sesFrom }),
  };
}
