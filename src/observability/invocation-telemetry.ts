/**
 * What a handler does around each invocation for its logs and metrics: tells the logger the
 * Lambda context (when there is one: the local host passes none), gathers the invocation's
 * metrics from the runtime's events, and writes them as EMF when it ends, thrown or not.
 */
import type { FlowEvent } from '../core/events.js';
import type { Logger } from '../core/logger.js';
import type { EmfDestination } from './emf-destination.js';
import { emfWriter } from './emf-destination.js';
import { createEmfMetrics } from './emf-metrics.js';
import type { LambdaInvocationContext, LambdaLogger } from './powertools-logger.js';

export interface InvocationTelemetry {
  /** Feed it the runtime's events. */
  listen(event: FlowEvent): void;
  /** Runs one invocation of a handler. */
  around<T>(context: LambdaInvocationContext | undefined, run: () => Promise<T>): Promise<T>;
}

export interface InvocationTelemetryOptions {
  /** The deployment's prefix: the metrics' `service` dimension. */
  service: string;
  /** Where EMF lines go. @defaultValue nowhere: no metrics */
  emf?: EmfDestination;
  /** Scrubs known secrets from each EMF line. */
  redact: (text: string) => string;
  /** A logger that can take the Lambda context ({@link LambdaLogger}) is told each invocation's. */
  log: Logger & Partial<Pick<LambdaLogger, 'addContext'>>;
}

export function invocationTelemetry(options: InvocationTelemetryOptions): InvocationTelemetry {
  const { log, redact } = options;
  const metrics = options.emf ? createEmfMetrics({ service: options.service, write: emfWriter(options.emf), redact, log }) : undefined;
  return {
    listen: (event) => metrics?.listen(event),
    async around(context, run) {
      if (context) log.addContext?.(context);
      return metrics ? metrics.around({ requestId: context?.awsRequestId }, run) : run();
    },
  };
}
