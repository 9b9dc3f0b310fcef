/**
 * The handlers a deployment runs, the same ones `dataflow run --runtime aws` hosts:
 *
 * - {@link consumerHandler}: one per consumer (the mediator, each worker), fed by its SQS queue
 *   through the event source mapping (with `ReportBatchItemFailures`). The batch goes to the
 *   processor whole; `retry` outcomes come back as `batchItemFailures` after their visibility
 *   timeout is set to the backoff's delay; `dead` ones were recorded with their reason and are
 *   deleted; a throw fails the batch, which comes back (and, past maxReceiveCount, SQS moves it
 *   to the dead-letter queue).
 * - {@link scheduleHandler}: fired by an EventBridge rule on the flow's cron; accepts and sends
 *   the inputs of that tick (`schedule.inputs(time)`). An input without an id of its own gets one
 *   derived from the rule and the tick's time, so the same event delivered twice (EventBridge
 *   and Lambda's asynchronous retries are at least once) records and sends nothing twice.
 *
 * Both take the context lazily: the first call waits for the cold start, the others reuse it.
 * Each invocation runs inside the context's telemetry: Lambda's context object (the second
 * argument; the local host passes none) goes to the logs, and the invocation's metrics are
 * written as EMF when it ends, also when it throws.
 */
import { batchHandlerOf, type SqsBatchHandler } from '../../adapters/sqs/delivery-handler.js';
import type { SQSBatchResponse, SQSEvent } from '../../adapters/sqs/sqs-event.js';
import { derivedId } from '../../core/ids.js';
import type { Rejected } from '../../core/processor.js';
import type { LambdaInvocationContext } from '../../observability/powertools-logger.js';
import type { AwsContext } from './cold-start.js';

export type ContextSource = () => Promise<AwsContext>;

export interface ConsumerHandlerOptions {
  /** Deliveries of one batch handled at once. @defaultValue the consumer's concurrency */
  concurrency?: number;
}

export function consumerHandler(
  consumer: string,
  context: ContextSource,
  options: ConsumerHandlerOptions = {},
): (event: SQSEvent, lambda?: LambdaInvocationContext) => Promise<SQSBatchResponse> {
  let built: Promise<{ ctx: AwsContext; handle: SqsBatchHandler }> | undefined;
  const build = async () => {
    const ctx = await context();
    const names = ctx.provided.flow.consumers().map((c) => c.name);
    if (!names.includes(consumer)) throw new Error(`the flow ${ctx.provided.flow.name} has no consumer ${JSON.stringify(consumer)}; its consumers are ${names.join(', ')}`);
    const log = ctx.log.child({ consumer });
    const handle = batchHandlerOf(
      async (deliveries) => (await ctx.processor.processBatch(consumer, deliveries, { concurrency: options.concurrency })).map((result) => result.outcome),
      ctx.visibility,
      log,
    );
    return { ctx, handle };
  };
  return async (event, lambda) => {
    built ??= build();
    built.catch(() => (built = undefined)); // a failed cold start is tried again on the next event
    const { ctx, handle } = await built;
    return (await ctx.telemetry.around(lambda, () => handle(event))) as SQSBatchResponse;
  };
}

/** The EventBridge event of a scheduled rule; only `time` is read. */
export interface ScheduledEvent {
  time?: string;
  [field: string]: unknown;
}

export interface ScheduleResult {
  accepted: string[];
  rejected: Rejected[];
}

export function scheduleHandler(context: ContextSource): (event: ScheduledEvent, lambda?: LambdaInvocationContext) => Promise<ScheduleResult> {
  return async (event, lambda) => {
    const ctx = await context();
    return ctx.telemetry.around(lambda, () => scheduled(ctx, event));
  };
}

async function scheduled(ctx: AwsContext, event: ScheduledEvent): Promise<ScheduleResult> {
  const { schedule, name } = ctx.provided.flow;
  if (!schedule) throw new Error(`the flow ${name} has no schedule: no EventBridge rule should fire this handler`);
  const time = event?.time === undefined ? Date.now() : Date.parse(event.time);
  if (!Number.isFinite(time)) throw new Error(`the scheduled event's time ${JSON.stringify(event.time)} is no date`);
  const tick = `schedule:${JSON.stringify(event?.resources ?? [])}:${time}`;
  const inputs = schedule.inputs(time).map((input, index) => (isObject(input) && input.id === undefined ? { ...input, id: derivedId(tick, index) } : input));
  const { accepted, rejected } = await ctx.processor.accept(inputs);
  for (const r of rejected) ctx.log.warn({ id: r.id, reason: r.reason }, 'a scheduled input was rejected (kept as a dead letter)');
  return { accepted: accepted.map((m) => m.id), rejected };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
