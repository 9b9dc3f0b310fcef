/**
 * Sending what a batch of deliveries caused: one call per queue for the whole batch, each message
 * once (two copies of one delivery cause the same ids). A queue that does not take its messages
 * fails only the deliveries that caused messages for it.
 */
import type { Message } from './message.js';
import type { Sender } from '../ports/transport.js';

/** A message for the sender, with the queue of the consumer that handles it. */
export interface Sent {
  queue: string;
  message: Message;
}

/** Why a delivery's messages did not all go: the queues that did not take them, and their errors. */
export interface Unsent {
  queues: Set<string>;
  errors: unknown[];
}

/** Sends `sends[i]` for every delivery `i`; returns, by delivery index, those whose messages did not all go. */
export async function sendForBatch(sender: Sender, sends: Sent[][]): Promise<Map<number, Unsent>> {
  const queues = new Map<string, { messages: Map<string, Message>; from: Set<number> }>();
  for (const [index, send] of sends.entries()) {
    for (const { queue, message } of send) {
      let entry = queues.get(queue);
      if (!entry) queues.set(queue, (entry = { messages: new Map(), from: new Set() }));
      entry.messages.set(message.id, message);
      entry.from.add(index);
    }
  }
  const unsent = new Map<number, Unsent>();
  for (const [queue, { messages, from }] of queues) {
    try {
      await sender.send(queue, [...messages.values()].map((message) => ({ message, attempt: 1 })));
    } catch (error) {
      for (const index of from) {
        const entry = unsent.get(index) ?? { queues: new Set(), errors: [] };
        entry.queues.add(queue);
        entry.errors.push(error);
        unsent.set(index, entry);
      }
    }
  }
  return unsent;
}
