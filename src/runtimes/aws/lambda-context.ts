/**
 * The context of a Lambda function: the cold start, begun when the module loads (Lambda's init
 * phase) from the function's environment, and kept for the life of the process. A cold start
 * that fails is begun again by the next invocation.
 */
import type { FlowSource } from '../../core/flow-module.js';
import { createLogger } from '../../observability/logger.js';
import { coldStart, type AwsContext } from './cold-start.js';
import { AWS_RUNTIME_ENV, readAwsSettings } from './settings.js';

let started: Promise<AwsContext> | undefined;
let bundled: FlowSource | undefined;

/**
 * A deployment's bundle imports its flow module statically and hands its export here before the
 * handler's module loads: the cold start then runs that flow, and DATAFLOW_FLOW is not read.
 */
export function useBundledFlow(source: FlowSource): void {
  bundled = source;
}

function begin(): Promise<AwsContext> {
  const level = process.env.DATAFLOW_LOG_LEVEL || 'info';
  // A consumer's function handles that consumer only (so it reads the secret only if it declares
  // one); the schedule's function, which has no DATAFLOW_CONSUMER, handles none.
  const consumer = process.env[AWS_RUNTIME_ENV.consumer];
  const ready = coldStart(readAwsSettings(process.env), { consumers: consumer ? [consumer] : [], log: (secrets) => createLogger({ level: level as 'info', secrets }), source: bundled });
  ready.catch(() => started === ready && (started = undefined));
  return ready;
}

export function lambdaContext(): Promise<AwsContext> {
  started ??= begin();
  return started;
}

/** Starts the cold start at once, so it overlaps Lambda's init phase; errors surface on the first call. */
export function beginColdStart(): void {
  void lambdaContext().catch(() => {});
}
