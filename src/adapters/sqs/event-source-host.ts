/**
 * The Lambda event source mapping for SQS, hosted in this process: what `dataflow run --runtime
 * aws` runs, so the handlers a deployment runs work locally, against moto, LocalStack or an
 * account. For each mapping it long-polls the queue, builds SQS events of up to `batchSize`
 * records, runs at most `maxConcurrency` batches at once, and settles each as AWS does
 * (https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-errorhandling.html):
 *
 * - the handler resolves: records not in `batchItemFailures` are deleted; failed ones are left
 *   alone, and come back when their visibility timeout ends (a handler that wants a delay sets
 *   it first, see `./visibility.ts`);
 * - the response names an unknown, empty or missing itemIdentifier, or the handler throws: the
 *   whole batch is left alone, as a failed invocation;
 * - a message received more than its queue's maxReceiveCount is moved to the dead-letter queue
 *   by SQS itself, not here.
 *
 * Unlike Lambda, it does not stop a handler at a timeout: a batch runs until it ends, and records
 * whose visibility timeout passes meanwhile may be delivered again (the core drops the copies).
 * `stop()` lets each long poll end (at most `waitTimeSeconds`) and hands back at once what it got.
 */
import { ChangeMessageVisibilityBatchCommand, DeleteMessageBatchCommand, GetQueueAttributesCommand, ReceiveMessageCommand, type Message, type SQSClient } from '@aws-sdk/client-sqs';
import type { SQSBatchResponse, SQSEvent } from './sqs-event.js';
import { silentLogger, type Logger } from '../../core/logger.js';
import type { SqsBatchHandler } from './delivery-handler.js';
import { recordOf, type QueueIdentity } from './event-records.js';
import { queueUrls, type QueueUrls } from './queue-names.js';

export interface EventSourceMapping {
  /** The SQS queue's name, e.g. `dataflow-gif-creator`. */
  queueName: string;
  handler: SqsBatchHandler;
  /** Records in one event, 1 to 10000. @defaultValue 10 */
  batchSize?: number;
  /** Batches handled at once (the mapping's MaximumConcurrency). @defaultValue 5, as many as Lambda starts with */
  maxConcurrency?: number;
  /** For a batch over 10 records: how long to gather it. @defaultValue 0: what one receive brings */
  maxBatchingWindowMs?: number;
}

export interface EventSourceHostOptions {
  client: SQSClient;
  urls?: QueueUrls;
  /** How long one receive waits for messages (long polling), 0 to 20. @defaultValue 20 */
  waitTimeSeconds?: number;
  /** How long to wait before polling again after a failed receive; it doubles while failures go on, up to 30 s. @defaultValue 1000 */
  pauseAfterErrorMs?: number;
  log?: Logger;
}

export interface EventSourceHost {
  /** Batches being handled or settled now, over every mapping. */
  busy(): number;
  /**
   * Stops polling, and resolves once every batch taken has been handled and settled. A long poll
   * under way is cut short: a message SQS gave it just then comes back after its visibility timeout.
   */
  stop(): Promise<void>;
}

const RECEIVE_MAX = 10;

export function hostEventSources(mappings: EventSourceMapping[], options: EventSourceHostOptions): EventSourceHost {
  const { client } = options;
  const urls = options.urls ?? queueUrls(client);
  const log = options.log ?? silentLogger;
  const waitTimeSeconds = options.waitTimeSeconds ?? 20;
  if (!Number.isInteger(waitTimeSeconds) || waitTimeSeconds < 0 || waitTimeSeconds > 20) throw new Error(`waitTimeSeconds must be a whole number from 0 to 20, got ${waitTimeSeconds}`);
  for (const mapping of mappings) checkMapping(mapping);
  const abort = new AbortController();
  const batches = new Set<Promise<void>>();
  let slotFreed: (() => void)[] = [];

  const pause = (ms: number) =>
    new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        abort.signal.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      abort.signal.addEventListener('abort', done, { once: true });
    });

  const settle = async (queueUrl: string, event: SQSEvent, response: SQSBatchResponse | void, mapLog: Logger) => {
    const failed = failedRecords(event, response);
    if (failed === 'all') {
      mapLog.warn({ response }, 'the batch response names no valid record: the whole batch is left to come back, as Lambda does');
      return;
    }
    const done = event.Records.filter((record) => !failed.has(record.messageId));
    for (let start = 0; start < done.length; start += RECEIVE_MAX) {
      const chunk = done.slice(start, start + RECEIVE_MAX);
      const { Failed = [] } = await client.send(new DeleteMessageBatchCommand({ QueueUrl: queueUrl, Entries: chunk.map((record, index) => ({ Id: String(index), ReceiptHandle: record.receiptHandle })) }));
      for (const failure of Failed) mapLog.warn({ messageId: chunk[Number(failure.Id)]?.messageId, code: failure.Code }, 'could not delete a handled message: it will be delivered again');
    }
  };

  const runBatch = (mapping: EventSourceMapping, queueUrl: string, identity: QueueIdentity, messages: Message[], mapLog: Logger, counter: { running: number }) => {
    counter.running++;
    const event: SQSEvent = { Records: messages.map((message) => recordOf(message, identity)) };
    const batch = (async () => {
      let response: SQSBatchResponse | void;
      try {
        response = await mapping.handler(event);
      } catch (error) {
        mapLog.warn({ records: event.Records.length, reason: (error as Error)?.message ?? String(error) }, 'the handler failed: its batch comes back after the visibility timeout');
        return;
      }
      await settle(queueUrl, event, response, mapLog).catch((error: unknown) => mapLog.warn({ reason: (error as Error).message }, 'could not settle a batch: its messages will be delivered again'));
    })().finally(() => {
      counter.running--;
      batches.delete(batch);
      const waiting = slotFreed;
      slotFreed = [];
      for (const resolve of waiting) resolve();
    });
    batches.add(batch);
  };

  const poll = async (mapping: EventSourceMapping) => {
    const batchSize = mapping.batchSize ?? 10;
    const maxConcurrency = mapping.maxConcurrency ?? 5;
    const windowMs = mapping.maxBatchingWindowMs ?? 0;
    const mapLog = log.child({ queue: mapping.queueName });
    const counter = { running: 0 };
    let queueUrl: string | undefined;
    let identity: QueueIdentity | undefined;
    let failures = 0;
    while (!abort.signal.aborted) {
      try {
        if (!queueUrl || !identity) {
          queueUrl = await urls.urlOf(mapping.queueName);
          const { Attributes } = await client.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }), { abortSignal: abort.signal });
          identity = { arn: Attributes!.QueueArn!, region: await client.config.region() };
        }
        while (counter.running >= maxConcurrency && !abort.signal.aborted) await new Promise<void>((resolve) => slotFreed.push(resolve));
        if (abort.signal.aborted) break;
        const free = maxConcurrency - counter.running;
        const wanted = batchSize > RECEIVE_MAX ? batchSize : Math.min(RECEIVE_MAX, free * batchSize);
        const messages = await receive(queueUrl, wanted, waitTimeSeconds, windowMs);
        failures = 0;
        if (abort.signal.aborted) {
          await release(queueUrl, messages, mapLog);
          break;
        }
        for (let start = 0; start < messages.length; start += batchSize) {
          runBatch(mapping, queueUrl, identity, messages.slice(start, start + batchSize), mapLog, counter);
        }
      } catch (error) {
        if (abort.signal.aborted) break;
        const pauseMs = Math.min(30_000, (options.pauseAfterErrorMs ?? 1000) * 2 ** Math.min(failures++, 10));
        mapLog.warn({ reason: (error as Error)?.message ?? String(error), retryInMs: pauseMs }, 'could not receive from the queue; trying again');
        await pause(pauseMs);
      }
    }
  };

  /**
   * Hands messages received as the host stopped back to their queue at once. A receive is never
   * aborted: the queue may have handed it messages already, which would stay hidden for their
   * whole visibility timeout; so `stop()` waits out the long poll (at most `waitTimeSeconds`).
   */
  const release = async (queueUrl: string, messages: Message[], mapLog: Logger) => {
    for (let start = 0; start < messages.length; start += RECEIVE_MAX) {
      const chunk = messages.slice(start, start + RECEIVE_MAX);
      await client
        .send(new ChangeMessageVisibilityBatchCommand({ QueueUrl: queueUrl, Entries: chunk.map((message, index) => ({ Id: String(index), ReceiptHandle: message.ReceiptHandle!, VisibilityTimeout: 0 })) }))
        .catch((error: unknown) => mapLog.warn({ reason: (error as Error).message }, 'could not hand back messages received while stopping: they come back after their visibility timeout'));
    }
  };

  /** One long poll; for a batch over 10, more receives until it is full or its window has passed. */
  const receive = async (queueUrl: string, wanted: number, waitSeconds: number, windowMs: number): Promise<Message[]> => {
    const once = async (count: number, wait: number) =>
      (
        await client.send(
          new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: Math.min(RECEIVE_MAX, count), WaitTimeSeconds: wait, MessageSystemAttributeNames: ['All'], MessageAttributeNames: ['All'] }),
        )
      ).Messages ?? [];
    const messages = await once(wanted, waitSeconds);
    if (messages.length === 0 || wanted <= RECEIVE_MAX) return messages;
    const deadline = Date.now() + windowMs;
    while (messages.length < wanted && Date.now() < deadline && !abort.signal.aborted) {
      const more = await once(wanted - messages.length, Math.min(20, Math.max(0, Math.floor((deadline - Date.now()) / 1000))));
      messages.push(...more);
    }
    return messages;
  };

  const polling = Promise.all(mappings.map(poll));

  return {
    busy: () => batches.size,
    async stop() {
      abort.abort();
      const waiting = slotFreed;
      slotFreed = [];
      for (const resolve of waiting) resolve();
      await polling;
      while (batches.size > 0) await Promise.all([...batches]);
    },
  };
}

function checkMapping(mapping: EventSourceMapping): void {
  const { batchSize = 10, maxConcurrency = 5, maxBatchingWindowMs = 0 } = mapping;
  const where = `the event source mapping of ${mapping.queueName}`;
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 10_000) throw new Error(`${where}: batchSize must be a whole number from 1 to 10000, got ${batchSize}`);
  if (!Number.isInteger(maxConcurrency) || maxConcurrency < 1) throw new Error(`${where}: maxConcurrency must be a whole number of at least 1, got ${maxConcurrency}`);
  if (!Number.isFinite(maxBatchingWindowMs) || maxBatchingWindowMs < 0 || maxBatchingWindowMs > 300_000) throw new Error(`${where}: maxBatchingWindowMs must be from 0 to 300000 (5 minutes), got ${maxBatchingWindowMs}`);
}

/**
 * The records a response reports failed, or 'all' when Lambda would take the whole batch as
 * failed: an item without an identifier, or naming a record not in the batch.
 */
function failedRecords(event: SQSEvent, response: SQSBatchResponse | void): Set<string> | 'all' {
  const failures = (response as { batchItemFailures?: unknown } | undefined | null)?.batchItemFailures;
  if (failures === undefined || failures === null) return new Set();
  if (!Array.isArray(failures)) return 'all';
  const ids = new Set(event.Records.map((record) => record.messageId));
  const failed = new Set<string>();
  for (const failure of failures) {
    const id = (failure as { itemIdentifier?: unknown } | null)?.itemIdentifier;
    if (typeof id !== 'string' || !ids.has(id)) return 'all';
    failed.add(id);
  }
  return failed;
}
