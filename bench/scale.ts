/**
 * The dashboard's reads at 1 M messages, on PostgreSQL and SQLite, each against a 50 ms goal:
 * a /metrics scrape (the counts the store keeps, no scan), the message list's first page, a time
 * window in the middle of the history, an empty one, and a message's page with its causal chain.
 * Also how long settles take, 16 at once on one message type, with the counts kept as they go.
 *
 * Rows are generated inside the database (generate_series; a recursive CTE on SQLite), through
 * the same triggers every write goes through, over 30 days of history.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import Database from 'better-sqlite3';
import pg from 'pg';
import { diskBlobStore } from '../src/adapters/disk/blob-store.js';
import { migrate } from '../src/adapters/postgres/migrations.js';
import { openPostgresStateStore } from '../src/adapters/postgres/state-store.js';
import { openSqliteStateStore } from '../src/adapters/sqlite/state-store.js';
import { startDashboard } from '../src/dashboard/server.js';
import { defaultWeatherConfig } from '../examples/weather/config.js';
import { weatherFlow } from '../examples/weather/flow.js';
import type { MessageBrowser, StateStore } from '../src/index.js';
import { createMetrics } from '../src/observability/metrics.js';
import { benchDatabaseUrl, dropSchemas, postgresUnreachable, schemaName } from './postgres.js';
import { printTable } from './table.js';
import { median } from './timing.js';

const TOTAL = 1_000_000;
const GOAL_MS = 50;
const DAY = 86_400_000;
const NOW = Date.now();
/** Message i was recorded at START + i·STEP: 30 days up to now. */
const START = NOW - 30 * DAY;
const STEP = Math.floor((30 * DAY) / TOTAL);
const CHAIN = ['please-fetch-amp-image', 'did-fetch-amp-image', 'please-create-thumbnail', 'did-create-thumbnail', 'please-create-gif', 'did-create-gif', 'please-send-email', 'did-send-email'];

/** The columns of message i, as SQL over `i` (shared by both databases' generators). */
const row = (concat: (...parts: string[]) => string) => ({
  id: concat("'m'", 'i'),
  type: `CASE i % 8 ${CHAIN.map((t, n) => `WHEN ${n} THEN '${t}'`).join(' ')} END`,
  key: concat("'map-'", '((i / 8) % 20)'),
  causedBy: `CASE WHEN i % 8 = 0 THEN NULL ELSE ${concat("'m'", '(i - 1)')} END`,
  status: `CASE WHEN i % 1000 = 7 THEN 'dead' WHEN i > ${TOTAL - 200} THEN 'pending' ELSE 'done' END`,
  createdAt: `(${START} + i * CAST(${STEP} AS BIGINT))`,
});

async function fillPostgres(pool: pg.Pool): Promise<void> {
  const r = row((...parts) => parts.join(' || '));
  for (let from = 1; from <= TOTAL; from += 200_000) {
    await pool.query(
      `INSERT INTO messages (id, type, body, key, valid_time, caused_by, status, attempts, reason, created_at, updated_at)
       SELECT ${r.id}, ${r.type}, jsonb_build_object('type', ${r.type}, 'id', ${r.id}, 'imageId', ${r.key}, 'location', jsonb_build_object('Bucket', 'dataflow', 'Key', 'x/' || i || '.png')),
              ${r.key}, ${r.createdAt}, ${r.causedBy}, ${r.status}, 1, CASE WHEN i % 1000 = 7 THEN 'failed on purpose' END, ${r.createdAt}, ${r.createdAt} + 500
       FROM generate_series($1::integer, $2::integer) i`,
      [from, Math.min(TOTAL, from + 199_999)],
    );
  }
  await pool.query('ANALYZE messages');
}

function fillSqlite(path: string): void {
  const db = new Database(path);
  const r = row((...parts) => parts.join(' || '));
  for (let from = 1; from <= TOTAL; from += 200_000) {
    db.prepare(
      `WITH RECURSIVE n(i) AS (SELECT CAST(? AS INTEGER) UNION ALL SELECT i + 1 FROM n WHERE i < ?)
       INSERT INTO messages (id, type, body, key, valid_time, caused_by, status, attempts, reason, created_at, updated_at)
       SELECT ${r.id}, ${r.type}, json_object('type', ${r.type}, 'id', ${r.id}, 'imageId', ${r.key}, 'location', json_object('Bucket', 'dataflow', 'Key', 'x/' || i || '.png')),
              ${r.key}, ${r.createdAt}, ${r.causedBy}, ${r.status}, 1, CASE WHEN i % 1000 = 7 THEN 'failed on purpose' END, ${r.createdAt}, ${r.createdAt} + 500
       FROM n`,
    ).run(from, Math.min(TOTAL, from + 199_999));
  }
  db.exec('ANALYZE');
  db.close();
}

/** Median wall time of a GET, in ms, after one warm-up; throws unless it answers 200. */
async function timeGet(url: string, runs = 7): Promise<number> {
  const once = async () => {
    const start = performance.now();
    const response = await fetch(url);
    const body = await response.text();
    if (response.status !== 200) throw new Error(`GET ${url} answered ${response.status}: ${body.slice(0, 200)}`);
    return performance.now() - start;
  };
  await once();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) times.push(await once());
  return median(times);
}

/** Median ms per settle of `count` pending messages of one type, `parallel` at a time. */
async function timeSettles(state: StateStore, count: number, parallel: number): Promise<number> {
  const ids = Array.from({ length: count }, (_, i) => `bench-settle-${i}`);
  await state.save(ids.map((id) => ({ id, type: 'please-create-thumbnail', body: { type: 'please-create-thumbnail', id, dateCreated: NOW } })), NOW);
  const times: number[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: parallel }, async () => {
      while (next < ids.length) {
        const id = ids[next++]!;
        const start = performance.now();
        await state.settle(id, { status: 'done', attempts: 1 }, [], NOW);
        times.push(performance.now() - start);
      }
    }),
  );
  return median(times);
}

async function measure(name: string, state: StateStore & MessageBrowser, fillSeconds: number): Promise<string[][]> {
  const flow = weatherFlow({ config: defaultWeatherConfig, mailer: { send: async () => ({ messageId: 'x', receipt: 'nowhere' }) }, amp: { baseUrl: 'http://127.0.0.1:1', clientId: 'none', clientSecret: 'none' } });
  const blobsDir = await mkdtemp(join(tmpdir(), 'dataflow-bench-scale-'));
  const dashboard = await startDashboard({ state, flow, blobs: diskBlobStore(blobsDir), metrics: createMetrics({ flow, browser: state }), port: 0, token: '' });
  const middle = START + 15 * DAY;
  const rows: [string, number][] = [];
  try {
    rows.push(['GET /metrics', await timeGet(`${dashboard.url}metrics`)]);
    rows.push(['message list, first page', await timeGet(`${dashboard.url}api/messages`)]);
    rows.push(['time window, 1 h, 15 days ago', await timeGet(`${dashboard.url}api/messages?from=${middle}&to=${middle + 3_600_000}`)]);
    rows.push(['time window, empty (a year ago)', await timeGet(`${dashboard.url}api/messages?from=${NOW - 365 * DAY}&to=${NOW - 364 * DAY}`)]);
    rows.push(['a message page, with its chain', await timeGet(`${dashboard.url}api/messages/m${TOTAL / 2 + 3}`)]);
    const settleMs = await timeSettles(state, 2000, 16);
    const table = rows.map(([what, ms]) => [`${name}: ${what}`, ms.toFixed(1), String(GOAL_MS), ms <= GOAL_MS ? 'yes' : 'NO']);
    table.push([`${name}: one settle, 16 at once, one type`, settleMs.toFixed(1), '', '']);
    console.log(`${name}: ${TOTAL.toLocaleString('en-US')} messages generated in ${fillSeconds.toFixed(0)} s`);
    return table;
  } finally {
    await dashboard.close();
    await rm(blobsDir, { recursive: true, force: true });
  }
}

export async function scaleBench(): Promise<void> {
  const table: string[][] = [];

  const unreachable = await postgresUnreachable();
  if (unreachable) console.log(`PostgreSQL skipped: ${unreachable}`);
  else {
    const schema = schemaName('dataflow_bench_scale');
    const pool = new pg.Pool({ connectionString: benchDatabaseUrl, max: 20, options: `-c search_path=${schema}` });
    try {
      await migrate(pool, { schema });
      const started = performance.now();
      await fillPostgres(pool);
      const state = openPostgresStateStore({ pool });
      table.push(...(await measure('PostgreSQL', state, (performance.now() - started) / 1000)));
      await state.close();
    } finally {
      await pool.end();
      await dropSchemas([schema]);
    }
  }

  const dir = await mkdtemp(join(tmpdir(), 'dataflow-bench-scale-'));
  try {
    const path = join(dir, 'state.db');
    await openSqliteStateStore(path).close(); // creates the schema
    const started = performance.now();
    fillSqlite(path);
    const state = openSqliteStateStore(path);
    table.push(...(await measure('SQLite', state, (performance.now() - started) / 1000)));
    await state.close();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }

  printTable(['read', 'median ms', 'goal ms', 'within'], table);
}

if (import.meta.url === `file://${process.argv[1]}`) await scaleBench();
