/**
 * Turns one outcome per record into the partial batch response the event source mapping reads
 * (`ReportBatchItemFailures`): `ack` and `dead` succeed, so the mapping deletes them (the core
 * has recorded a dead letter with its reason already); `retry` is reported failed after its
 * visibility timeout is set to the delay (see `./visibility.ts`); `failed` (a handler that threw)
 * is reported failed as it is, and comes back after the queue's own visibility timeout.
 *
 * Powertools' BatchProcessor builds the same response from records whose handler throws; here
 * the outcomes are values, decided for the batch as a whole, and a failure carries a delay, so
 * this is the part it has no equivalent for. Its record handler runs each record on its own and
 * fails it by throwing; the processor takes the batch at once (what the whole batch caused goes
 * out in one send per queue, copies of one message id run in turn, and a handled record whose
 * caused messages were not sent is failed after the fact). Fitting it in would mean a batch of one
 * per record, or throwing for outcomes the processor has already decided, for the ten lines below.
 */
import type { SQSBatchResponse, SQSEvent } from './sqs-event.js';
import type { Logger } from '../../core/logger.js';
import type { Outcome } from '../../ports/transport.js';
import type { RetryLater, Visibility } from './visibility.js';

export type RecordOutcome = Outcome | { kind: 'failed' };

export async function batchResponseOf(event: SQSEvent, outcomes: RecordOutcome[], visibility: Visibility, log?: Logger): Promise<SQSBatchResponse> {
  if (outcomes.length !== event.Records.length) throw new Error(`${outcomes.length} outcomes for a batch of ${event.Records.length} records`);
  const retries: RetryLater[] = [];
  const failed: string[] = [];
  event.Records.forEach((record, index) => {
    const outcome = outcomes[index]!;
    if (outcome.kind === 'retry') retries.push({ record, delayMs: outcome.delayMs });
    if (outcome.kind === 'retry' || outcome.kind === 'failed') failed.push(record.messageId);
  });
  if (retries.length > 0) {
    try {
      const unchanged = await visibility.retryLater(retries);
      if (unchanged.length > 0) log?.warn({ messageIds: unchanged }, 'SQS did not change the visibility of some retried messages: they come back after the queue\'s visibility timeout');
    } catch (error) {
      log?.warn({ reason: (error as Error).message }, 'could not set the retry delays: the messages come back after the queue\'s visibility timeout');
    }
  }
  return { batchItemFailures: failed.map((itemIdentifier) => ({ itemIdentifier })) };
}
