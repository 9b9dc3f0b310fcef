/**
 * The queues of a flow's consumers, made as the stack would make them: for each consumer a queue
 * `<prefix>-<consumer>` and a dead-letter queue `<prefix>-<consumer>-dlq`, joined by a redrive
 * policy. Running it again changes nothing but settings that differ, so it is safe to repeat.
 *
 * maxReceiveCount: the core counts each attempt in the state store before it runs the handler,
 * and dead-letters a message itself, with its reason, after its retry policy's maxAttempts; a
 * message that kills its process each time is dead-lettered on the receive after its last attempt
 * (maxAttempts + 1). SQS's redrive must come after both, or it would take messages the core still
 * means to try, and without a reason. It is there for the receives the core never counts: a batch
 * that fails before the processor runs (a cold start that dies, a state store that cannot be
 * reached, a function that times out before reaching a record). So maxReceiveCount is
 * maxAttempts + 1 + `extraReceives` (4 by default): 17 for the default policy of 12 attempts.
 *
 * The visibility timeout is six times the consumer's timeout (at least 30 s), as AWS advises for
 * a queue that feeds a function: a batch still running is not handed to another one.
 */
import { CreateQueueCommand, GetQueueAttributesCommand, GetQueueUrlCommand, SetQueueAttributesCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { MAX_MESSAGE_BYTES } from './message-body.js';
import { deadLetterQueueNameOf, queueNameOf, queueUrls, type QueueUrls } from './queue-names.js';

/** A consumer as `flow.consumers()` describes it; only its name is required. */
export interface QueueConsumer {
  name: string;
  retry?: { maxAttempts: number };
  /** @defaultValue 60000 */
  timeoutMs?: number;
}

export interface QueueSetupOptions {
  client: SQSClient;
  prefix: string;
  /** Receives allowed beyond maxAttempts + 1 before SQS moves a message to the dead-letter queue. @defaultValue 4 */
  extraReceives?: number;
  /** For every queue, instead of six times each consumer's timeout. */
  visibilityTimeoutSeconds?: number;
}

export interface QueueSetup {
  consumer: string;
  queueName: string;
  queueUrl: string;
  queueArn: string;
  deadLetterQueueName: string;
  deadLetterQueueUrl: string;
  maxReceiveCount: number;
  visibilityTimeoutSeconds: number;
  /** False when the queue was there already (its settings were brought up to date). */
  created: boolean;
}

export interface QueueDepth {
  consumer: string;
  queueName: string;
  /** Ready to be received. */
  waiting: number;
  /** Received and not yet deleted, or waiting out a retry's delay. */
  inFlight: number;
  /** Sent with a delay that has not passed. */
  delayed: number;
  /** In the dead-letter queue. */
  deadLetters: number;
}

const DEFAULT_MAX_ATTEMPTS = 12;
const DEAD_LETTER_RETENTION_SECONDS = 14 * 24 * 3600; // SQS's longest: time to look and redrive
const MAX_VISIBILITY_SECONDS = 12 * 3600;

export function maxReceiveCountOf(consumer: QueueConsumer, extraReceives = 4): number {
  if (!Number.isInteger(extraReceives) || extraReceives < 0) throw new Error(`extraReceives must be a whole number, 0 or more, got ${extraReceives}`);
  return Math.min(1000, (consumer.retry?.maxAttempts ?? DEFAULT_MAX_ATTEMPTS) + 1 + extraReceives);
}

export function visibilityTimeoutOf(consumer: QueueConsumer, override?: number): number {
  const seconds = override ?? Math.max(30, 6 * Math.ceil((consumer.timeoutMs ?? 60_000) / 1000));
  if (!Number.isInteger(seconds) || seconds < 0 || seconds > MAX_VISIBILITY_SECONDS) throw new Error(`the visibility timeout of ${consumer.name}'s queue must be 0 to 43200 seconds, got ${seconds}`);
  return seconds;
}

export async function setUpQueues(consumers: QueueConsumer[], options: QueueSetupOptions): Promise<QueueSetup[]> {
  const { client, prefix } = options;
  const setUp = async (consumer: QueueConsumer): Promise<QueueSetup> => {
    const queueName = queueNameOf(prefix, consumer.name);
    const deadLetterQueueName = deadLetterQueueNameOf(prefix, consumer.name);
    const maxReceiveCount = maxReceiveCountOf(consumer, options.extraReceives);
    const visibilityTimeoutSeconds = visibilityTimeoutOf(consumer, options.visibilityTimeoutSeconds);
    const deadLetters = await ensureQueue(client, deadLetterQueueName, { MessageRetentionPeriod: String(DEAD_LETTER_RETENTION_SECONDS) });
    const deadLetterArn = await arnOf(client, deadLetters.url);
    const queue = await ensureQueue(client, queueName, {
      VisibilityTimeout: String(visibilityTimeoutSeconds),
      MaximumMessageSize: String(MAX_MESSAGE_BYTES),
      ReceiveMessageWaitTimeSeconds: '20',
      RedrivePolicy: JSON.stringify({ deadLetterTargetArn: deadLetterArn, maxReceiveCount }),
    });
    return {
      consumer: consumer.name,
      queueName,
      queueUrl: queue.url,
      queueArn: await arnOf(client, queue.url),
      deadLetterQueueName,
      deadLetterQueueUrl: deadLetters.url,
      maxReceiveCount,
      visibilityTimeoutSeconds,
      created: queue.created,
    };
  };
  return Promise.all(consumers.map(setUp));
}

/** How many messages each consumer's queue and dead-letter queue hold (approximate on AWS, to about a minute). */
export async function queueDepths(consumers: string[], options: { client: SQSClient; prefix: string; /** Caches the URLs between calls. */ urls?: QueueUrls }): Promise<QueueDepth[]> {
  const { client, prefix } = options;
  const urls = options.urls ?? queueUrls(client);
  return Promise.all(
    consumers.map(async (consumer) => {
      const [queue, deadLetters] = await Promise.all(
        [queueNameOf(prefix, consumer), deadLetterQueueNameOf(prefix, consumer)].map(async (queueName) => {
          const QueueUrl = await urls.urlOf(queueName);
          const { Attributes = {} } = await client.send(
            new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible', 'ApproximateNumberOfMessagesDelayed'] }),
          );
          return { waiting: Number(Attributes.ApproximateNumberOfMessages ?? 0), inFlight: Number(Attributes.ApproximateNumberOfMessagesNotVisible ?? 0), delayed: Number(Attributes.ApproximateNumberOfMessagesDelayed ?? 0) };
        }),
      );
      return { consumer, queueName: queueNameOf(prefix, consumer), ...queue!, deadLetters: deadLetters!.waiting + deadLetters!.inFlight + deadLetters!.delayed };
    }),
  );
}

/** Creates the queue with these settings, or brings an existing one's up to date. */
async function ensureQueue(client: SQSClient, name: string, attributes: Record<string, string>): Promise<{ url: string; created: boolean }> {
  const existing = await urlIfThere(client, name);
  if (existing === undefined) {
    try {
      const { QueueUrl } = await client.send(new CreateQueueCommand({ QueueName: name, Attributes: attributes }));
      return { url: QueueUrl!, created: true };
    } catch (error) {
      // Made meanwhile by another set-up, perhaps with other settings: bring it up to date below.
      if ((error as Error).name !== 'QueueNameExists') throw error;
    }
  }
  const url = existing ?? (await urlIfThere(client, name))!;
  await client.send(new SetQueueAttributesCommand({ QueueUrl: url, Attributes: attributes }));
  return { url, created: false };
}

async function urlIfThere(client: SQSClient, name: string): Promise<string | undefined> {
  try {
    return (await client.send(new GetQueueUrlCommand({ QueueName: name }))).QueueUrl;
  } catch (error) {
    if ((error as Error).name === 'QueueDoesNotExist') return undefined;
    throw error;
  }
}

async function arnOf(client: SQSClient, queueUrl: string): Promise<string> {
  const { Attributes } = await client.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }));
  if (!Attributes?.QueueArn) throw new Error(`SQS answered no ARN for ${queueUrl}`);
  return Attributes.QueueArn;
}
