/**
 * The transport on SQS: sending through {@link sqsSender}, consuming through the local event
 * source mapping ({@link hostEventSources}) with one-record batches, so `concurrency` bounds the
 * handlers exactly. Outcomes: `ack` and `dead` delete the message; `retry` sets its visibility
 * timeout to the delay (whole seconds, at most 11 h 45 min), and SQS delivers it again then with
 * its ApproximateReceiveCount, the delivery's attempt, one higher.
 *
 * `idle()` reads the queues' approximate counts: exact on moto and LocalStack, up to a minute
 * behind on AWS, so it is for tests and one-off runs.
 */
import { SQSClient } from '@aws-sdk/client-sqs';
import { silentLogger, type Logger } from '../../core/logger.js';
import type { Delivery, Transport } from '../../ports/transport.js';
import { awsPrefix } from '../aws/prefix.js';
import { deliveryBatchHandler } from './delivery-handler.js';
import { hostEventSources, type EventSourceHost } from './event-source-host.js';
import { queueNameOf, queueUrls } from './queue-names.js';
import { queueDepths, setUpQueues, type QueueSetupOptions } from './queues.js';
import { sqsSender, type SendOptions, type SqsSender } from './sender.js';
import { sqsVisibility } from './visibility.js';

export interface SqsTransportOptions {
  /** A ready client; when given, `endpoint` and `region` are ignored and `close()` leaves it open. */
  client?: SQSClient;
  /** @defaultValue the SDK's: AWS_ENDPOINT_URL_SQS, AWS_ENDPOINT_URL, or AWS itself */
  endpoint?: string;
  /** @defaultValue the SDK's: AWS_REGION or the shared config */
  region?: string;
  /** Queues are `<prefix>-<consumer>`. @defaultValue DATAFLOW_AWS_PREFIX, else `dataflow` */
  prefix?: string;
  /**
   * Makes a missing queue (and its dead-letter queue) on first use, with these settings: for tests
   * and trials. A deployment makes its queues once, with each consumer's retry policy
   * (`dataflow aws setup`, or {@link setUpQueues}). @defaultValue false: a missing queue is an error naming it
   */
  createMissingQueues?: boolean | Pick<QueueSetupOptions, 'extraReceives' | 'visibilityTimeoutSeconds'>;
  /** Long polling, 0 to 20 seconds. @defaultValue 20 */
  waitTimeSeconds?: number;
  /** @defaultValue 262144 (256 KiB) */
  maxMessageBytes?: number;
  log?: Logger;
}

export type SqsTransport = Transport & {
  send(queue: string, deliveries: Delivery[], options?: SendOptions): Promise<void>;
  idle(): Promise<void>;
  readonly sender: SqsSender;
  readonly prefix: string;
};

export function sqsTransport(options: SqsTransportOptions = {}): SqsTransport {
  const client = options.client ?? new SQSClient({ endpoint: options.endpoint, region: options.region });
  const prefix = awsPrefix(options.prefix);
  const log = options.log ?? silentLogger;
  const creating = options.createMissingQueues;
  const urls = queueUrls(client, {
    createMissing: creating
      ? async (queueName) => {
          const deadLetters = queueName.endsWith('-dlq');
          const consumer = queueName.slice(prefix.length + 1, deadLetters ? -'-dlq'.length : undefined);
          const [setup] = await setUpQueues([{ name: consumer }], { client, prefix, ...(creating === true ? {} : creating) });
          return deadLetters ? setup!.deadLetterQueueUrl : setup!.queueUrl;
        }
      : undefined,
  });
  const sender = sqsSender({ client, prefix, urls, maxMessageBytes: options.maxMessageBytes });
  const visibility = sqsVisibility(client, urls);
  const seen = new Set<string>();
  const hosts = new Map<string, EventSourceHost>();
  let closed = false;

  const open = (queue: string) => {
    if (closed) throw new Error('the transport is closed');
    seen.add(queue);
  };

  return {
    sender,
    prefix,
    async send(queue: string, deliveries: Delivery[], sendOptions?: SendOptions) {
      open(queue);
      await sender.send(queue, deliveries, sendOptions);
    },
    consume(queue, handler, { concurrency }) {
      if (!Number.isInteger(concurrency) || concurrency < 1) throw new Error(`concurrency must be a positive integer, got ${concurrency}`);
      open(queue);
      if (hosts.has(queue)) throw new Error(`queue ${queue} already has a consumer`);
      const host = hostEventSources(
        [{ queueName: queueNameOf(prefix, queue), handler: deliveryBatchHandler(handler, visibility, log), batchSize: 1, maxConcurrency: concurrency }],
        { client, urls, waitTimeSeconds: options.waitTimeSeconds, log },
      );
      hosts.set(queue, host);
      return async () => {
        if (hosts.get(queue) !== host) return;
        hosts.delete(queue);
        await host.stop();
      };
    },
    async idle() {
      for (;;) {
        const busy = [...hosts.values()].some((host) => host.busy() > 0);
        if (!busy) {
          await Promise.all([...seen].map((queue) => urls.urlOf(queueNameOf(prefix, queue)))); // made first, when made on use
          const depths = await queueDepths([...seen], { client, prefix, urls });
          if (depths.every((depth) => depth.waiting + depth.inFlight + depth.delayed === 0) && ![...hosts.values()].some((host) => host.busy() > 0)) return;
        }
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    },
    async close() {
      if (closed) return;
      closed = true;
      await Promise.all([...hosts.values()].map((host) => host.stop()));
      hosts.clear();
      if (!options.client) client.destroy();
    },
  };
}
