import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { MessageQuery, NewMessage, StateStore } from '../../src/index.js';
import { memoryStateStore } from '../../src/adapters/memory/state-store.js';
import { causedForest, causedTree, flatten } from '../../src/core/causal-chain.js';

const note = (id: string, causedBy?: string): NewMessage => ({ id, type: 'did-note', body: { type: 'did-note', id, dateCreated: 1 }, causedBy });

/** A store that counts its `find` calls. */
function counting(store: StateStore): { store: StateStore; finds: () => number } {
  let finds = 0;
  return {
    store: { ...store, find: (query: MessageQuery) => (finds++, store.find(query)) },
    finds: () => finds,
  };
}

/** `roots` roots, each with `children` children that each cause one grandchild, each recorded a moment after the last. */
async function forest(roots: number, children: number): Promise<StateStore> {
  const store = memoryStateStore();
  let now = 1;
  for (let r = 0; r < roots; r++) {
    await store.save([note(`r${r}`)], now++);
    for (let c = 0; c < children; c++) await store.save([note(`r${r}c${c}`, `r${r}`)], now++);
    for (let c = 0; c < children; c++) await store.save([note(`r${r}c${c}g`, `r${r}c${c}`)], now++);
  }
  return store;
}

describe('the causal tree', () => {
  it('walks many trees a level at a time, not a message at a time', async () => {
    const { store, finds } = counting(await forest(300, 2));
    const roots = await Promise.all(Array.from({ length: 300 }, async (_, r) => (await store.get(`r${r}`))!));
    const { trees, truncated } = await causedForest(store, roots, Number.MAX_SAFE_INTEGER);
    assert.equal(truncated, false);
    assert.equal(trees.flatMap((t) => flatten(t)).length, 300 * 4, 'every child and grandchild');
    assert.deepEqual(flatten(trees[7]!).map((d) => [d.message.id, d.depth, d.parentId]), [
      ['r7c0', 1, 'r7'],
      ['r7c0g', 2, 'r7c0'],
      ['r7c1', 1, 'r7'],
      ['r7c1g', 2, 'r7c1'],
    ]);
    // Levels of 300, 600 and 1,200 causes, at most 500 a query: 1 + 2 + 3 queries.
    assert.ok(finds() <= 6, `${finds()} finds for 1,500 messages`);
  });

  it('keeps the nearest messages, siblings in arrival order, when capped', async () => {
    const store = await forest(1, 600);
    const { tree, truncated } = await causedTree(store, (await store.get('r0'))!, 500);
    assert.equal(truncated, true);
    const kept = flatten(tree);
    assert.equal(kept.length, 500);
    assert.deepEqual(kept.slice(0, 2).map((d) => d.message.id), ['r0c0', 'r0c1']);
    assert.ok(kept.every((d) => d.depth === 1), 'the children first: no grandchild while a child is left out');

    const deeper = await causedTree(store, (await store.get('r0'))!, 900);
    assert.equal(deeper.truncated, true);
    const nodes = flatten(deeper.tree);
    assert.equal(nodes.filter((d) => d.depth === 1).length, 600);
    assert.deepEqual(
      nodes.filter((d) => d.depth === 2).map((d) => d.parentId),
      Array.from({ length: 300 }, (_, c) => `r0c${c}`),
      'the grandchildren of the first 300 children, however the level was asked for',
    );
  });

  it('says it was cut short only when the cap left something out', async () => {
    const store = await forest(1, 2);
    const root = (await store.get('r0'))!;
    assert.equal((await causedTree(store, root, 4)).truncated, false, 'exactly the cap: nothing left out');
    assert.equal((await causedTree(store, root, 3)).truncated, true);
    assert.equal((await causedTree(store, (await store.get('r0c0g'))!, 0)).truncated, false, 'a leaf has nothing to leave out');
    assert.equal((await causedTree(store, root, 0)).truncated, true);
  });

  it('lists a message reached from two roots once', async () => {
    const store = await forest(2, 1);
    const roots = [(await store.get('r0'))!, (await store.get('r0c0'))!];
    const { trees } = await causedForest(store, roots);
    assert.deepEqual(trees.map((t) => flatten(t).map((d) => d.message.id)), [[], ['r0c0g']], 'r0c0 stands under itself, not again under r0');
  });
});
