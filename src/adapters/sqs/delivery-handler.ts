/**
 * Batch handlers, in the shape a Lambda function fed by SQS has: each record becomes a delivery
 * (its attempt from ApproximateReceiveCount), each outcome becomes part of the partial batch
 * response (see `./batch-response.ts`).
 *
 * - {@link batchHandlerOf} takes a function that decides a whole batch, one outcome per delivery
 *   in order, as a processor with a batch API does: a Lambda handler is this and no more.
 * - {@link deliveryBatchHandler} takes a per-delivery handler (the Transport port's). Copies of
 *   one message id never run at once in this process: a copy waits until the one before it has
 *   ended (and the core then drops it as a duplicate).
 */
import type { SQSBatchResponse, SQSEvent, SQSRecord } from './sqs-event.js';
import type { Logger } from '../../core/logger.js';
import type { Delivery, DeliveryHandler, Outcome } from '../../ports/transport.js';
import { batchResponseOf, type RecordOutcome } from './batch-response.js';
import { deliveryOf, messageIdOf } from './message-body.js';
import type { Visibility } from './visibility.js';

export type SqsBatchHandler = (event: SQSEvent) => Promise<SQSBatchResponse | void>;

/** A throw from `decide` fails the whole batch, as a Lambda invocation that throws does. */
export function batchHandlerOf(decide: (deliveries: Delivery[]) => Promise<Outcome[]>, visibility: Visibility, log?: Logger): SqsBatchHandler {
  return async (event) => batchResponseOf(event, await decide(event.Records.map(deliveryOf)), visibility, log);
}

export function deliveryBatchHandler(handler: DeliveryHandler, visibility: Visibility, log?: Logger): SqsBatchHandler {
  /** The last run of each message id in this process; a copy chains after it. */
  const runs = new Map<string, Promise<unknown>>();

  const runRecord = async (record: SQSRecord): Promise<RecordOutcome> => {
    const delivery = deliveryOf(record);
    const id = messageIdOf(delivery);
    const before = id === undefined ? undefined : runs.get(id);
    const run: Promise<RecordOutcome> = (before ?? Promise.resolve())
      .then(() => handler(delivery))
      .catch((error: unknown): RecordOutcome => {
        // A handler answers with an outcome; a throw is a bug, so leave the message to come back.
        log?.warn({ messageId: record.messageId, reason: (error as Error)?.message ?? String(error) }, 'the delivery handler threw');
        return { kind: 'failed' };
      });
    if (id !== undefined) {
      runs.set(id, run);
      void run.finally(() => runs.get(id) === run && runs.delete(id));
    }
    return run;
  };

  return async (event) => batchResponseOf(event, await Promise.all(event.Records.map(runRecord)), visibility, log);
}
