/**
 * Writes that ride in a settle's own statement, for a queue that lives in the same database.
 *
 * A settle is one SQL statement (a `WITH` of the status update and the insert of what it caused).
 * A queue on the same database can add its own writes to that statement as further data-modifying
 * `WITH` parts, each guarded by the condition that the update happened: the caused messages' jobs
 * and the completion of the settled message's own job then commit with the state, in one round
 * trip and one commit, with no transaction around it. A settle refused (the message no longer
 * pending) writes none of them.
 */
import type { NewMessage } from '../../ports/state-store.js';

export interface SettleWritesRequest {
  /** The id of the message being settled. */
  settled: string;
  /** The messages its handling caused, in order; those that name a `queue` are to be enqueued. */
  caused: NewMessage[];
  /** An SQL condition, true only when the settle's update happened: every write must be guarded by it. */
  guard: string;
  /** Adds a parameter to the statement and answers its placeholder (`$16`). */
  param(value: unknown): string;
}

export interface SettleWrites {
  /** Data-modifying statements (`INSERT …`, `UPDATE …`, with no `WITH` of their own), run as parts of the settle's statement. */
  statements: string[];
  /** Called once the statement has committed and settled the message. */
  settled?(): void;
}

/** Builds the writes for one settle; may wait (for a queue to exist), never writes itself. */
export type SettleWriter = (request: SettleWritesRequest) => Promise<SettleWrites>;
