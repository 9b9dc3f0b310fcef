/** Waiting for what messages set off: roots by the store's count, messages inside a tree exactly. */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { memoryStateStore } from '../../src/adapters/memory/state-store.js';
import { causedTree } from '../../src/core/causal-chain.js';
import { waitUntilSettled } from '../../src/core/settle-wait.js';
import type { Flow, NewMessage, StateStore, StoredMessage, Transport } from '../../src/index.js';

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
