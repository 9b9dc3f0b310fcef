/**
 * A retry's delay on SQS: the message stays in its queue and its visibility timeout is set to
 * the delay, so it comes back then, its receive count one higher. A handler does this itself,
 * with the record's receipt handle, before it reports the record in `batchItemFailures`: that is
 * what works under AWS's own event source mapping, which only leaves failed records alone.
 *
 * Visibility is whole seconds: a delay is rounded up. SQS allows at most 12 hours from the
 * receive; a batch may have held its records for up to 15 minutes (Lambda's longest run), so a
 * delay is capped at 12 hours less those 15 minutes.
 */
import { ChangeMessageVisibilityBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { SQSRecord } from './sqs-event.js';
import type { QueueUrls } from './queue-names.js';

export const MAX_RETRY_DELAY_SECONDS = 12 * 3600 - 15 * 60;
const BATCH_ENTRIES = 10;

export function visibilitySecondsOf(delayMs: number): number {
  if (!(delayMs > 0)) return 0;
  return Math.min(MAX_RETRY_DELAY_SECONDS, Math.ceil(delayMs / 1000));
}

export interface RetryLater {
  record: SQSRecord;
  delayMs: number;
}

export interface Visibility {
  /** Sets each record's visibility timeout to its delay; resolves to the message ids SQS did not change. */
  retryLater(retries: RetryLater[]): Promise<string[]>;
}

export function sqsVisibility(client: SQSClient, urls: QueueUrls): Visibility {
  return {
    async retryLater(retries) {
      const byQueue = new Map<string, RetryLater[]>();
      for (const retry of retries) byQueue.set(retry.record.eventSourceARN, [...(byQueue.get(retry.record.eventSourceARN) ?? []), retry]);
      const unchanged: string[] = [];
      for (const [arn, queueRetries] of byQueue) {
        const queueUrl = await urls.urlOfArn(arn);
        for (let start = 0; start < queueRetries.length; start += BATCH_ENTRIES) {
          const chunk = queueRetries.slice(start, start + BATCH_ENTRIES);
          const { Failed = [] } = await client.send(
            new ChangeMessageVisibilityBatchCommand({
              QueueUrl: queueUrl,
              Entries: chunk.map(({ record, delayMs }, index) => ({ Id: String(index), ReceiptHandle: record.receiptHandle, VisibilityTimeout: visibilitySecondsOf(delayMs) })),
            }),
          );
          for (const failure of Failed) unchanged.push(chunk[Number(failure.Id)]!.record.messageId);
        }
      }
      return unchanged;
    },
  };
}
