/**
 * The context of a Lambda function: the cold start, begun when the module loads (Lambda's init
 * phase) from the function's environment, and kept for the life of the process. A cold start
 * that fails is begun again by the next invocation. Its logs are Powertools Logger's JSON lines,
 * its metrics EMF lines on standard output (see the telemetry in cold-start.ts).
 */
import type { FlowSource } from '../../core/flow-module.js';
import { createPowertoolsLogger } from '../../observability/powertools-logger.js';
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
  const settings = readAwsSettings(process.env);
  // A consumer's function handles that consumer only (so it reads the secret only if it declares
  // one); the schedule's function, which has no DATAFLOW_CONSUMER, handles none.
  const consumer = process.env[AWS_RUNTIME_ENV.consumer];
  const ready = coldStart(settings, {
    consumers: consumer ? [consumer] : [],
    log: (secrets) => createPowertoolsLogger({ level: level as 'info', service: settings.names.prefix, secrets }),
    source: bundled,
  });
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
