/**
 * A time-window search on PostgreSQL reads along the created_at index, however old or empty the
 * window: checked with EXPLAIN on the very statement the store sends, over 60,000 analysed rows.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { migrate } from '../../src/adapters/postgres/migrations.js';
import { openPostgresStateStore } from '../../src/adapters/postgres/state-store.js';
import type { MessageSearch } from '../../src/index.js';
import { freshSchema, skipWithoutPostgres } from '../support/postgres.js';

const ROWS = 60_000;
/** Row i was recorded at T0 + 10·i ms. */
const T0 = 1_000_000;

describe('PostgreSQL time-window search', { skip: await skipWithoutPostgres() }, () => {
  let db: Awaited<ReturnType<typeof freshSchema>>;
  let store: ReturnType<typeof openPostgresStateStore>;

  before(async () => {
    db = await freshSchema();
    await migrate(db.pool);
    await db.pool.query(
      `INSERT INTO messages (id, type, body, key, valid_time, status, created_at, updated_at)
       SELECT 'm' || i, 'did-fetch-amp-image', jsonb_build_object('type', 'did-fetch-amp-image', 'id', 'm' || i), 'map-' || (i % 20), i, 'done', $2::bigint + i * 10, $2::bigint + i * 10 + 5
       FROM generate_series(1, $1::integer) i`,
      [ROWS, T0],
    );
    await db.pool.query('ANALYZE messages');
    store = openPostgresStateStore({ pool: db.pool });
  });

  after(async () => {
    await store?.close();
    await db?.drop();
  });

  /** The search's result, and the plan PostgreSQL gives the statement it sent. */
  async function explained(query: MessageSearch) {
    const pool = db.pool as unknown as { query: (...args: unknown[]) => unknown };
    const query_ = pool.query;
    let sent: unknown[] | undefined;
    pool.query = function (this: unknown, ...args: unknown[]) {
      sent = args;
      return query_.apply(this, args);
    };
    let page;
    try {
      page = await store.search(query);
    } finally {
      pool.query = query_;
    }
    assert.ok(sent, 'the search sent a statement');
    const { rows } = await db.pool.query<{ 'QUERY PLAN': string }>(`EXPLAIN ${sent[0] as string}`, sent[1] as unknown[]);
    return { page, plan: rows.map((r) => r['QUERY PLAN']).join('\n') };
  }

  it('reads a window in the middle of the history along the index, newest first, and pages on', async () => {
    const from = T0 + 20_000 * 10;
    const to = T0 + 20_100 * 10;
    const { page, plan } = await explained({ from, to, limit: 50 });
    assert.match(plan, /Index Scan Backward using messages_by_created/, plan);
    assert.doesNotMatch(plan, /Seq Scan|messages_pkey|Sort/, plan);
    assert.deepEqual(page.messages.map((m) => m.id), Array.from({ length: 50 }, (_, i) => `m${20_100 - i}`));
    const next = await explained({ from, to, limit: 50, cursor: page.next });
    assert.match(next.plan, /Index Scan Backward using messages_by_created/, next.plan);
    assert.deepEqual(next.page.messages.map((m) => m.id), Array.from({ length: 50 }, (_, i) => `m${20_050 - i}`));
  });

  it('finds an empty window, before the first message, with an index probe', async () => {
    const { page, plan } = await explained({ from: 1, to: T0 - 1 });
    assert.deepEqual(page.messages, []);
    assert.match(plan, /using messages_by_created/, plan);
    assert.doesNotMatch(plan, /Seq Scan|messages_pkey/, plan);
  });

  it('reads the older half of the history from its newest end', async () => {
    const { page, plan } = await explained({ to: T0 + 30_000 * 10, limit: 3 });
    assert.match(plan, /Index Scan Backward using messages_by_created/, plan);
    assert.deepEqual(page.messages.map((m) => m.id), ['m30000', 'm29999', 'm29998']);
  });
});
