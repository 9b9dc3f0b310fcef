/**
 * Sending to a consumer's SQS queue: SendMessageBatch, at most 10 messages and 256 KiB a call.
 * A message over the limit is refused before anything is sent, naming it. Entries SQS fails for
 * its own reasons are sent again (three tries); one it refuses for the sender's fault is an error
 * naming the message and SQS's code.
 *
 * A delay (`delayMs`) becomes DelaySeconds: rounded up to whole seconds and at most 15 minutes,
 * SQS's limit; a longer wait belongs to a retry's visibility timeout (up to 12 hours) instead.
 */
import { SendMessageBatchCommand, type SendMessageBatchRequestEntry, type SQSClient } from '@aws-sdk/client-sqs';
import type { Delivery } from '../../ports/transport.js';
import { MAX_MESSAGE_BYTES, describeMessage, outgoingMessage, type OutgoingMessage } from './message-body.js';
import { queueNameOf, type QueueUrls } from './queue-names.js';

export const MAX_DELAY_SECONDS = 15 * 60;
const BATCH_ENTRIES = 10;
const TRIES = 3;

export interface SqsSenderOptions {
  client: SQSClient;
  prefix: string;
  urls: QueueUrls;
  /** @defaultValue 262144 (256 KiB) */
  maxMessageBytes?: number;
}

export interface SendOptions {
  /** Held back this long before the first delivery; rounded up to seconds, at most 15 minutes. @defaultValue 0 */
  delayMs?: number;
}

export interface SqsSender {
  /** Sends to the queue of the consumer `queue` (`<prefix>-<queue>`). */
  send(queue: string, deliveries: Delivery[], options?: SendOptions): Promise<void>;
}

export function delaySecondsOf(delayMs: number | undefined): number {
  if (delayMs === undefined || !(delayMs > 0)) return 0;
  return Math.min(MAX_DELAY_SECONDS, Math.ceil(delayMs / 1000));
}

export function sqsSender(options: SqsSenderOptions): SqsSender {
  const { client, prefix, urls } = options;
  const limit = options.maxMessageBytes ?? MAX_MESSAGE_BYTES;

  const sendBatch = async (queueUrl: string, queueName: string, batch: { delivery: Delivery; outgoing: OutgoingMessage }[], delaySeconds: number) => {
    let pending = batch.map((item, index) => ({ ...item, id: String(index) }));
    for (let tryNumber = 1; pending.length > 0; tryNumber++) {
      const entries: SendMessageBatchRequestEntry[] = pending.map(({ id, outgoing }) => ({
        Id: id,
        MessageBody: outgoing.body,
        MessageAttributes: Object.keys(outgoing.attributes).length > 0 ? outgoing.attributes : undefined,
        DelaySeconds: delaySeconds || undefined,
      }));
      const { Failed = [] } = await client.send(new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries: entries }));
      if (Failed.length === 0) return;
      const refused = Failed.find((failure) => failure.SenderFault);
      const last = tryNumber >= TRIES;
      if (refused || last) {
        const failure = refused ?? Failed[0]!;
        const message = pending.find((item) => item.id === failure.Id)?.delivery.message;
        throw new Error(`SQS did not take ${describeMessage(message)} for queue ${queueName}${last && !refused ? ` after ${TRIES} tries` : ''}: ${failure.Code}: ${failure.Message ?? ''}`.trim());
      }
      const failed = new Set(Failed.map((failure) => failure.Id));
      pending = pending.filter((item) => failed.has(item.id));
      await new Promise((resolve) => setTimeout(resolve, 50 * 2 ** tryNumber));
    }
  };

  return {
    async send(queue, deliveries, sendOptions = {}) {
      if (deliveries.length === 0) return;
      const queueName = queueNameOf(prefix, queue);
      const items = deliveries.map((delivery) => ({ delivery, outgoing: outgoingMessage(delivery) }));
      for (const { delivery, outgoing } of items) {
        if (outgoing.bytes > limit) {
          throw new Error(`${describeMessage(delivery.message)} for queue ${queueName} is ${outgoing.bytes} bytes, over SQS's limit of ${limit}: keep large data in the blob store and send its location`);
        }
      }
      const batches: (typeof items)[] = [];
      let current: typeof items = [];
      let bytes = 0;
      for (const item of items) {
        if (current.length === BATCH_ENTRIES || bytes + item.outgoing.bytes > limit) {
          batches.push(current);
          current = [];
          bytes = 0;
        }
        current.push(item);
        bytes += item.outgoing.bytes;
      }
      batches.push(current);
      const queueUrl = await urls.urlOf(queueName);
      const delaySeconds = delaySecondsOf(sendOptions.delayMs);
      await Promise.all(batches.map((batch) => sendBatch(queueUrl, queueName, batch, delaySeconds)));
    },
  };
}
