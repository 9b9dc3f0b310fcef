/**
 * The state store: the single source of truth the mediator decides from.
 *
 * It keeps the message log (every message in and out, with its status) and two coordination
 * primitives for fan-in. Each method is one atomic step, so the same port fits a SQL database (one
 * transaction) and a key-value store (one conditional write).
 */
import type { Message } from '../core/message.js';

export type MessageStatus = 'pending' | 'done' | 'dead';

/** A message as the log holds it. */
export interface StoredMessage {
  id: string;
  type: string;
  /** The whole message, or for input that never parsed, `{ raw: <text> }`. */
  body: Message | { raw: string };
  /** Query key from the message's definition, e.g. its `imageId`. */
  key?: string;
  /** Order within a key, e.g. a frame's valid time in ms. */
  validTime?: number;
  /** The id of the message whose handling sent this one. */
  causedBy?: string;
  status: MessageStatus;
  /** Attempts begun, counted before each handler runs. */
  attempts: number;
  /**
   * Of those, the attempts that ended in a failure and were retried (see `recordFailure`); the
   * rest of an unsettled message's attempts began and never ended: their process died.
   * @defaultValue 0
   */
  failures?: number;
  /** Why a dead message died; while it is pending, why its last attempt failed. */
  reason?: string;
  createdAt: number;
  updatedAt: number;
}

export type NewMessage = Pick<StoredMessage, 'id' | 'type' | 'body' | 'key' | 'validTime' | 'causedBy'> & {
  status?: MessageStatus;
  reason?: string;
  /** The queue of the consumer that will handle it, for stores that deliver on settle. */
  queue?: string;
};

export type Settlement = { status: 'done'; attempts: number } | { status: 'dead'; attempts: number; reason: string };

export interface MessageQuery {
  type?: string;
  key?: string;
  status?: MessageStatus;
  /** Messages the handling of this one sent. */
  causedBy?: string;
  /** Valid times from `from` to `to`, both included. */
  validTime?: { from?: number; to?: number };
  /** Defaults to 1000. */
  limit?: number;
}

/** One member of a fan-in group, e.g. a frame of an `imageId`. */
export interface Member {
  /** Unique within its group; adding a member twice is a no-op. */
  id: string;
  /** Order inside a batch, e.g. the frame's valid time. */
  order: number;
  value: unknown;
}

/** Members that one fan-in decision took together, ordered by `order`. */
export interface Batch {
  group: string;
  /** 1, 2, 3 … within the group. */
  index: number;
  members: Member[];
  /** The member whose arrival closed the batch. */
  closedBy: string;
}

export interface StateStore {
  /**
   * True when `settle` also delivers the caused messages to their queues, in the same transaction
   * (a transactional outbox, for a queue in the same database): the processor then sends nothing
   * itself after a settle, a save or a revive. Only an optimisation, sparing a send and the window
   * between settle and send: without it, a message settled but whose caused messages were never
   * sent has them sent when it is delivered again, and a queue outside the database (SQS) cannot
   * share the transaction anyway. @defaultValue false
   */
  readonly enqueuesOnSettle?: boolean;
  /**
   * Records messages; one whose id is already known is left as it was. Returns the ids inserted.
   * A store that enqueues on settle also enqueues, in the same transaction, the new pending
   * messages that name a `queue`.
   */
  save(messages: NewMessage[], now: number): Promise<string[]>;
  get(id: string): Promise<StoredMessage | undefined>;
  /**
   * Settles a pending message and records the messages its handling caused, in one step.
   * Returns false, changing nothing, when the message is no longer pending (another delivery
   * settled it first); throws when it was never recorded.
   */
  settle(id: string, settlement: Settlement, caused: NewMessage[], now: number): Promise<boolean>;
  /**
   * Counts an attempt at handling a pending message, before its handler runs, so that a handler
   * which takes its process down (the OOM killer) still uses up an attempt. `change` -1 gives one
   * back, for an attempt that ended through no fault of the message (its process was shutting
   * down); the count never goes below 0. Returns the attempts counted, or undefined, changing
   * nothing, when the message is not pending (settled, or never recorded). @defaultValue change 1
   */
  recordAttempt(id: string, change?: 1 | -1): Promise<number | undefined>;
  /**
   * Records that an attempt at a pending message ended in a failure that will be retried: counts
   * it among the failures and keeps its reason, so a later dead letter tells attempts that failed
   * (and the last reason) from attempts whose process died. Returns false, changing nothing, when
   * the message is not pending.
   */
  recordFailure(id: string, reason: string): Promise<boolean>;
  /** Messages ordered by valid time, then by arrival. */
  find(query: MessageQuery): Promise<StoredMessage[]>;
  /**
   * How many of these messages, and of all the messages they caused, directly or not, are still
   * pending: 0 when everything they set off has settled (done or dead).
   */
  unsettled(rootIds: string[]): Promise<number>;
  /**
   * Sets dead messages back to pending so they can be delivered again; returns them. A store that
   * enqueues on settle also enqueues, in the same transaction, each one `queueOf` gives a queue.
   */
  revive(ids: string[] | 'all', now: number, queueOf?: (type: string) => string | undefined): Promise<StoredMessage[]>;
  /**
   * Adds a member to a fan-in group and, when the group then holds `size` members that belong to
   * no batch yet, takes them as one batch and returns it. Exactly one caller gets each batch.
   * Adding a member that is already there returns the batch it closed, if it closed one, so a
   * retried handler makes the same decision again.
   */
  collect(group: string, member: Member, size: number): Promise<Batch | undefined>;
  /** The batch a member belongs to, once one has taken it. */
  batchOf(group: string, memberId: string): Promise<Batch | undefined>;
  /**
   * Retention: removes the done messages last updated before `before` (epoch ms) and returns how
   * many went. Kept whatever their age: pending and dead messages (dead letters wait for a
   * re-drive) and every message they descend from; every message under the key of a pending
   * message (its handling looks things up by key: a GIF made, its mail not yet sent, looks up its
   * frames' thumbnails); and everything recorded since the first member joined of a fan-in batch
   * still forming. Counts follow the removal. A store without it keeps everything.
   *
   * The fan-in's members and batches are never removed: a member that arrives again, however late
   * (a frame fetched again, a delivery replayed), must find its decision and replay it, not join a
   * new batch, and no age says that cannot happen any more. They are one row per member (a frame,
   * a mail part) and one per batch, a few hundred bytes each, a small fraction of the messages.
   */
  prune?(before: number): Promise<number>;
  close(): Promise<void>;
}
