/**
 * Waits until messages and everything they set off have settled, by whichever processes handle
 * them, and gives up, saying why, when it never will: when the work waits in a queue that no
 * process consumes (no worker of that kind is running), or when the caller's timeout passes.
 */
import { DataflowError } from './errors.js';
import type { Flow } from './flow.js';
import type { FlowEventListener } from './events.js';
import type { StateStore, StoredMessage } from '../ports/state-store.js';
import { canConsume, type Sender, type Transport, type UnservedQueue } from '../ports/transport.js';

export interface SettleWaitOptions {
  /**
   * How often the state store is asked at first. A long wait asks less often, every twentieth of
   * the time waited so far up to `longestPollMs`, so it ends at most about 5% after its work
   * did; while this process settles messages itself, it asks every `pollMs` again.
   * @defaultValue 100
   */
  pollMs?: number;
  /** @defaultValue 1000 */
  longestPollMs?: number;
  /** Hears how many messages are still pending, every 5 s. */
  onWait?: (pending: number) => void;
  /**
   * How long work may wait in a queue no process takes from before the wait gives up: long enough
   * for a restarted worker to come back. Needs a transport that can tell. @defaultValue 30000
   */
  unservedAfterMs?: number;
  /** Gives up after this long, whatever is happening. @defaultValue no limit */
  timeoutMs?: number;
}

export const defaultUnservedAfterMs = 30_000;

/** The wait was given up: `unserved` names the queues no process consumes, if any. */
export class SettleWaitError extends DataflowError {
  override name = 'SettleWaitError';
  constructor(
    message: string,
    readonly pending: number,
    readonly unserved: UnservedQueue[],
  ) {
    super(message);
  }
}

export interface SettleWaitParts {
  state: StateStore;
  /** Asked which queues no process consumes, when it can tell. */
  transport: Transport | Sender;
  flow: Flow;
  /** The messages and everything they set off. */
  descendants(ids: string[]): Promise<StoredMessage[]>;
  /**
   * Which queues no process consumes, for a host that only sends yet can tell from outside (SQS's
   * queue depths). @defaultValue the transport's `unserved`, when it consumes
   */
  unserved?: Transport['unserved'];
  /** The events of the runtime waiting, when it handles messages itself: each it settles makes the wait ask again soon. */
  on?: (listener: FlowEventListener) => () => void;
}

export async function waitUntilSettled(parts: SettleWaitParts, ids: string[], options: SettleWaitOptions = {}): Promise<void> {
  const { state, flow } = parts;
  const transport: Partial<Pick<Transport, 'unserved'>> = parts.unserved ? { unserved: parts.unserved } : canConsume(parts.transport) ? parts.transport : {};
  const pollMs = options.pollMs ?? 100;
  const longestPollMs = Math.max(pollMs, options.longestPollMs ?? 1000);
  const unservedAfterMs = options.unservedAfterMs ?? defaultUnservedAfterMs;
  const started = Date.now();
  // Asking about unserved queues costs a query (and at times a walk of the causal tree): not on every poll.
  const checkEveryMs = Math.max(pollMs, Math.min(2_000, unservedAfterMs / 4));
  let nextCheck = started + unservedAfterMs;
  /** `onWait` hears from it every 5 s, the first time 5 s in. */
  const wordEveryMs = 5_000;
  let nextWord = started + wordEveryMs;
  let pending: number | undefined;

  // Roots (what `send` records) are counted by the store's index of pending messages by root. A
  // message inside a tree (a re-driven dead letter) would stand there for its whole tree, its
  // siblings too, so what it set off is walked instead: a letter sets off little.
  let scope: { roots: string[]; inner: string[] } | undefined;
  const countPending = async (): Promise<number> => {
    if (!scope) {
      const found = await Promise.all(ids.map(async (id) => ({ id, root: (await state.get(id))?.causedBy === undefined })));
      scope = { roots: found.filter((f) => f.root).map((f) => f.id), inner: found.filter((f) => !f.root).map((f) => f.id) };
    }
    const { roots, inner } = scope;
    const below = inner.length > 0 ? (await parts.descendants(inner)).filter((m) => m.status === 'pending').length : 0;
    return (roots.length > 0 ? await state.unsettled(roots) : 0) + below;
  };

  /** Queues of the messages still pending that no process consumes, over the last `forMs`. */
  const unservedQueues = async (forMs: number): Promise<UnservedQueue[]> => {
    if (!transport.unserved) return [];
    // One cheap question first; the causal tree is walked only to see whether an unserved queue is ours.
    const anywhere = await transport.unserved(flow.consumers().map((c) => c.name), forMs);
    if (anywhere.length === 0) return [];
    const waiting = (await parts.descendants(ids)).filter((m) => m.status === 'pending');
    const ours = new Set(waiting.map((m) => flow.route(m.type)));
    return anywhere.filter((u) => ours.has(u.queue));
  };
  const describe = (unserved: UnservedQueue[]) =>
    unserved.map((u) => u.description ?? `no process consumes ${u.queue} (${u.waiting} ${u.waiting === 1 ? 'delivery' : 'deliveries'} waiting)`).join('; ');

  /** Set when this process settles a message; cleared as each count begins. */
  let settledHere = false;
  const stopListening = parts.on?.((event) => {
    if (event.kind === 'done' || event.kind === 'dead') settledHere = true;
  });
  /** Waits `ms`, in steps of `pollMs`, cut short after a step once this process has settled something since the last count began. */
  const pause = async (ms: number) => {
    for (let waited = 0; waited < ms; waited += pollMs) {
      await new Promise((resolve) => setTimeout(resolve, Math.min(pollMs, ms - waited)));
      if (settledHere) return;
    }
  };
  try {
    for (;;) {
      // A store that is briefly unreachable (a database restart) is asked again, not given up on.
      settledHere = false;
      pending = (await countPending().catch(() => undefined)) ?? pending;
      if (pending === 0) return;
      const now = Date.now();
      if (now >= nextWord && pending !== undefined) {
        nextWord = now + wordEveryMs;
        options.onWait?.(pending);
      }
      if (options.timeoutMs !== undefined && now - started >= options.timeoutMs) {
        const unserved = await unservedQueues(Math.min(unservedAfterMs, now - started)).catch(() => []);
        const why = unserved.length > 0 ? `: ${describe(unserved)}` : '';
        throw new SettleWaitError(`gave up after ${seconds(options.timeoutMs)} with ${pending ?? 'some'} message(s) still pending${why}`, pending ?? 0, unserved);
      }
      if (now >= nextCheck) {
        nextCheck = now + checkEveryMs;
        // The transport's database may be restarting too: that is no verdict.
        const unserved = await unservedQueues(unservedAfterMs).catch(() => []);
        if (unserved.length > 0) {
          throw new SettleWaitError(`${describe(unserved)} for over ${seconds(unservedAfterMs)}; ${pending ?? 'some'} message(s) still pending`, pending ?? 0, unserved);
        }
      }
      const left = options.timeoutMs === undefined ? Infinity : started + options.timeoutMs - Date.now();
      await pause(Math.max(0, Math.min(left, longestPollMs, Math.max(pollMs, (Date.now() - started) / 20))));
    }
  } finally {
    stopListening?.();
  }
}

function seconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${(ms / 1000).toFixed(1)} s`;
}
