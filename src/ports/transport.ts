/**
 * The transport moves deliveries between the mediator's and the workers' queues, one queue per
 * consumer. It comes in two halves, so a host that only sends (a serverless handler, `dataflow
 * send` against a cluster) needs no subscription: a {@link Sender} hands deliveries to a queue; a
 * {@link Transport} also consumes them.
 *
 * What a transport promises, and what it need not:
 * - Delivery is at least once: a delivery sent is handed to the queue's consumer until it answers
 *   with an {@link Outcome}, and may be handed out again (after a crash, a lost answer, a lease or
 *   visibility timeout running out). The core makes handling idempotent: every message has an id,
 *   and a copy of a settled one is dropped.
 * - Copies of one message id may be handed out at the same time, in one process or in several.
 *   The core's processor runs copies of one id one after the other within its process; across
 *   processes it relies on the state store, whose conditional settle records exactly one outcome.
 * - Order is not promised.
 */
export interface Delivery {
  /** The message as sent: normally a message object, or raw text that failed to parse. */
  message: unknown;
  /** 1 on first delivery. */
  attempt: number;
}

/**
 * What becomes of a delivery: `ack` drops it (handled, or a copy of a handled one), `retry`
 * delivers it again after `delayMs` (an SQS host sets the visibility timeout to it), `dead` drops
 * it as dead (the core has already recorded the dead letter and its reason in the state store).
 */
export type Outcome = { kind: 'ack' } | { kind: 'retry'; delayMs: number } | { kind: 'dead' };

/** A queue with work due and no process taking it. */
export interface UnservedQueue {
  queue: string;
  /** Deliveries that have been due for the whole period. */
  waiting: number;
  /** What the transport saw, naming its own queue, when it says more than the count. */
  description?: string;
}

export type DeliveryHandler = (delivery: Delivery) => Promise<Outcome>;

/** The sending half: enough for a host that never consumes. */
export interface Sender {
  /**
   * Hands deliveries to a queue. Resolves once they are the transport's to deliver (durably, for
   * a durable transport); rejects when it cannot say that of every one, and then any of them may
   * or may not arrive: the core sends again on the cause's redelivery, and copies are dropped.
   */
  send(queue: string, deliveries: Delivery[]): Promise<void>;
  /** Lets go of connections. Optional: a sender may hold none. */
  close?(): Promise<void>;
}

/** Both halves: what a runtime that consumes queues needs. */
export interface Transport extends Sender {
  /** Starts handling a queue's deliveries, at most `concurrency` at once; returns a stop function. */
  consume(queue: string, handler: DeliveryHandler, options: { concurrency: number }): () => Promise<void>;
  /** Resolves once nothing is queued, in flight or waiting for a retry. Optional: not every backend can tell. */
  idle?(): Promise<void>;
  /**
   * Of these queues, those no process consumes: each holds deliveries due for at least `forMs`
   * while none of the queue's deliveries was taken in that time. Optional: a backend that cannot
   * tell (or, in one process, need not) leaves it out, and waits are bounded by their timeout alone.
   */
  unserved?(queues: string[], forMs: number): Promise<UnservedQueue[]>;
  close(): Promise<void>;
}

/** Whether this transport can consume, or only send. */
export function canConsume(transport: Sender): transport is Transport {
  return typeof (transport as Partial<Transport>).consume === 'function';
}
