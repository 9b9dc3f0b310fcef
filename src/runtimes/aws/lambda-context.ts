/**
 * The context of a Lambda function: the cold start, begun when the module loads (Lambda's init
 * phase) from the function's environment, and kept for the life of the process. A cold start
 * that fails is begun again by the next invocation. Its logs are Powertools Logger's JSON lines,
 * its metrics EMF lines on standard output (see the telemetry in cold-start.ts).
 */
import { createPowertoolsLogger } from '../../observability/powertools-logger.js';
import { coldStart, type AwsContext } from './cold-start.js';
import { readAwsSettings } from './settings.js';

let started: Promise<AwsContext> | undefined;

function begin(): Promise<AwsContext> {
  const level = process.env.DATAFLOW_LOG_LEVEL || 'info';
  const settings = readAwsSettings(process.env);
  const ready = coldStart(settings, { log: (secrets) => createPowertoolsLogger({ level: level as 'info', service: settings.names.prefix, secrets }) });
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
