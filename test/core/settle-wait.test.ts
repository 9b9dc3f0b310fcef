/** Waiting for what messages set off: roots by the store's count, messages inside a tree exactly. */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { memoryStateStore } from '../../src/adapters/memory/state-store.js';
import { causedTree } from '../../src/core/causal-chain.js';
import { waitUntilSettled } from '../../src/core/settle-wait.js';
import type { Flow, FlowEvent, FlowEventListener, NewMessage, StateStore, StoredMessage, Transport } from '../../src/index.js';

const m = (id: string, causedBy?: string): NewMessage => ({ id, type: 'please-double', body: { raw: id }, causedBy });
const done = { status: 'done', attempts: 1 } as const;

async function descendants(state: StateStore, ids: string[]): Promise<StoredMessage[]> {
  const found: StoredMessage[] = [];
  for (const id of ids) {
    const root = await state.get(id);
    if (!root) continue;
    const walk = (node: Awaited<ReturnType<typeof causedTree>>['tree']): void => {
      found.push(node.message);
      node.caused.forEach(walk);
    };
    walk((await causedTree(state, root, Number.MAX_SAFE_INTEGER)).tree);
  }
  return found;
}

function waitFor(state: StateStore, ids: string[]) {
  const parts = { state, transport: {} as Transport, flow: {} as Flow, descendants: (roots: string[]) => descendants(state, roots) };
  let settled = false;
  const wait = waitUntilSettled(parts, ids, { pollMs: 5, timeoutMs: 2000 }).then(() => void (settled = true));
  return { wait, settled: () => settled };
}

it('waits for a root\'s whole tree, and for a re-driven letter only for what it set off, not its siblings', async () => {
  const state = memoryStateStore();
  await state.save([m('root')], 1);
  await state.settle('root', done, [m('letter', 'root'), m('sibling', 'root')], 2);

  const forRoot = waitFor(state, ['root']);
  const forLetter = waitFor(state, ['letter']);
  await state.settle('letter', done, [m('retry', 'letter')], 3);
  await new Promise((resolve) => setTimeout(resolve, 50));
  assert.equal(forLetter.settled(), false, 'what the letter set off is pending');
  await state.settle('retry', done, [], 4);
  await forLetter.wait;
  assert.equal(forRoot.settled(), false, 'the sibling is still pending: the root waits for it, the letter did not');
  await state.settle('sibling', done, [], 5);
  await forRoot.wait;
});

it('asks ever less often as a wait goes on, and soon again once this process settles something', async () => {
  const state = memoryStateStore();
  await state.save([m('slow')], 1);
  let asked = 0;
  const counting: StateStore = { ...state, unsettled: (ids) => (asked++, state.unsettled(ids)) };
  const listeners = new Set<FlowEventListener>();
  const parts = {
    state: counting,
    transport: {} as Transport,
    flow: {} as Flow,
    descendants: (roots: string[]) => descendants(state, roots),
    on: (listener: FlowEventListener) => (listeners.add(listener), () => void listeners.delete(listener)),
  };
  const wait = waitUntilSettled(parts, ['slow'], { pollMs: 10, longestPollMs: 400, timeoutMs: 10_000 });
  await new Promise((resolve) => setTimeout(resolve, 1500));
  // Every 10 ms would be 150; a twentieth of the time waited is about 10 + 20 * ln(1500 / 200).
  assert.ok(asked >= 10 && asked <= 60, `asked ${asked} times in 1.5 s`);

  // A settle here: the wait asks again within a step, not at the end of its 75 ms pause.
  await state.settle('slow', done, [], 2);
  const settledAt = Date.now();
  const stored = (await state.get('slow'))!;
  for (const listener of listeners) listener({ kind: 'done', consumer: 'doubler', message: stored, durationMs: 0, sent: [] } as unknown as FlowEvent);
  await wait;
  assert.ok(Date.now() - settledAt < 50, `ended ${Date.now() - settledAt} ms after the settle here`);
  assert.equal(listeners.size, 0, 'the wait stops listening once it ends');
});

it('asks no more often than every `pollMs` while this process settles messages all the time', async () => {
  const state = memoryStateStore();
  await state.save([m('busy')], 1);
  let asked = 0;
  const counting: StateStore = { ...state, unsettled: (ids) => (asked++, state.unsettled(ids)) };
  let listener: FlowEventListener | undefined;
  const parts = { state: counting, transport: {} as Transport, flow: {} as Flow, descendants: (roots: string[]) => descendants(state, roots), on: (l: FlowEventListener) => ((listener = l), () => (listener = undefined)) };
  const doneEvent = { kind: 'done', consumer: 'doubler', message: (await state.get('busy'))!, durationMs: 0, sent: [] } as unknown as FlowEvent;
  const settling = setInterval(() => listener?.(doneEvent), 1);
  const wait = waitUntilSettled(parts, ['busy'], { pollMs: 50, timeoutMs: 10_000 });
  await new Promise((resolve) => setTimeout(resolve, 500));
  clearInterval(settling);
  assert.ok(asked <= 12, `asked ${asked} times in 0.5 s at most every 50 ms`);
  await state.settle('busy', done, [], 2);
  await wait;
});
