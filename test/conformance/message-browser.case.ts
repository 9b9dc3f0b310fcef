/** The message browser's conformance suite: every state store that offers one runs it unchanged. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { MessageBrowser, NewMessage, StateStore } from '../../src/index.js';

const message = (id: string, extra: Partial<NewMessage> = {}): NewMessage => ({
  id,
  type: 'did-fetch-amp-image',
  body: { type: 'did-fetch-amp-image', id, dateCreated: 1 },
  key: 'temps',
  ...extra,
});

export function messageBrowserConformance(name: string, open: () => Promise<StateStore & MessageBrowser>, options: { noPrune?: string } = {}): void {
  describe(`message browser conformance: ${name}`, () => {
    const withStore = (run: (store: StateStore & MessageBrowser) => Promise<void>) => async () => {
      const store = await open();
      try {
        await run(store);
      } finally {
        await store.close();
      }
    };

    it('pages through a search, newest first, filtered by type, key, status and time', withStore(async (store) => {
      for (let i = 0; i < 7; i++) await store.save([message(`m${i}`, { key: i % 2 ? 'radar' : 'temps' })], 1000 + i);
      await store.save([message('gif', { type: 'did-create-gif' })], 2000);
      const first = await store.search({ type: 'did-fetch-amp-image', limit: 3 });
      assert.deepEqual(first.messages.map((m) => m.id), ['m6', 'm5', 'm4']);
      assert.ok(first.next);
      const second = await store.search({ type: 'did-fetch-amp-image', limit: 3, cursor: first.next });
      assert.deepEqual(second.messages.map((m) => m.id), ['m3', 'm2', 'm1']);
      const last = await store.search({ type: 'did-fetch-amp-image', limit: 3, cursor: second.next });
      assert.deepEqual(last.messages.map((m) => m.id), ['m0']);
      assert.equal(last.next, undefined);
      assert.deepEqual((await store.search({ key: 'radar' })).messages.map((m) => m.id), ['m5', 'm3', 'm1']);
      assert.deepEqual((await store.search({ from: 1005, to: 1006 })).messages.map((m) => m.id), ['m6', 'm5']);
      const window = await store.search({ from: 1001, to: 1004, limit: 3 });
      assert.deepEqual(window.messages.map((m) => m.id), ['m4', 'm3', 'm2'], 'a time window pages newest first');
      assert.deepEqual((await store.search({ from: 1001, to: 1004, limit: 3, cursor: window.next })).messages.map((m) => m.id), ['m1']);
      assert.deepEqual((await store.search({ from: 5000, to: 4000 })).messages, [], 'an empty window');
      await assert.rejects(store.search({ from: 1001, cursor: first.next }), /cursor/, 'a cursor from another kind of search');
      await store.settle('m0', { status: 'dead', attempts: 1, reason: 'x' }, [], 3000);
      assert.deepEqual((await store.search({ status: 'dead' })).messages.map((m) => m.id), ['m0']);
      await assert.rejects(store.search({ limit: 0 }), /limit/);
    }));

    it('counts messages by type and status', withStore(async (store) => {
      await store.save([message('a'), message('b'), message('c', { type: 'did-create-gif' })], 1);
      await store.settle('a', { status: 'done', attempts: 1 }, [], 2);
      const counts = await store.counts();
      assert.deepEqual(
        counts.map((c) => [c.type, c.status, c.count]),
        [['did-create-gif', 'pending', 1], ['did-fetch-amp-image', 'done', 1], ['did-fetch-amp-image', 'pending', 1]],
      );
    }));

    it('keeps the counts exact through save, settle, dead, revive and prune, with settles racing', withStore(async (store) => {
      const truth = async () => {
        const tally = new Map<string, number>();
        for (const m of await store.find({ limit: 100_000 })) tally.set(`${m.type} ${m.status}`, (tally.get(`${m.type} ${m.status}`) ?? 0) + 1);
        return [...tally].sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, count]) => [...k.split(' '), count]);
      };
      const check = async (when: string) => {
        const counts = (await store.counts()).map((c) => [c.type, c.status, c.count]);
        assert.deepEqual(counts, await truth(), when);
      };
      const ids = Array.from({ length: 60 }, (_, i) => `m${i}`);
      await store.save(ids.map((id, i) => message(id, { type: i % 2 ? 'did-create-gif' : 'did-fetch-amp-image' })), 1);
      await store.save(ids.slice(0, 10).map((id) => message(id)), 2);
      await check('after saves, a known id saved again counting once');

      // Every message settled at once, ten of them twice: the second settle of each changes nothing.
      const settles = ids.map((id, i) =>
        store.settle(id, i % 3 ? { status: 'done', attempts: 1 } : { status: 'dead', attempts: 5, reason: 'x' }, [message(`e${i}`, { type: 'please-create-thumbnail', causedBy: id, key: `e${i}` })], 3),
      );
      const racing = ids.slice(0, 10).map((id) => store.settle(id, { status: 'dead', attempts: 2, reason: 'late' }, [], 3));
      const results = await Promise.all([...settles, ...racing]);
      assert.equal(results.filter(Boolean).length, 60, 'each message settled once');
      await check('after concurrent settles');

      // Which of two racing settles wins is the race's to decide, so count what died.
      const dead = (await store.find({ status: 'dead', limit: 100_000 })).length;
      assert.ok(dead >= 20, `at least the 20 settled dead alone died, got ${dead}`);
      assert.equal((await store.revive('all', 4)).length, dead);
      await check('after revive');
      await Promise.all(ids.filter((_, i) => i % 3 === 0).map((id) => store.settle(id, { status: 'done', attempts: 1 }, [], 5)));
      await Promise.all(ids.filter((_, i) => i % 4 === 0).map((_, i) => store.settle(`e${i * 4}`, { status: 'done', attempts: 1 }, [], 5)));
      await check('after settling the revived');

      if (options.noPrune !== undefined) return; // its retention is another (a TTL): nothing to prune
      assert.ok(store.prune, 'this store prunes');
      assert.ok((await store.prune(1_000)) > 0);
      await check('after prune');
    }));

    it('sums what settled per type and time bucket, with latency from recorded to settled', withStore(async (store) => {
      await store.save([message('a'), message('b'), message('c'), message('old')], 60_000);
      await store.settle('a', { status: 'done', attempts: 1 }, [], 60_000 + 100);
      await store.settle('b', { status: 'done', attempts: 1 }, [], 60_000 + 300);
      await store.settle('c', { status: 'dead', attempts: 5, reason: 'x' }, [], 120_500);
      await store.settle('old', { status: 'done', attempts: 1 }, [], 60_000);
      const activity = await store.activity(60_001, 60_000);
      assert.deepEqual(activity, [
        { type: 'did-fetch-amp-image', start: 60_000, done: 2, dead: 0, averageLatencyMs: 200, maxLatencyMs: 300 },
        { type: 'did-fetch-amp-image', start: 120_000, done: 0, dead: 1, averageLatencyMs: 0, maxLatencyMs: 0 },
      ]);
    }));
  });
}
