/**
 * Queue depth and dead letters on /metrics come from the counts the state store keeps as messages
 * change, not from a `GROUP BY` over the messages at each scrape: exact after many operations,
 * and read from the counts table (on SQLite a hand-edited count shows up; on PostgreSQL no
 * statement of a scrape reads the messages table).
 */
import assert from 'node:assert/strict';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { migrate } from '../../src/adapters/postgres/migrations.js';
import { openPostgresStateStore } from '../../src/adapters/postgres/state-store.js';
import { openSqliteStateStore } from '../../src/adapters/sqlite/state-store.js';
import type { MessageBrowser, NewMessage, StateStore } from '../../src/index.js';
import { createMetrics } from '../../src/observability/metrics.js';
import { freshSchema, skipWithoutPostgres } from '../support/postgres.js';
import { toyFlow } from '../support/toy-flow.js';

const double = (id: string, extra: Partial<NewMessage> = {}): NewMessage => ({
  id,
  type: 'please-double',
  body: { type: 'please-double', id, dateCreated: 0, n: 1 },
  ...extra,
});

/** 300 messages saved, settled (a third dead, each settle causing a report), revived, pruned. */
async function churn(state: StateStore): Promise<void> {
  const ids = Array.from({ length: 300 }, (_, i) => `m${i}`);
  await state.save(ids.map((id) => double(id)), 1);
  await Promise.all(
    ids.map((id, i) =>
      state.settle(id, i % 3 ? { status: 'done', attempts: 1 } : { status: 'dead', attempts: 3, reason: 'x' }, [
        { id: `r${i}`, type: 'please-report', body: { type: 'please-report', id: `r${i}`, dateCreated: 0, text: 'x' }, causedBy: id },
      ], 2),
    ),
  );
  await state.revive(ids.filter((_, i) => i % 6 === 0), 3);
  await Promise.all(ids.filter((_, i) => i % 2 === 0).map((_, i) => state.settle(`r${i * 2}`, { status: 'done', attempts: 1 }, [], 4)));
  await state.prune!(10);
}

/** What the metrics must say, counted from the messages themselves. */
async function truth(state: StateStore) {
  const all = await state.find({ limit: 100_000 });
  const count = (type: string, status: string) => all.filter((m) => m.type === type && m.status === status).length;
  return { doublerDepth: count('please-double', 'pending'), reporterDepth: count('please-report', 'pending'), dead: count('please-double', 'dead') };
}

function metricValue(text: string, series: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  assert.ok(line, `${series} in the scrape`);
  return Number(line.slice(series.length + 1));
}

async function assertMetricsMatch(state: StateStore & MessageBrowser, watch = (scrape: () => Promise<string>) => scrape()): Promise<string> {
  const metrics = createMetrics({ flow: toyFlow().flow, browser: state });
  const text = await watch(() => metrics.metrics());
  const expected = await truth(state);
  assert.ok(expected.doublerDepth > 0 && expected.reporterDepth > 0 && expected.dead > 0, 'the churn leaves some of each');
  assert.equal(metricValue(text, 'dataflow_queue_depth{consumer="doubler"}'), expected.doublerDepth);
  assert.equal(metricValue(text, 'dataflow_queue_depth{consumer="reporter"}'), expected.reporterDepth);
  assert.equal(metricValue(text, 'dataflow_dead_letters{type="please-double"}'), expected.dead);
  return text;
}

it('SQLite: /metrics equals the truth after many operations, read from the counts the store keeps', async () => {
  const path = join(await mkdtemp(join(tmpdir(), 'dataflow-counts-')), 'state.db');
  const state = openSqliteStateStore(path);
  try {
    await churn(state);
    await assertMetricsMatch(state);
    // Edit the kept count behind the store's back: a scrape that scanned the messages would not see it.
    const db = new Database(path);
    db.prepare(`UPDATE message_counts SET n = 4242 WHERE type = 'please-double' AND status = 'dead'`).run();
    db.close();
    const text = await createMetrics({ flow: toyFlow().flow, browser: state }).metrics();
    assert.equal(metricValue(text, 'dataflow_dead_letters{type="please-double"}'), 4242);
  } finally {
    await state.close();
  }
});

describe('PostgreSQL', { skip: await skipWithoutPostgres() }, () => {
  it('/metrics equals the truth after many concurrent operations, and a scrape reads no message row', async () => {
    const db = await freshSchema();
    const state = openPostgresStateStore({ pool: db.pool });
    try {
      await migrate(db.pool);
      await churn(state);
      const statements: string[] = [];
      // Every statement the store sends during the scrape, by way of the pool it was given.
      const pool = db.pool as unknown as { query: (...args: unknown[]) => unknown };
      const query = pool.query;
      await assertMetricsMatch(state, async (scrape) => {
        pool.query = function (this: unknown, ...args: unknown[]) {
          statements.push(typeof args[0] === 'string' ? args[0] : String((args[0] as { text?: string }).text));
          return query.apply(this, args);
        };
        try {
          return await scrape();
        } finally {
          pool.query = query;
        }
      });
      assert.ok(statements.length > 0);
      assert.deepEqual(statements.filter((sql) => /\bmessages\b/.test(sql)), [], 'no statement of the scrape touches the messages table');
      assert.ok(statements.some((sql) => /\bmessage_counts\b/.test(sql)), 'the scrape reads the kept counts');
    } finally {
      await state.close();
      await db.drop();
    }
  });
});
