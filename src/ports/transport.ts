/**
 * The transport moves deliveries between the mediator's and the workers' queues. Delivery is at
 * least once; the core makes handling idempotent. A consumer's handler answers each delivery with
 * an {@link Outcome} and the transport carries it out: drop it, deliver it again later, or drop it
 * as dead (the core has already recorded the dead letter and its reason in the state store).
 */
export interface Delivery {
  /** The message as sent: normally a message object, or raw text that failed to parse. */
  message: unknown;
  /** 1 on first delivery. */
  attempt: number;
}

export type Outcome = { kind: 'ack' } | { kind: 'retry'; delayMs: number } | { kind: 'dead' };

/** A queue with work due and no process taking it. */
export interface UnservedQueue {
  queue: string;
  /** Deliveries that have been due for the whole period. */
  waiting: number;
}

export type DeliveryHandler = (delivery: Delivery) => Promise<Outcome>;

export interface Transport {
  send(queue: string, deliveries: Delivery[]): Promise<void>;
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
