/**
 * `DATAFLOW_RETRY`: retry policies set by whoever runs the flow, without editing its code.
 * Comma-separated `field=value` pairs for every consumer, or `<consumer>.field=value` for one:
 *
 *   DATAFLOW_RETRY=maxAttempts=20,maxDelayMs=600000,email-sender.maxAttempts=40
 */
import { defaultRetryPolicy, type RetryOverrides, type RetryPolicy } from '../core/retry-policy.js';
import { runtimeEnv } from '../runtimes/env.js';

const fields = Object.keys(defaultRetryPolicy) as (keyof RetryPolicy)[];

export function parseRetrySetting(text: string | undefined): RetryOverrides | undefined {
  if (!text?.trim()) return undefined;
  const overrides: RetryOverrides = {};
  for (const pair of text.split(',')) {
    const match = /^\s*(?:([a-z0-9][a-z0-9-]*)\.)?([A-Za-z]+)\s*=\s*([^\s]+)\s*$/.exec(pair);
    const field = match?.[2] as keyof RetryPolicy | undefined;
    const value = Number(match?.[3]);
    if (!match || !fields.includes(field!) || !Number.isFinite(value)) {
      throw new Error(
        `${runtimeEnv.retry} must be comma-separated field=number pairs, each field one of ${fields.join(', ')}, optionally after a consumer's name and a dot (email-sender.maxAttempts=40); got ${JSON.stringify(pair.trim())}`,
      );
    }
    const consumer = match[1];
    const target = consumer ? ((overrides.perConsumer ??= {})[consumer] ??= {}) : overrides;
    target[field!] = value;
  }
  return overrides;
}
