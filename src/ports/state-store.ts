/**
 * The state store: the single source of truth the mediator decides from.
 *
 * It keeps the message log (every message in and out, with its status) and two fan-in primitives
 * shaped by what flows decide: a window ("every N new members of a group make one batch": five
 * frames make a GIF) and a known set ("these named parts are awaited; once all are in, the set is
 * complete": a GIF and its thumbnails make one mail). Each method is one atomic step, so the same
 * port fits a SQL database (one transaction) and a key-value store (one conditional write, or one
 * small transaction, after at most a consistent read), and no record grows without bound: a
 * key-value store caps an item's size (DynamoDB at 400 KB).
 *
 * ## Records, for a key-value implementation
 *
 * Each fan-in operation reads at most a few items by key, then writes once, conditioned on what it
 * read; a writer whose condition fails (another got there first) reads again and retries. The
 * items (partition key first), each bounded:
 *
 * - open window `window#<group>`: `closed` (batches closed so far, 0 at first), `members` (the
 *   members waiting, in arrival order: fewer than the window's size), `openedAfter` (see `prune`),
 *   `version`;
 * - closed batch `batch#<group>#<index>`: its members (the window's size) and `closedBy`;
 * - member link `member#<group>#<id>`: the index of the window it joined (`closed + 1` when it
 *   arrived). Written once, never changed: the batch it names exists once that window closed;
 * - known set `set#<name>`: `expected` (the part names), `parts` (name to value, of those
 *   arrived), `completedBy` once complete, `openedAfter`, `version`.
 *
 * So a record holds at most a window's size of members, or a set's parts: their values should be
 * small (a blob's location and a message id, not the blob).
 *
 * And per message, `root`: the id of the root of its causal tree (itself for a message recorded
 * with no cause; the cause's id when the store does not hold the cause), written with the
 * message, so what is pending below a root is one query of an index on `root` (see `unsettled`).
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
  /**
   * Messages the handling of this one sent; of any of these, when a list (an empty list finds
   * none): a causal tree is walked a level at a time, not a message at a time.
   */
  causedBy?: string | readonly string[];
  /** Valid times from `from` to `to`, both included. */
  validTime?: { from?: number; to?: number };
  /** Defaults to 1000. */
  limit?: number;
}

/** The causes a query names, as a set; undefined when it names none. */
export function causesOf(query: MessageQuery): ReadonlySet<string> | undefined {
  const { causedBy } = query;
  return causedBy === undefined ? undefined : new Set(typeof causedBy === 'string' ? [causedBy] : causedBy);
}

/** One member of a window, e.g. a frame of an imageId's map. */
export interface Member {
  /** Unique within its group; adding a member again replays its first arrival's decision. */
  id: string;
  /** Order inside a batch, e.g. the frame's valid time. */
  order: number;
  value: unknown;
}

/** Members that one window took together, ordered by `order` (ties: by arrival). */
export interface Batch {
  group: string;
  /** 1, 2, 3 … within the group, none skipped. */
  index: number;
  members: Member[];
  /** The member whose arrival closed the batch. */
  closedBy: string;
}

/** The window of a group still filling: the batch its next members join. */
export interface OpenWindow {
  group: string;
  /** The index its batch will have. */
  index: number;
  /** Those waiting, in arrival order: always fewer than the window's size. */
  members: Member[];
}

/** One awaited part of a known set, e.g. a mail's GIF, or one of its thumbnails. */
export interface Part {
  /** One of the set's expected names. */
  name: string;
  value: unknown;
}

/** A known set whose every expected part has arrived. */
export interface CompleteSet {
  set: string;
  /** Every part, in the order of the expected names; each with the value it first arrived with. */
  parts: Part[];
  /** The part whose arrival completed the set. */
  completedBy: string;
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
   * What a delivery does before its handler runs, in one step where the store allows: records the
   * message if its id is unknown (as `save`, never enqueued), then counts an attempt if it is
   * pending (as `recordAttempt`). Returns the message as stored after that: pending with the
   * attempt counted, or, settled, unchanged (`status` says which).
   */
  beginAttempt(message: NewMessage, now: number): Promise<StoredMessage>;
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
   * How many messages are still pending in the causal trees of these roots (messages recorded with
   * no cause): 0 when everything they set off has settled (done or dead). Each message keeps the
   * root of its tree, taken from its cause's when it is saved (a cause the store does not hold is
   * taken as the root), so this is one count on an index of pending messages by root: in a
   * key-value store, a query of a sparse index keyed by `root` that holds pending messages only.
   * An id that is not a root stands for the whole tree it is in; an unknown id counts nothing.
   */
  unsettled(rootIds: string[]): Promise<number>;
  /**
   * Sets dead messages back to pending so they can be delivered again; returns them. A store that
   * enqueues on settle also enqueues, in the same transaction, each one `queueOf` gives a queue.
   */
  revive(ids: string[] | 'all', now: number, queueOf?: (type: string) => string | undefined): Promise<StoredMessage[]>;
  /**
   * Adds a member to the open window of a group; once the window holds `size` members with this
   * one, they are closed as one batch, which only this call returns, and the group's next window
   * opens empty. Each member belongs to one window, and concurrent adders never put a member into
   * two batches nor skip an index. Adding a member that is already there changes nothing and
   * replays its first arrival's decision: the batch it closed, if it closed one (so a retried
   * handler decides the same again, whatever value it brings this time). A window holding more
   * than `size - 1` members (its size was lowered since) closes with all of them at the next
   * arrival.
   *
   * For a key-value store: read the member's link; if there, replay. Otherwise read the open
   * window and write, in one transaction conditioned on its `version` and on the link not
   * existing, either the window with this member appended and the link, or, when this member
   * makes `size`, the window emptied with `closed + 1`, the batch `closed + 1` (condition: it does
   * not exist) and the link: at most three items. A failed condition means another adder won:
   * read again and retry.
   */
  addToWindow(group: string, member: Member, size: number): Promise<Batch | undefined>;
  /** The batch a member belongs to, once its window has closed (by its link, then the batch). */
  windowOf(group: string, memberId: string): Promise<Batch | undefined>;
  /** The group's window still filling (index 1 and no members for a group never seen). */
  openWindow(group: string): Promise<OpenWindow>;
  /**
   * Records a part of a known set: `expected` names every part the set awaits (the same list each
   * time; the first call's is kept), `part.name` one of them. The call whose part is the last to
   * arrive completes the set and gets it back; no other call ever does, however many race, except
   * a replay of that same part. A part that is already there changes nothing (its first value
   * stays) and replays the decision: the set, if this part completed it.
   *
   * For a key-value store: read the set; if the part is there, replay; otherwise one write
   * conditioned on `version` (or, for a new set, on the item not existing) adds the part and, when
   * it is the last one missing, `completedBy`. One item, bounded by the expected parts.
   */
  addPart(set: string, expected: string[], part: Part): Promise<CompleteSet | undefined>;
  /**
   * Retention: removes the done messages last updated before `before` (epoch ms) and returns how
   * many went. Kept whatever their age: pending and dead messages (dead letters wait for a
   * re-drive) and every message they descend from; every message under the key of a pending
   * message (its handling looks things up by key: a GIF made, its mail not yet sent, looks up its
   * frames' thumbnails); and everything recorded since the first member joined of a window still
   * open, or the first part arrived of a known set not yet complete (each keeps that position in
   * `openedAfter`, cleared when it closes: a sparse index finds the earliest). Counts follow the
   * removal. A store without it keeps everything.
   *
   * The fan-in's records are never removed: a member or part that arrives again, however late (a
   * frame fetched again, a delivery replayed), must find its decision and replay it, not join a
   * new batch, and no age says that cannot happen any more. They are a small link per member, one
   * record per batch and per known set, and one open window per group: a small fraction of the
   * messages.
   */
  prune?(before: number): Promise<number>;
  close(): Promise<void>;
}
