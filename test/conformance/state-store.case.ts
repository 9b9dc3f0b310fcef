/**
 * The state store's conformance suite: every adapter runs it unchanged.
 * `open` gives a fresh, empty store each time.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { NewMessage, StateStore } from '../../src/index.js';
import { usingStore } from './with-store.js';

/** A recorded frame report with this id, for the suites. */
export const message = (id: string, extra: Partial<NewMessage> = {}): NewMessage => ({
  id,
  type: 'did-fetch-amp-image',
  body: { type: 'did-fetch-amp-image', id, dateCreated: 1 },
  key: 'temps',
  validTime: 100,
  ...extra,
});

export interface ConformanceOptions {
  /**
   * Why this store has no `prune` (its retention is another: a TTL, tested with the store): the
   * prune cases become one that holds it to having none, so the runtime never calls it.
   */
  noPrune?: string;
}

export function stateStoreConformance(name: string, open: () => Promise<StateStore>, options: ConformanceOptions = {}): void {
  const pruning = options.noPrune === undefined;
  /** A prune case, for the stores that prune. */
  const pruneCase = (title: string, run: () => Promise<void>) => (pruning ? it(title, run) : undefined);
  describe(`state store conformance: ${name}`, () => {
    const withStore = usingStore(open);

    it('saves a message once and reads it back', withStore(async (store) => {
      assert.deepEqual(await store.save([message('a')], 10), ['a']);
      assert.deepEqual(await store.save([message('a', { validTime: 999 })], 11), [], 'a known id is left as it was');
      const stored = await store.get('a');
      assert.equal(stored?.status, 'pending');
      assert.equal(stored?.validTime, 100);
      assert.deepEqual(stored?.body, { type: 'did-fetch-amp-image', id: 'a', dateCreated: 1 });
      assert.equal(await store.get('missing'), undefined);
    }));

    it('settles a message and records what it caused in one step', withStore(async (store) => {
      await store.save([message('cause')], 1);
      await store.settle('cause', { status: 'done', attempts: 1 }, [message('effect', { type: 'please-create-thumbnail', causedBy: 'cause' })], 2);
      assert.equal((await store.get('cause'))?.status, 'done');
      const effect = await store.get('effect');
      assert.equal(effect?.status, 'pending');
      assert.equal(effect?.causedBy, 'cause');
      assert.deepEqual((await store.find({ causedBy: 'cause' })).map((m) => m.id), ['effect'], 'found by its cause');
      await assert.rejects(store.settle('never-saved', { status: 'done', attempts: 1 }, [], 3), /never-saved/);
    }));

    it('settles only a pending message: a late second settle changes nothing', withStore(async (store) => {
      await store.save([message('once')], 1);
      assert.equal(await store.settle('once', { status: 'done', attempts: 1 }, [message('first-effect', { causedBy: 'once' })], 2), true);
      assert.equal(await store.settle('once', { status: 'dead', attempts: 2, reason: 'late' }, [message('second-effect', { causedBy: 'once' })], 3), false);
      const stored = await store.get('once');
      assert.equal(stored?.status, 'done');
      assert.equal(stored?.reason, undefined);
      assert.equal(await store.get('second-effect'), undefined, 'a refused settle records nothing it caused');
    }));

    it('counts attempts before handling, gives one back, and only for a pending message', withStore(async (store) => {
      await store.save([message('a'), message('b')], 1);
      assert.equal(await store.recordAttempt('a'), 1);
      assert.equal(await store.recordAttempt('a', 1), 2);
      assert.equal(await store.recordAttempt('a', -1), 1, 'an attempt given back');
      assert.equal((await store.get('a'))?.attempts, 1, 'kept in the store: it outlives the process');
      assert.equal((await store.get('a'))?.status, 'pending');
      assert.equal(await store.recordAttempt('b', -1), 0, 'never below 0');
      await store.settle('a', { status: 'done', attempts: 2 }, [], 2);
      assert.equal(await store.recordAttempt('a'), undefined, 'a settled message is not counted');
      assert.equal((await store.get('a'))?.attempts, 2);
      assert.equal(await store.recordAttempt('missing'), undefined);
    }));

    it('begins an attempt in one step: records an unknown message, counts a pending one, leaves a settled one', withStore(async (store) => {
      await store.save([message('root')], 1);
      const first = await store.beginAttempt(message('a', { causedBy: 'root' }), 5);
      assert.deepEqual([first.id, first.status, first.attempts, first.causedBy, first.createdAt], ['a', 'pending', 1, 'root', 5], 'recorded with its attempt counted');
      assert.deepEqual(first.body, message('a').body);
      assert.equal((await store.get('a'))?.attempts, 1, 'kept in the store: it outlives the process');
      assert.equal(await store.unsettled(['root']), 2, 'recorded under its root, as save records it');
      const second = await store.beginAttempt(message('a', { body: { type: 'did-fetch-amp-image', id: 'a', dateCreated: 99 } }), 6);
      assert.equal(second.attempts, 2, 'a known pending message: counted again');
      assert.deepEqual(second.body, message('a').body, 'left as it was recorded');
      await store.recordFailure('a', 'RetryableError: down');
      const third = await store.beginAttempt(message('a'), 7);
      assert.deepEqual([third.attempts, third.failures, third.reason], [3, 1, 'RetryableError: down'], 'what the last attempts left, for a dead letter to tell');
      await store.settle('a', { status: 'done', attempts: 3 }, [], 8);
      const settled = await store.beginAttempt(message('a'), 9);
      assert.deepEqual([settled.status, settled.attempts], ['done', 3], 'a settled message: unchanged, and says so');
      assert.equal((await store.get('a'))?.attempts, 3);
      await store.save([message('b')], 1);
      assert.equal((await store.beginAttempt(message('b'), 2)).attempts, 1, 'saved before: its first attempt');
    }));

    it('counts failed attempts apart from those begun, keeps the last reason, and forgets both on revive', withStore(async (store) => {
      await store.save([message('a')], 1);
      assert.equal((await store.get('a'))?.failures, 0);
      await store.recordAttempt('a');
      assert.equal(await store.recordFailure('a', 'RetryableError: the map server is down'), true);
      await store.recordAttempt('a');
      assert.equal(await store.recordFailure('a', 'RetryableError: timed out after 20000 ms'), true);
      await store.recordAttempt('a'); // began and never ended: its process died
      const pending = await store.get('a');
      assert.equal(pending?.attempts, 3);
      assert.equal(pending?.failures, 2, 'one of the three attempts never ended');
      assert.equal(pending?.reason, 'RetryableError: timed out after 20000 ms', 'the last failure, kept while pending');
      await store.settle('a', { status: 'dead', attempts: 3, reason: 'given up' }, [], 2);
      assert.equal(await store.recordFailure('a', 'late'), false, 'a settled message is not counted');
      assert.equal((await store.get('a'))?.reason, 'given up');
      assert.equal(await store.recordFailure('missing', 'x'), false);
      const [revived] = await store.revive(['a'], 3);
      assert.deepEqual([revived?.attempts, revived?.failures, revived?.reason], [0, 0, undefined]);
      assert.deepEqual([(await store.get('a'))?.attempts, (await store.get('a'))?.failures], [0, 0]);
    }));

    it('finds messages by type and key, ordered by valid time', withStore(async (store) => {
      await store.save(
        [
          message('late', { validTime: 300 }),
          message('early', { validTime: 100 }),
          message('middle', { validTime: 200 }),
          message('other-key', { key: 'radar', validTime: 50 }),
          message('other-type', { type: 'did-create-gif', validTime: 10 }),
        ],
        1,
      );
      const found = await store.find({ type: 'did-fetch-amp-image', key: 'temps' });
      assert.deepEqual(found.map((m) => m.id), ['early', 'middle', 'late']);
      const ranged = await store.find({ type: 'did-fetch-amp-image', key: 'temps', validTime: { from: 150, to: 300 } });
      assert.deepEqual(ranged.map((m) => m.id), ['middle', 'late']);
      assert.equal((await store.find({ type: 'did-fetch-amp-image', limit: 2 })).length, 2);
    }));

    it('keeps dead letters with their reason and revives them', withStore(async (store) => {
      await store.save([message('ok'), message('poison')], 1);
      await store.settle('poison', { status: 'dead', attempts: 5, reason: 'width: expected number' }, [], 2);
      const dead = await store.find({ status: 'dead' });
      assert.deepEqual(dead.map((m) => [m.id, m.reason, m.attempts]), [['poison', 'width: expected number', 5]]);
      const revived = await store.revive(['poison', 'ok', 'missing'], 3);
      assert.deepEqual(revived.map((m) => m.id), ['poison'], 'only dead messages are revived');
      assert.equal((await store.get('poison'))?.status, 'pending');
      assert.equal((await store.get('poison'))?.reason, undefined);
    }));

    it('finds what any of several messages caused, in valid-time order', withStore(async (store) => {
      await store.save([message('a'), message('b'), message('c')], 1);
      await store.settle('a', { status: 'done', attempts: 1 }, [message('a1', { causedBy: 'a', validTime: 300 }), message('a2', { causedBy: 'a', validTime: 100 })], 2);
      await store.settle('b', { status: 'done', attempts: 1 }, [message('b1', { causedBy: 'b', validTime: 200 })], 3);
      await store.settle('c', { status: 'done', attempts: 1 }, [message('c1', { causedBy: 'c', validTime: 150 })], 4);
      await store.settle('a1', { status: 'dead', attempts: 1, reason: 'broken' }, [], 5);
      assert.deepEqual((await store.find({ causedBy: ['a', 'b', 'unknown'] })).map((m) => m.id), ['a2', 'b1', 'a1']);
      assert.deepEqual((await store.find({ causedBy: ['b', 'a'], limit: 2 })).map((m) => m.id), ['a2', 'b1'], 'the limit counts them all');
      assert.deepEqual((await store.find({ causedBy: ['a', 'c'], status: 'pending' })).map((m) => m.id), ['a2', 'c1'], 'with the other conditions');
      assert.deepEqual((await store.find({ causedBy: ['a', 'b'], validTime: { from: 150, to: 250 } })).map((m) => m.id), ['b1']);
      assert.equal((await store.find({ causedBy: [] })).length, 0, 'no causes find nothing');
    }));

    it('counts what a set of messages set off that is still pending', withStore(async (store) => {
      await store.save([message('root'), message('other-root')], 1);
      assert.equal(await store.unsettled(['root']), 1);
      await store.settle('root', { status: 'done', attempts: 1 }, [message('child', { causedBy: 'root' })], 2);
      assert.equal(await store.unsettled(['root']), 1, 'the child is pending');
      await store.settle('child', { status: 'done', attempts: 1 }, [message('grandchild', { causedBy: 'child' }), message('sibling', { causedBy: 'child' })], 3);
      assert.equal(await store.unsettled(['root']), 2);
      await store.settle('grandchild', { status: 'dead', attempts: 3, reason: 'broken' }, [], 4);
      await store.settle('sibling', { status: 'done', attempts: 1 }, [], 4);
      assert.equal(await store.unsettled(['root']), 0, 'done and dead both count as settled');
      assert.equal(await store.unsettled(['other-root']), 1);
      assert.equal(await store.unsettled(['root', 'other-root']), 1);
      assert.equal(await store.unsettled([]), 0);
      assert.equal(await store.unsettled(['unknown']), 0);
    }));

    it('counts what is pending through a deep chain, and across roots', withStore(async (store) => {
      await store.save([message('r0'), message('elsewhere')], 1);
      for (let i = 0; i < 60; i++) {
        // Each step causes the next, and a side message named after a cause one step up (a fan-in's
        // result may name as its cause the message it is about, not the one being handled).
        const caused = [message(`r${i + 1}`, { causedBy: `r${i}` })];
        if (i % 20 === 19) caused.push(message(`side${i}`, { causedBy: `r${i - 1}` }));
        await store.settle(`r${i}`, { status: 'done', attempts: 1 }, caused, 2 + i);
      }
      assert.equal(await store.unsettled(['r0']), 4, 'the end of the chain and three side messages');
      assert.equal(await store.unsettled(['r30']), 4, 'an id inside a tree stands for the whole tree');
      await store.settle('r60', { status: 'done', attempts: 1 }, [], 100);
      for (const i of [19, 39, 59]) await store.settle(`side${i}`, { status: 'done', attempts: 1 }, [], 100);
      assert.equal(await store.unsettled(['r0']), 0);
      assert.equal(await store.unsettled(['r0', 'elsewhere']), 1);

      // Saved together, one causing the other; and one whose cause the store does not hold.
      await store.save([message('batch-root'), message('batch-child', { causedBy: 'batch-root' }), message('orphan', { causedBy: 'never-recorded' })], 200);
      assert.equal(await store.unsettled(['batch-root']), 2);
      assert.equal(await store.unsettled(['orphan']), 1, 'under the cause it names');
      await store.save([message('orphan-sibling', { causedBy: 'never-recorded' })], 201);
      assert.equal(await store.unsettled(['orphan']), 2, 'both name the same missing cause: one tree');
    }));

    it('makes every N new members of a group one batch, ordered by `order`', withStore(async (store) => {
      const results = [];
      for (const [i, order] of [50, 10, 40, 20, 30, 60].entries()) {
        results.push(await store.addToWindow('frames:temps', { id: `f${order}`, order, value: { i } }, 5));
      }
      assert.deepEqual(results.slice(0, 4), [undefined, undefined, undefined, undefined]);
      const batch = results[4]!;
      assert.equal(batch.group, 'frames:temps');
      assert.equal(batch.index, 1);
      assert.equal(batch.closedBy, 'f30');
      assert.deepEqual(batch.members.map((m) => m.order), [10, 20, 30, 40, 50]);
      assert.deepEqual(batch.members[0]!.value, { i: 1 });
      assert.equal(results[5], undefined, 'the sixth member waits for the next batch');
      assert.deepEqual(await store.openWindow('frames:temps'), { group: 'frames:temps', index: 2, members: [{ id: 'f60', order: 60, value: { i: 5 } }] });
      assert.deepEqual(await store.windowOf('frames:temps', 'f40'), batch);
      assert.equal(await store.windowOf('frames:temps', 'f60'), undefined, 'its window is still open');
      assert.equal(await store.windowOf('frames:other', 'f40'), undefined, 'groups are separate');
      assert.deepEqual(await store.openWindow('frames:other'), { group: 'frames:other', index: 1, members: [] });
      await assert.rejects(store.addToWindow('g', { id: 'x', order: 1, value: null }, 0), /size must be a positive integer, got 0/);
    }));

    it('replays a member added again: the batch it closed, whatever it brings this time', withStore(async (store) => {
      for (const order of [1, 2]) await store.addToWindow('g', { id: `m${order}`, order, value: null }, 3);
      assert.equal(await store.addToWindow('g', { id: 'm1', order: 1, value: null }, 3), undefined, 'a duplicate does not count');
      assert.equal((await store.openWindow('g')).members.length, 2);
      const closed = await store.addToWindow('g', { id: 'm3', order: 3, value: 'first' }, 3);
      assert.equal(closed?.members.length, 3);
      const replay = await store.addToWindow('g', { id: 'm3', order: 99, value: 'second' }, 3);
      assert.deepEqual(replay, closed, 'the closing member gets its batch again, as it first was');
      assert.equal(await store.addToWindow('g', { id: 'm2', order: 2, value: null }, 3), undefined, 'other members do not');
      assert.deepEqual(await store.openWindow('g'), { group: 'g', index: 2, members: [] }, 'replays open no new window');
      assert.equal(await store.addToWindow('g', { id: 'm4', order: 4, value: null }, 1) !== undefined, true, 'a lowered size closes at once');
      assert.equal((await store.windowOf('g', 'm4'))?.index, 2);
    }));

    it('keeps its records bounded: after 1,000 members the open window holds fewer than N', withStore(async (store) => {
      let closed = 0;
      for (let i = 0; i < 1000; i++) if (await store.addToWindow('long', { id: `m${i}`, order: i, value: { location: `frame-${i}.png` } }, 7)) closed++;
      assert.equal(closed, 142);
      const open = await store.openWindow('long');
      assert.equal(open.index, 143);
      assert.deepEqual(open.members.map((m) => m.id), ['m994', 'm995', 'm996', 'm997', 'm998', 'm999']);
      assert.deepEqual((await store.windowOf('long', 'm0'))?.members.map((m) => m.id), ['m0', 'm1', 'm2', 'm3', 'm4', 'm5', 'm6']);
      assert.equal((await store.windowOf('long', 'm993'))?.index, 142);
      assert.equal(await store.addToWindow('long', { id: 'm500', order: 500, value: null }, 7), undefined, 'a late duplicate joins nothing');
      assert.equal((await store.openWindow('long')).members.length, 6);
    }));

    it('gives each batch to exactly one of many concurrent adders', withStore(async (store) => {
      const orders = Array.from({ length: 20 }, (_, i) => 1000 - i * 7);
      // Every member added twice at once, as two deliveries of one message would.
      const results = await Promise.all([...orders, ...orders].map((order) => store.addToWindow('race', { id: String(order), order, value: order }, 5)));
      const batches = results.filter((b) => b !== undefined);
      assert.equal(new Set(batches.map((b) => b.index)).size, 4, 'four batches, each given to its closer and, at most, its replay');
      const distinct = [...new Map(batches.map((b) => [b.index, b])).values()];
      const members = distinct.flatMap((b) => b.members.map((m) => m.id));
      assert.equal(members.length, 20);
      assert.equal(new Set(members).size, 20, 'no member in two batches, none left out');
      for (const b of distinct) {
        assert.deepEqual(b.members, [...b.members].sort((x, y) => x.order - y.order));
        assert.ok(b.members.some((m) => m.id === b.closedBy));
      }
      assert.deepEqual(distinct.map((b) => b.index).sort(), [1, 2, 3, 4]);
      assert.deepEqual((await store.openWindow('race')).members, []);
    }));

    it('completes a known set once, when its last awaited part arrives', withStore(async (store) => {
      const expected = ['gif', 'thumbnail:1', 'thumbnail:2'];
      assert.equal(await store.addPart('mail:1', expected, { name: 'thumbnail:2', value: { at: 2 } }), undefined);
      assert.equal(await store.addPart('mail:1', expected, { name: 'gif', value: { at: 'gif' } }), undefined);
      assert.equal(await store.addPart('mail:1', expected, { name: 'gif', value: { at: 'again' } }), undefined, 'a part again counts once');
      const complete = await store.addPart('mail:1', expected, { name: 'thumbnail:1', value: { at: 1 } });
      assert.deepEqual(complete, {
        set: 'mail:1',
        parts: [
          { name: 'gif', value: { at: 'gif' } },
          { name: 'thumbnail:1', value: { at: 1 } },
          { name: 'thumbnail:2', value: { at: 2 } },
        ],
        completedBy: 'thumbnail:1',
      }, 'in the order expected, each with its first value');
      assert.deepEqual(await store.addPart('mail:1', expected, { name: 'thumbnail:1', value: 'late' }), complete, 'its completer replays it');
      assert.equal(await store.addPart('mail:1', expected, { name: 'thumbnail:2', value: null }), undefined, 'no other part gets it');
      assert.equal(await store.addPart('mail:2', ['gif'], { name: 'gif', value: null }) !== undefined, true, 'sets are separate');

      await assert.rejects(store.addPart('mail:1', expected, { name: 'thumbnail:3', value: null }), /part "thumbnail:3" is not one of the expected parts/);
      await assert.rejects(store.addPart('mail:1', ['gif', 'thumbnail:1'], { name: 'gif', value: null }), /mail:1: expected .* differs/);
      await assert.rejects(store.addPart('mail:3', [], { name: 'gif', value: null }), /at least one part/);
      await assert.rejects(store.addPart('mail:3', ['gif', 'gif'], { name: 'gif', value: null }), /"gif" twice/);
    }));

    it('completes a known set exactly once under concurrent parts and duplicates', withStore(async (store) => {
      const expected = Array.from({ length: 12 }, (_, i) => `part:${i}`);
      for (const round of [1, 2, 3]) {
        const adds = [...expected, ...expected.slice(0, 6)].map((name) => store.addPart(`set:${round}`, expected, { name, value: { round, name } }));
        const results = (await Promise.all(adds)).filter((r) => r !== undefined);
        assert.ok(results.length >= 1 && results.length <= 2, `round ${round}: one completion (and, at most, its replay), got ${results.length}`);
        assert.equal(new Set(results.map((r) => r.completedBy)).size, 1);
        assert.deepEqual(results[0]!.parts.map((p) => p.name), expected);
      }
    }));

    if (!pruning) {
      it(`has no prune, its retention being another: ${options.noPrune}`, withStore(async (store) => {
        assert.equal(store.prune, undefined);
      }));
    }

    pruneCase('prunes old done messages, keeping pending and dead ones, their causes, and what a waiting fan-in member needs', withStore(async (store) => {
      assert.ok(store.prune, 'this store prunes');
      const done = { status: 'done', attempts: 1 } as const;
      // A key per chain: what shares a pending message's key is kept (see the next test).
      const m = (id: string, key: string, causedBy?: string) => message(id, { key, causedBy });
      await store.save([m('root-a', 'a'), m('root-b', 'b'), m('root-c', 'c'), m('late', 'late')], 1);
      await store.settle('root-a', done, [m('a1', 'a', 'root-a')], 2);
      await store.settle('a1', done, [m('a2', 'a', 'a1')], 3);
      await store.settle('root-b', done, [m('b1', 'b', 'root-b')], 2);
      await store.settle('b1', { status: 'dead', attempts: 5, reason: 'broken' }, [], 3);
      await store.settle('root-c', done, [m('c1', 'c', 'root-c')], 2);
      await store.settle('c1', done, [], 3);
      await store.settle('late', done, [], 50);
      // A member waits in its group: what is recorded from then on may be what its batch looks up.
      await store.addToWindow('frames', { id: 'waiting', order: 1, value: null }, 2);
      // And so may what is recorded after the first part of a known set still awaiting others.
      await store.addPart('mail', ['gif', 'thumbnail'], { name: 'gif', value: null });
      await store.save([message('after-join', { key: 'j' })], 4);
      await store.settle('after-join', done, [], 5);

      assert.equal(await store.prune(10), 2, 'root-c and c1: done, settled before 10, nothing pending or dead below them');
      const left = async () => (await store.find({ limit: 100 })).map((m) => m.id).sort();
      assert.deepEqual(await left(), ['a1', 'a2', 'after-join', 'b1', 'late', 'root-a', 'root-b']);
      assert.equal(await store.prune(10), 0, 'pruning again removes nothing more');

      await store.addToWindow('frames', { id: 'closing', order: 2, value: null }, 2);
      assert.equal(await store.prune(10), 0, 'the set is still open');
      await store.addPart('mail', ['gif', 'thumbnail'], { name: 'thumbnail', value: null });
      assert.equal(await store.prune(10), 1, 'once the window closed and the set completed, what came after them may go');
      assert.equal(await store.get('after-join'), undefined);
      assert.deepEqual((await store.windowOf('frames', 'waiting'))?.members.map((m) => m.id), ['waiting', 'closing'], 'fan-in decisions stay');
      assert.equal(await store.addToWindow('frames', { id: 'waiting', order: 1, value: null }, 2), undefined, 'a late duplicate opens no new batch');
      assert.equal(await store.addPart('mail', ['gif', 'thumbnail'], { name: 'gif', value: null }), undefined, 'nor a late part');

      await store.settle('a2', done, [], 6);
      assert.equal(await store.prune(10), 3, 'the settled chain goes: a2, a1, root-a');
      assert.deepEqual(await left(), ['b1', 'late', 'root-b']);
      await assert.rejects(store.prune(Number.NaN), /before/);
    }));

    pruneCase('prunes nothing under the key of a pending message: a GIF made, its mail not yet sent, still finds its frames\' thumbnails', withStore(async (store) => {
      const done = { status: 'done', attempts: 1 } as const;
      const m = (id: string, key: string | undefined, causedBy?: string) => message(id, { key, causedBy });
      await store.save([m('other', 'other'), m('unkeyed', undefined)], 1);
      await store.settle('other', done, [], 2);
      await store.settle('unkeyed', done, [], 2);
      await store.save([m('first-frame', 'img')], 3);
      await store.addToWindow('frames', { id: 'f1', order: 1, value: null }, 2);
      await store.settle('first-frame', done, [m('first-thumbnail', 'img', 'first-frame')], 4);
      await store.settle('first-thumbnail', done, [], 5);
      await store.save([m('second-frame', 'img')], 6);
      assert.ok(await store.addToWindow('frames', { id: 'f2', order: 2, value: null }, 2), 'the second frame closes the batch');
      await store.settle('second-frame', done, [m('gif-request', 'img', 'second-frame')], 7);

      assert.equal(await store.prune!(10), 2, 'only what no pending message\'s key covers: "other" and "unkeyed"');
      await store.settle('gif-request', done, [m('gif-made', 'img', 'gif-request')], 8);
      assert.equal(await store.prune!(10), 0, 'the GIF made is pending: its handling looks up the thumbnails by imageId');
      assert.ok(await store.get('first-thumbnail'), 'the first frame\'s thumbnail is still there for the mail');
      await store.settle('gif-made', done, [], 9);
      assert.equal(await store.prune!(10), 5, 'once the mail is decided, the whole GIF goes');
      assert.deepEqual(await store.find({ limit: 100 }), []);
      assert.deepEqual((await store.windowOf('frames', 'f1'))?.members.map((x) => x.id), ['f1', 'f2'], 'fan-in decisions stay');
    }));

  });
}
