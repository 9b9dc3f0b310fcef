/**
 * One SQS queue per consumer, `<prefix>-<consumer>`, and its dead-letter queue
 * `<prefix>-<consumer>-dlq`. Names resolve to URLs once (GetQueueUrl) and stay cached: a
 * queue's URL never changes while it exists.
 */
import { GetQueueUrlCommand, type SQSClient } from '@aws-sdk/client-sqs';

/** SQS allows 1 to 80 letters, digits, `-` and `_` (a FIFO queue's `.fifo` suffix aside). */
const QUEUE_NAME = /^[A-Za-z0-9_-]{1,80}$/;
const DLQ_SUFFIX = '-dlq';

export function queueNameOf(prefix: string, consumer: string): string {
  const name = `${prefix}-${consumer}`;
  // Checked with the suffix, so a consumer whose queue fits always has a dead-letter queue that fits.
  if (!QUEUE_NAME.test(name + DLQ_SUFFIX)) {
    throw new Error(`consumer ${JSON.stringify(consumer)} cannot name an SQS queue: "${name}${DLQ_SUFFIX}" must be at most 80 letters, digits, '-' or '_'`);
  }
  return name;
}

export function deadLetterQueueNameOf(prefix: string, consumer: string): string {
  return queueNameOf(prefix, consumer) + DLQ_SUFFIX;
}

/** Thrown when a queue is not there: it names the queue and how it comes to exist. */
export class QueueMissingError extends Error {
  override name = 'QueueMissingError';
  constructor(readonly queueName: string, options?: ErrorOptions) {
    super(`SQS queue ${queueName} does not exist: create the queues first (dataflow aws setup, or setUpQueues)`, options);
  }
}

export interface QueueUrls {
  /** The URL of the queue of this name, looked up once. */
  urlOf(queueName: string): Promise<string>;
  /** The URL of the queue of this ARN (an SQS record's `eventSourceARN`). */
  urlOfArn(arn: string): Promise<string>;
}

export interface QueueUrlOptions {
  /** Called for a queue that does not exist; its URL is used instead of the error. */
  createMissing?: (queueName: string) => Promise<string>;
}

export function queueUrls(client: SQSClient, options: QueueUrlOptions = {}): QueueUrls {
  const cache = new Map<string, Promise<string>>();
  const lookUp = async (queueName: string, owner?: string): Promise<string> => {
    try {
      const { QueueUrl } = await client.send(new GetQueueUrlCommand({ QueueName: queueName, QueueOwnerAWSAccountId: owner }));
      if (!QueueUrl) throw new Error(`SQS answered no URL for queue ${queueName}`);
      return QueueUrl;
    } catch (error) {
      if ((error as Error).name !== 'QueueDoesNotExist') throw error;
      if (options.createMissing) return options.createMissing(queueName);
      throw new QueueMissingError(queueName, { cause: error });
    }
  };
  const cached = (key: string, find: () => Promise<string>) => {
    let url = cache.get(key);
    if (!url) {
      url = find();
      cache.set(key, url);
      url.catch(() => cache.delete(key)); // a failed lookup is tried again next time
    }
    return url;
  };
  return {
    urlOf: (queueName) => cached(queueName, () => lookUp(queueName)),
    urlOfArn(arn) {
      const match = /^arn:[^:]+:sqs:[^:]*:(\d*):([^:]+)$/.exec(arn);
      if (!match) return Promise.reject(new Error(`${JSON.stringify(arn)} is not an SQS queue ARN`));
      const [, account, queueName] = match as unknown as [string, string, string];
      return cached(arn, () => lookUp(queueName, account || undefined));
    },
  };
}
