/**
 * The state store conformance suite against PostgreSQL, plus what only a shared server can show:
 * fan-in across processes, the transactional outbox on settle, and concurrent migrations.
 *
 * Each store gets a schema of its own (`freshSchema`), dropped when the store closes. Without a
 * reachable server the whole file is skipped with the reason (it fails instead when
 * DATAFLOW_REQUIRE_SERVICES=1).
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import pg from 'pg';
import { migrate, migrations } from '../../src/adapters/postgres/migrations.js';
import { openPostgresStateStore } from '../../src/adapters/postgres/state-store.js';
import type { Batch, NewMessage, StateStore } from '../../src/index.js';
import { freshSchema, skipWithoutPostgres, testDatabaseUrl } from '../support/postgres.js';
import { message, stateStoreConformance } from './state-store.case.js';

const run = promisify(execFile);
const skip = await skipWithoutPostgres();

/** A store in a fresh schema (on the pool's search_path) that drops the schema when it closes. */
async function openFresh(options: Omit<Parameters<typeof openPostgresStateStore>[0], 'pool'> = {}) {
  const db = await freshSchema();
  try {
    await migrate(db.pool);
  } catch (error) {
    await db.drop();
    throw error;
  }
  const store = openPostgresStateStore({ ...options, pool: db.pool });
  const wrapped: StateStore = {
    ...store,
    async close() {
      try {
        await store.close();
      } finally {
        await db.drop();
      }
    },
  };
  return { db, store: wrapped };
}

describe('PostgreSQL state store', { skip }, () => {
  stateStoreConformance('PostgreSQL (schema on the search_path)', async () => (await openFresh()).store);

  stateStoreConformance('PostgreSQL (schema given by name)', async () => {
    // A pool with the default search_path, so only qualified names can reach the tables.
    const db = await freshSchema();
    const pool = new pg.Pool({ connectionString: testDatabaseUrl, max: 10 });
    try {
      await migrate(pool, { schema: db.schema });
    } catch (error) {
      await pool.end();
      await db.drop();
      throw error;
    }
    const store = openPostgresStateStore({ pool, schema: db.schema });
    return {
      ...store,
      async close() {
        try {
          await store.close();
        } finally {
          await pool.end();
          await db.drop();
        }
      },
    };
  });

  it('fan-in holds across processes: 4 processes x 10 members give 8 batches, each member in one', async () => {
    const db = await freshSchema();
    const barrier = await db.pool.connect();
    try {
      await migrate(db.pool);
      const [key1, key2] = [randomInt(1, 2 ** 31 - 1), randomInt(1, 2 ** 31 - 1)];
      // Hold the barrier: every child blocks on it, so all four start collecting at the same moment.
      await barrier.query('SELECT pg_advisory_lock($1::integer, $2::integer)', [key1, key2]);
      const child = fileURLToPath(new URL('./postgres-window-adder-child.ts', import.meta.url));
      const outputs = Promise.all(
        [0, 1, 2, 3].map((p) =>
          run(process.execPath, ['--conditions=source', '--import', 'tsx', child, db.url, String(p * 1000), '10', String(key1), String(key2)], { encoding: 'utf8' }),
        ),
      );
      outputs.catch(() => {}); // awaited below; keep a failing child from being an unhandled rejection meanwhile
      const deadline = Date.now() + 60_000;
      for (;;) {
        const { rows } = await barrier.query<{ waiting: number }>(
          `SELECT COUNT(*)::integer AS waiting FROM pg_locks
           WHERE locktype = 'advisory' AND classid = $1 AND objid = $2 AND objsubid = 2 AND NOT granted`,
          [key1, key2],
        );
        if (rows[0]!.waiting === 4) break;
        if (Date.now() > deadline) throw new Error(`only ${rows[0]!.waiting} of 4 children reached the start barrier`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      await barrier.query('SELECT pg_advisory_unlock($1::integer, $2::integer)', [key1, key2]);

      const batches = (await outputs).flatMap((o) => JSON.parse(o.stdout) as Batch[]);
      assert.equal(batches.length, 8);
      const members = batches.flatMap((b) => b.members.map((m) => m.id));
      assert.equal(members.length, 40);
      assert.equal(new Set(members).size, 40, 'no member in two batches');
      assert.deepEqual(batches.map((b) => b.index).sort((a, b) => a - b), [1, 2, 3, 4, 5, 6, 7, 8]);
      for (const batch of batches) {
        assert.equal(batch.members.length, 5);
        assert.deepEqual(batch.members.map((m) => m.order), [...batch.members.map((m) => m.order)].sort((a, b) => a - b));
        assert.ok(batch.members.some((m) => m.id === batch.closedBy), 'the closing member is in its batch');
      }
      const { rows } = await db.pool.query<{ waiting: number; closed: number; batches: number; links: number }>(
        `SELECT (SELECT jsonb_array_length(members) FROM fan_in_windows) AS waiting, (SELECT closed FROM fan_in_windows) AS closed,
                (SELECT COUNT(*)::integer FROM fan_in_batches) AS batches, (SELECT COUNT(*)::integer FROM fan_in_links) AS links`,
      );
      assert.deepEqual(rows[0], { waiting: 0, closed: 8, batches: 8, links: 40 });
    } finally {
      barrier.release();
      await db.drop();
    }
  });

  it('fan-in holds across pools in one process: 3 stores on separate pools racing on one group', async () => {
    const db = await freshSchema();
    const pools = Array.from({ length: 3 }, () => new pg.Pool({ connectionString: db.url, max: 5 }));
    try {
      await migrate(db.pool);
      const stores = pools.map((pool) => openPostgresStateStore({ pool }));
      const results = await Promise.all(
        Array.from({ length: 45 }, (_, i) => stores[i % 3]!.addToWindow('frames:pools', { id: `m${i}`, order: 45 - i, value: i }, 5)),
      );
      const batches = results.filter((b) => b !== undefined);
      assert.equal(batches.length, 9);
      assert.equal(new Set(batches.flatMap((b) => b.members.map((m) => m.id))).size, 45, 'no member in two batches, none left out');
      assert.deepEqual(batches.map((b) => b.index).sort((a, b) => a - b), [1, 2, 3, 4, 5, 6, 7, 8, 9]);
      await Promise.all(stores.map((store) => store.close()));
    } finally {
      await Promise.all(pools.map((pool) => pool.end()));
      await db.drop();
    }
  });

  it('a known set completes once across pools in one process: 3 stores on separate pools racing on each set', async () => {
    const db = await freshSchema();
    const pools = Array.from({ length: 3 }, () => new pg.Pool({ connectionString: db.url, max: 5 }));
    try {
      await migrate(db.pool);
      const stores = pools.map((pool) => openPostgresStateStore({ pool }));
      const expected = ['gif', ...Array.from({ length: 5 }, (_, i) => `thumbnail:${i}`)];
      for (const round of [1, 2, 3, 4]) {
        // Every part twice, from different pools: a delivery and its duplicate racing.
        const adds = [...expected, ...expected].map((name, i) => stores[i % 3]!.addPart(`mail:${round}`, expected, { name, value: { i } }));
        const completions = (await Promise.all(adds)).filter((set) => set !== undefined);
        assert.ok(completions.length === 1 || completions.length === 2, `round ${round}: completed once (and, at most, replayed), got ${completions.length}`);
        assert.equal(new Set(completions.map((set) => set.completedBy)).size, 1);
        assert.deepEqual(completions[0]!.parts.map((p) => p.name), expected);
      }
      const { rows } = await db.pool.query<{ complete: number; open: number }>(
        `SELECT COUNT(*) FILTER (WHERE completed_by IS NOT NULL)::integer AS complete, COUNT(*) FILTER (WHERE opened_after IS NOT NULL)::integer AS open FROM fan_in_sets`,
      );
      assert.deepEqual(rows[0], { complete: 4, open: 0 }, 'complete sets no longer hold prune back');
      await Promise.all(stores.map((store) => store.close()));
    } finally {
      await Promise.all(pools.map((pool) => pool.end()));
      await db.drop();
    }
  });

  it('counts what is pending below a root with the index of pending messages by root, not a walk of the tree', async () => {
    const { db, store } = await openFresh();
    try {
      await store.save([message('r0')], 1);
      for (let i = 0; i < 30; i++) await store.settle(`r${i}`, { status: 'done', attempts: 1 }, [message(`r${i + 1}`, { causedBy: `r${i}` })], 2);
      assert.equal(await store.unsettled(['r0']), 1);
      const client = await db.pool.connect();
      try {
        // A planner on a small table may scan it whole; what matters is that the query can use the index.
        await client.query('SET enable_seqscan = off');
        const { rows } = await client.query<{ 'QUERY PLAN': string }>(
          `EXPLAIN SELECT COUNT(*) FROM messages WHERE status = 'pending' AND root IN (SELECT root FROM messages WHERE id = ANY($1::text[]))`,
          [['r0']],
        );
        const plan = rows.map((r) => r['QUERY PLAN']).join('\n');
        assert.match(plan, /messages_pending_by_root/);
        assert.doesNotMatch(plan, /Recursive/);
      } finally {
        client.release();
      }
    } finally {
      await store.close();
    }
  });

  describe('save and revive with an enqueue hook', () => {
    it('records and enqueues a message in one transaction, or neither', async () => {
      let fail = true;
      const { db, store } = await openFresh({
        enqueue: async (client, messages) => {
          if (fail) throw new Error('the queue is unreachable');
          await client.query('INSERT INTO outbox (id) SELECT unnest($1::text[])', [messages.map((m) => m.id)]);
        },
      });
      try {
        await db.pool.query('CREATE TABLE outbox (id text PRIMARY KEY)');
        await assert.rejects(store.save([{ ...message('sent'), queue: 'doubler' }], 1), /unreachable/);
        assert.equal(await store.get('sent'), undefined, 'not recorded without its job');
        fail = false;
        assert.deepEqual(await store.save([{ ...message('sent'), queue: 'doubler' }, message('unrouted')], 2), ['sent', 'unrouted']);
        assert.deepEqual((await db.pool.query('SELECT id FROM outbox')).rows, [{ id: 'sent' }], 'only what names a queue is enqueued');
        await store.settle('sent', { status: 'dead', attempts: 5, reason: 'x' }, [], 3);
        await db.pool.query('DELETE FROM outbox');
        fail = true;
        await assert.rejects(store.revive(['sent'], 4, () => 'doubler'), /unreachable/);
        assert.equal((await store.get('sent'))?.status, 'dead', 'not revived without its job');
        fail = false;
        assert.deepEqual((await store.revive(['sent'], 5, () => 'doubler')).map((m) => m.id), ['sent']);
        assert.deepEqual((await db.pool.query('SELECT id FROM outbox')).rows, [{ id: 'sent' }]);
      } finally {
        await store.close();
      }
    });
  });

  describe('settle with an enqueue hook (transactional outbox)', () => {
    it('hands the caused messages to the hook inside the settle transaction', async () => {
      const calls: { ids: string[]; queues: (string | undefined)[]; inside: string[]; outside: string[] }[] = [];
      const { db, store } = await openFresh({
        enqueue: async (client, messages) => {
          const ids = messages.map((m) => m.id);
          // Through the hook's client: the settle's own writes, not yet committed …
          const inside = await client.query<{ id: string; status: string }>('SELECT id, status FROM messages WHERE id = ANY($1::text[]) OR id = $2 ORDER BY id', [ids, 'cause']);
          // … which another connection cannot see yet.
          const outside = await db.pool.query<{ id: string; status: string }>('SELECT id, status FROM messages WHERE id = ANY($1::text[]) OR id = $2 ORDER BY id', [ids, 'cause']);
          await client.query('INSERT INTO outbox (id) SELECT unnest($1::text[])', [ids]);
          calls.push({
            ids,
            queues: messages.map((m) => m.queue),
            inside: inside.rows.map((r) => `${r.id}:${r.status}`),
            outside: outside.rows.map((r) => `${r.id}:${r.status}`),
          });
        },
      });
      try {
        assert.equal(store.enqueuesOnSettle, true);
        await db.pool.query('CREATE TABLE outbox (id text PRIMARY KEY)');
        await store.save([message('cause')], 1);
        await store.settle(
          'cause',
          { status: 'done', attempts: 1 },
          [message('thumb', { type: 'please-create-thumbnail', causedBy: 'cause', queue: 'thumbnailer' }), message('gif', { type: 'please-create-gif', causedBy: 'cause', queue: 'gif-maker' })],
          2,
        );
        assert.deepEqual(calls, [
          {
            ids: ['thumb', 'gif'],
            queues: ['thumbnailer', 'gif-maker'],
            inside: ['cause:done', 'gif:pending', 'thumb:pending'],
            outside: ['cause:pending'],
          },
        ]);
        const outbox = await db.pool.query<{ id: string }>('SELECT id FROM outbox ORDER BY id');
        assert.deepEqual(outbox.rows.map((r) => r.id), ['gif', 'thumb'], 'the hook\'s writes commit with the settle');

        await store.save([message('poison')], 3);
        await store.settle('poison', { status: 'dead', attempts: 2, reason: 'broken' }, [], 4);
        assert.equal(calls.length, 1, 'a settle that caused nothing does not call the hook');
      } finally {
        await store.close();
      }
    });

    it('rolls the whole settle back when the hook throws', async () => {
      const { db, store } = await openFresh({
        enqueue: async (client, messages) => {
          await client.query('INSERT INTO outbox (id) SELECT unnest($1::text[])', [messages.map((m) => m.id)]);
          throw new Error('queue unavailable');
        },
      });
      try {
        await db.pool.query('CREATE TABLE outbox (id text PRIMARY KEY)');
        await store.save([message('cause')], 1);
        await assert.rejects(
          store.settle('cause', { status: 'done', attempts: 1 }, [message('effect', { causedBy: 'cause', queue: 'worker' })], 2),
          /queue unavailable/,
        );
        const cause = await store.get('cause');
        assert.equal(cause?.status, 'pending', 'the message stays pending');
        assert.equal(cause?.attempts, 0);
        assert.equal(cause?.updatedAt, 1);
        assert.equal(await store.get('effect'), undefined, 'the caused message is not recorded');
        assert.equal((await db.pool.query('SELECT id FROM outbox')).rowCount, 0, 'nor enqueued');
        assert.equal(await store.unsettled(['cause']), 1);
      } finally {
        await store.close();
      }
    });

    it('lets one of two concurrent settles through, and enqueues once', async () => {
      const enqueued: string[][] = [];
      const { store } = await openFresh({ enqueue: async (_client, messages) => void enqueued.push(messages.map((m) => m.id)) });
      try {
        await store.save([message('twice')], 1);
        const results = await Promise.all(
          [1, 2].map((n) => store.settle('twice', { status: 'done', attempts: n }, [message(`effect-${n}`, { causedBy: 'twice', queue: 'worker' })], 2)),
        );
        assert.deepEqual([...results].sort(), [false, true]);
        const winner = results.indexOf(true) + 1;
        assert.deepEqual(enqueued, [[`effect-${winner}`]]);
        assert.equal((await store.get('twice'))?.attempts, winner);
        assert.deepEqual((await store.find({ causedBy: 'twice' })).map((m) => m.id), [`effect-${winner}`]);
        assert.equal(await store.settle('twice', { status: 'dead', attempts: 9, reason: 'late' }, [message('late', { causedBy: 'twice' })], 3), false);
        assert.equal(enqueued.length, 1, 'a refused settle enqueues nothing');
      } finally {
        await store.close();
      }
    });

    it('does not call the hook, nor commit anything, when the settled message is unknown', async () => {
      let called = false;
      const { store } = await openFresh({ enqueue: async () => void (called = true) });
      try {
        await assert.rejects(store.settle('ghost', { status: 'done', attempts: 1 }, [message('orphan', { causedBy: 'ghost' })], 1), /ghost/);
        assert.equal(called, false);
        assert.equal(await store.get('orphan'), undefined);
      } finally {
        await store.close();
      }
    });
  });

  describe('settle with a settle writer (writes in the settle statement)', () => {
    /** A writer that records each caused message that names a queue, and the settled id, in `outbox`. */
    const outboxWriter = (log: { settled: string[]; calls: number }) => ({
      settleWriter: async ({ settled, caused, guard, param }: { settled: string; caused: NewMessage[]; guard: string; param: (value: unknown) => string }) => {
        log.calls++;
        const ids = [settled, ...caused.filter((m) => m.queue).map((m) => m.id)];
        return {
          statements: [`INSERT INTO outbox (id) SELECT unnest(${param(ids)}::text[]) WHERE ${guard}`],
          settled: () => void log.settled.push(settled),
        };
      },
    });

    it('makes the writes in the one statement that settles, and only when it settles', async () => {
      const log = { settled: [] as string[], calls: 0 };
      const { db, store } = await openFresh(outboxWriter(log));
      try {
        assert.equal(store.enqueuesOnSettle, true);
        await db.pool.query('CREATE TABLE outbox (id text PRIMARY KEY)');
        await store.save([message('cause'), message('other')], 1);
        assert.equal(
          await store.settle('cause', { status: 'done', attempts: 1 }, [message('thumb', { causedBy: 'cause', queue: 'thumbnailer' }), message('unrouted', { causedBy: 'cause' })], 2),
          true,
        );
        assert.deepEqual((await db.pool.query('SELECT id FROM outbox ORDER BY id')).rows.map((r) => r.id), ['cause', 'thumb']);
        assert.equal((await store.get('thumb'))?.status, 'pending');
        // Refused (no longer pending): none of the writes happen, and `settled` is not called.
        assert.equal(await store.settle('cause', { status: 'dead', attempts: 2, reason: 'late' }, [message('late', { causedBy: 'cause', queue: 'worker' })], 3), false);
        assert.deepEqual((await db.pool.query('SELECT id FROM outbox ORDER BY id')).rows.map((r) => r.id), ['cause', 'thumb']);
        assert.equal(await store.get('late'), undefined);
        // A settle that caused nothing still carries its writes (the handled job's completion).
        assert.equal(await store.settle('other', { status: 'dead', attempts: 1, reason: 'broken' }, [], 4), true);
        assert.deepEqual(log, { settled: ['cause', 'other'], calls: 3 });
        assert.deepEqual((await db.pool.query('SELECT id FROM outbox ORDER BY id')).rows.map((r) => r.id), ['cause', 'other', 'thumb']);
      } finally {
        await store.close();
      }
    });

    it('commits nothing when a write fails, and the message stays pending', async () => {
      const log = { settled: [] as string[], calls: 0 };
      const { db, store } = await openFresh(outboxWriter(log));
      try {
        await db.pool.query('CREATE TABLE outbox (id text PRIMARY KEY)');
        await db.pool.query("INSERT INTO outbox (id) VALUES ('effect')"); // the write's insert collides
        await store.save([message('cause')], 1);
        await assert.rejects(store.settle('cause', { status: 'done', attempts: 1 }, [message('effect', { causedBy: 'cause', queue: 'worker' })], 2), /duplicate key/);
        assert.equal((await store.get('cause'))?.status, 'pending');
        assert.equal(await store.get('effect'), undefined, 'the caused message is not recorded');
        assert.deepEqual(log.settled, []);
      } finally {
        await store.close();
      }
    });
  });

  describe('migrate', () => {
    it('is harmless run twice and run concurrently', async () => {
      const db = await freshSchema();
      try {
        const concurrent = await Promise.all(Array.from({ length: 6 }, () => migrate(db.pool)));
        const latest = migrations.length;
        assert.equal(concurrent.filter((r) => r.from === 0).length, 1, 'exactly one caller applied the migrations');
        assert.ok(concurrent.every((r) => r.to === latest && (r.from === 0 || r.from === latest)));
        assert.deepEqual(await migrate(db.pool), { from: latest, to: latest });
        const { rows } = await db.pool.query<{ version: number }>('SELECT version FROM dataflow_migrations ORDER BY version');
        assert.deepEqual(rows.map((r) => r.version), migrations.map((m) => m.version));
        const store = openPostgresStateStore({ pool: db.pool });
        assert.deepEqual(await store.save([message('works')], 1), ['works']);
        await store.close();
      } finally {
        await db.drop();
      }
    });

    it('creates a named schema, concurrently from separate pools', async () => {
      const schema = `dataflow_test_named_${randomInt(1, 2 ** 31 - 1).toString(16)}`;
      const pools = Array.from({ length: 4 }, () => new pg.Pool({ connectionString: testDatabaseUrl, max: 1 }));
      try {
        const results = await Promise.all(pools.map((pool) => migrate(pool, { schema })));
        assert.equal(results.filter((r) => r.from === 0).length, 1);
        const { rows } = await pools[0]!.query<{ n: number }>(
          `SELECT COUNT(*)::integer AS n FROM information_schema.tables WHERE table_schema = $1 AND table_name IN ('messages', 'fan_in_windows', 'fan_in_batches', 'dataflow_migrations')`,
          [schema],
        );
        assert.equal(rows[0]!.n, 4);
      } finally {
        await pools[0]!.query(`DROP SCHEMA IF EXISTS ${pg.escapeIdentifier(schema)} CASCADE`);
        await Promise.all(pools.map((pool) => pool.end()));
      }
    });

    it('names the version that failed, and leaves the schema as it was', async () => {
      const db = await freshSchema();
      try {
        await db.pool.query('CREATE TABLE messages (unrelated integer)');
        await assert.rejects(migrate(db.pool), (error: Error) => {
          assert.match(error.message, /version 1\b/);
          assert.match(error.message, /messages/);
          return true;
        });
        const { rows } = await db.pool.query(`SELECT 1 FROM information_schema.tables WHERE table_schema = $1 AND table_name = 'dataflow_migrations'`, [db.schema]);
        assert.equal(rows.length, 0, 'the failed run rolled back entirely');
      } finally {
        await db.drop();
      }
    });

    it('refuses a schema newer than this release knows', async () => {
      const db = await freshSchema();
      try {
        await migrate(db.pool);
        await db.pool.query('INSERT INTO dataflow_migrations (version) VALUES ($1)', [migrations.length + 5]);
        await assert.rejects(migrate(db.pool), new RegExp(`version ${migrations.length + 5}, newer than this release knows`));
      } finally {
        await db.drop();
      }
    });
  });

  describe('PostgreSQL specifics', () => {
    it('says to migrate when the tables are missing', async () => {
      const db = await freshSchema();
      const store = openPostgresStateStore({ pool: db.pool });
      try {
        await assert.rejects(store.get('a'), /run migrate\(\) first/);
      } finally {
        await store.close();
        await db.drop();
      }
    });

    it('close() leaves the pool open for its owner, and refuses later calls', async () => {
      const db = await freshSchema();
      try {
        await migrate(db.pool);
        const store = openPostgresStateStore({ pool: db.pool });
        const pending = store.save([message('late')], 1);
        await store.close();
        assert.deepEqual(await pending, ['late'], 'close waits for what was running');
        assert.equal((await db.pool.query('SELECT 1 AS one')).rows[0].one, 1);
        await assert.rejects(store.get('late'), /closed/);
        assert.equal(openPostgresStateStore({ pool: db.pool }).enqueuesOnSettle, false);
      } finally {
        await db.drop();
      }
    });

    it('keeps numbers as numbers and arrival order within a save', async () => {
      const { store } = await openFresh();
      try {
        const big = Date.UTC(2017, 5, 1, 12, 30);
        const ids = Array.from({ length: 30 }, (_, i) => `m${(i * 7) % 30}`);
        assert.deepEqual(await store.save([...ids.map((id) => message(id, { validTime: big })), message(ids[3]!)], big), ids);
        const found = await store.find({ type: 'did-fetch-amp-image', limit: 100 });
        assert.deepEqual(found.map((m) => m.id), ids, 'equal valid times keep arrival order');
        assert.equal(found[0]!.validTime, big);
        assert.equal(found[0]!.createdAt, big);
        assert.equal(typeof found[0]!.attempts, 'number');
        const orphan = await store.save([message('no-time', { validTime: undefined, key: undefined })], 1);
        assert.deepEqual(orphan, ['no-time']);
        const all = await store.find({ limit: 1000 });
        assert.equal(all.at(-1)!.id, 'no-time', 'messages without a valid time come last');
        assert.equal(all.at(-1)!.validTime, undefined);
        assert.equal(all.at(-1)!.key, undefined);
      } finally {
        await store.close();
      }
    });

    it('revives all dead letters in arrival order, each once under concurrency', async () => {
      const { store } = await openFresh();
      try {
        await store.save([message('d1'), message('ok'), message('d2')], 1);
        for (const id of ['d2', 'd1']) await store.settle(id, { status: 'dead', attempts: 3, reason: 'x' }, [], 2);
        const [a, b] = await Promise.all([store.revive('all', 3), store.revive('all', 3)]);
        const revived = [...a!, ...b!];
        assert.deepEqual(revived.map((m) => m.id).sort(), ['d1', 'd2']);
        for (const result of [a!, b!]) assert.deepEqual(result.map((m) => m.id), ['d1', 'd2'].filter((id) => result.some((m) => m.id === id)), 'in arrival order');
        assert.ok(revived.every((m) => m.status === 'pending' && m.attempts === 0 && m.reason === undefined));
      } finally {
        await store.close();
      }
    });
  });
});
