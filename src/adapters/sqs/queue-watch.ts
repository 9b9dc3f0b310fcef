/**
 * Whether anyone receives from a flow's SQS queues, told from outside, for a process that only
 * sends and waits (`dataflow send --runtime aws`). SQS does not say who receives; it says how many
 * messages are visible (waiting to be received) and how many are in flight (received, not yet
 * deleted, or held back by a retry's visibility timeout). A live receiver, a host or Lambda's event
 * source mapping, long-polls without pause: a visible message is taken within moments, and while it
 * is handled it is in flight. So a queue that showed visible messages and none in flight at every
 * look over a whole period has nobody receiving from it.
 *
 * The counts are approximate (on AWS they may lag by about a minute), so a verdict needs looks
 * spread over a period longer than that lag: `unserved` answers only for a queue watched for all
 * of `forMs`, and the caller's period (30 s by default) should be no shorter on AWS.
 */
import type { UnservedQueue } from '../../ports/transport.js';
import { queueDepths, type QueueDepth } from './queues.js';
import type { QueueUrls } from './queue-names.js';
import type { SQSClient } from '@aws-sdk/client-sqs';

export interface QueueWatchOptions {
  client: SQSClient;
  prefix: string;
  urls?: QueueUrls;
  /** @defaultValue Date.now */
  now?: () => number;
}

export interface QueueWatch {
  /** Looks at the queues of these consumers now, and keeps what it saw. */
  look(consumers: string[]): Promise<QueueDepth[]>;
  /** The consumers whose queues had visible messages and none in flight at every look over the last `forMs` (a look now included). */
  unserved(consumers: string[], forMs: number): Promise<UnservedQueue[]>;
}

interface Look {
  at: number;
  depth: QueueDepth;
}

const nobodyReceives = (depth: QueueDepth) => depth.waiting > 0 && depth.inFlight === 0;

export function watchQueues(options: QueueWatchOptions): QueueWatch {
  const now = options.now ?? Date.now;
  const looks = new Map<string, Look[]>();

  const look = async (consumers: string[]) => {
    const at = now();
    const depths = await queueDepths(consumers, { client: options.client, prefix: options.prefix, urls: options.urls });
    for (const depth of depths) {
      const kept = looks.get(depth.consumer) ?? [];
      kept.push({ at, depth });
      looks.set(depth.consumer, kept);
    }
    return depths;
  };

  return {
    look,
    async unserved(consumers, forMs) {
      await look(consumers);
      const since = now() - forMs;
      const found: UnservedQueue[] = [];
      for (const consumer of consumers) {
        const kept = looks.get(consumer) ?? [];
        // The last look from before the period, and every one since: the period is covered from its start.
        let first = -1;
        for (const [index, l] of kept.entries()) if (l.at <= since) first = index;
        if (first < 0) continue; // not watched for the whole period yet
        kept.splice(0, first); // what came before is no longer needed
        if (!kept.every((l) => nobodyReceives(l.depth))) continue;
        const { depth } = kept[kept.length - 1]!;
        const messages = depth.waiting === 1 ? '1 message' : `${depth.waiting} messages`;
        found.push({
          queue: consumer,
          waiting: depth.waiting,
          description: `nobody receives from the SQS queue ${depth.queueName} (no host runs ${consumer}, nor does a Lambda function on that queue): ${messages} visible and none in flight at every look`,
        });
      }
      return found;
    },
  };
}

/** Where messages still wait, for an error that gives up: each queue with its counts. */
export function describeDepths(depths: QueueDepth[]): string {
  return depths.map((d) => `SQS queue ${d.queueName}: ${d.waiting} visible, ${d.inFlight} in flight, ${d.delayed} delayed${d.deadLetters > 0 ? `, ${d.deadLetters} in its dead-letter queue` : ''}`).join('; ');
}
