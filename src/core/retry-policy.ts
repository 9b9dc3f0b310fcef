/**
 * How long a consumer keeps trying a message that fails in a way that may pass (a mail server or a
 * map server that is down), before it is dead-lettered.
 *
 * The defaults ride out an outage of minutes, as SQS and Lambda do: a failing message is tried 12
 * times, with exponential backoff from 1 s capped at 5 minutes and jittered between half and the
 * whole of each step, so it is dead-lettered 9 to 18 minutes after it first failed.
 *
 * A policy comes from, each overriding the one before: these defaults, the worker's (or the
 * mediator's) definition, the runtime's `retry` option for every consumer, and its `perConsumer`
 * entry for that consumer (the CLI fills those two from `DATAFLOW_RETRY`).
 */

export interface RetryPolicy {
  /** Tries before the message is dead-lettered, the first one included. @defaultValue 12 */
  maxAttempts: number;
  /** The wait after the first failure; it doubles after each. @defaultValue 1000 */
  baseDelayMs: number;
  /** The longest wait between two tries, also for a `RetryableError`'s own `retryAfterMs`. @defaultValue 300000 */
  maxDelayMs: number;
}

export const defaultRetryPolicy = { maxAttempts: 12, baseDelayMs: 1000, maxDelayMs: 300_000 } satisfies RetryPolicy;

/** What a runtime changes in its consumers' policies: for all of them, and per consumer by name. */
export type RetryOverrides = Partial<RetryPolicy> & {
  /** Per consumer (a worker's or the mediator's name); beats the values for all. */
  perConsumer?: Record<string, Partial<RetryPolicy>>;
};

/** The policy a consumer runs with; throws naming the field and the consumer when a value is unusable. */
export function resolveRetryPolicy(consumer: string, ...layers: (Partial<RetryPolicy> | undefined)[]): RetryPolicy {
  const policy: RetryPolicy = { ...defaultRetryPolicy };
  for (const layer of layers) {
    for (const key of Object.keys(defaultRetryPolicy) as (keyof RetryPolicy)[]) {
      if (layer?.[key] !== undefined) policy[key] = layer[key];
    }
  }
  const problem = (field: keyof RetryPolicy, what: string) => new Error(`retry policy of ${consumer}: ${field} must be ${what}, got ${JSON.stringify(policy[field])}`);
  if (!Number.isInteger(policy.maxAttempts) || policy.maxAttempts < 1) throw problem('maxAttempts', 'a whole number of at least 1');
  if (!Number.isFinite(policy.baseDelayMs) || policy.baseDelayMs < 0) throw problem('baseDelayMs', 'a number of milliseconds, 0 or more');
  if (!Number.isFinite(policy.maxDelayMs) || policy.maxDelayMs < policy.baseDelayMs) throw problem('maxDelayMs', `a number of milliseconds, at least baseDelayMs (${policy.baseDelayMs})`);
  return policy;
}

/** The wait after failed attempt `attempt` (1 for the first): exponential, capped, jittered. */
export function backoffMs(policy: RetryPolicy, attempt: number): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.min(attempt - 1, 52));
  return Math.round(ceiling / 2 + (Math.random() * ceiling) / 2);
}
