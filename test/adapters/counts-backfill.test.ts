/**
 * Upgrading a store that already holds messages: the migration that starts keeping the counts
 * fills them from the rows there, and from then on every write moves them.
 */
import assert from 'node:assert/strict';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { migrate, migrations as postgresMigrations } from '../../src/adapters/postgres/migrations.js';
import { openPostgresStateStore } from '../../src/adapters/postgres/state-store.js';
import { migrations as sqliteMigrations } from '../../src/adapters/sqlite/schema.js';
import { openSqliteStateStore } from '../../src/adapters/sqlite/state-store.js';
import type { MessageBrowser, StateStore } from '../../src/index.js';
import { freshSchema, skipWithoutPostgres } from '../support/postgres.js';

/** Rows written by a release before the counts: 30 done, 7 dead and 5 pending of two types. */
const legacyRows = (placeholder: (n: number) => string) => ({
  sql: `INSERT INTO messages (id, type, body, status, created_at, updated_at) VALUES (${[1, 2, 3, 4].map(placeholder).join(', ')}, 1, 1)`,
  rows: Array.from({ length: 42 }, (_, i) => [`old-${i}`, i % 2 ? 'did-create-gif' : 'did-fetch-amp-image', '{}', i < 30 ? 'done' : i < 37 ? 'dead' : 'pending']),
});

async function assertCountsFollow(store: StateStore & MessageBrowser): Promise<void> {
  const expected = [
    ['did-create-gif', 'dead', 3],
    ['did-create-gif', 'done', 15],
    ['did-create-gif', 'pending', 3],
    ['did-fetch-amp-image', 'dead', 4],
    ['did-fetch-amp-image', 'done', 15],
    ['did-fetch-amp-image', 'pending', 2],
  ];
  assert.deepEqual((await store.counts()).map((c) => [c.type, c.status, c.count]), expected, 'filled from the rows already there');
  await store.settle('old-41', { status: 'done', attempts: 1 }, [], 2);
  const after = (await store.counts()).map((c) => [c.type, c.status, c.count]);
  assert.deepEqual(after.find(([t, s]) => t === 'did-create-gif' && s === 'done'), ['did-create-gif', 'done', 16]);
  assert.deepEqual(after.find(([t, s]) => t === 'did-create-gif' && s === 'pending'), ['did-create-gif', 'pending', 2]);
}

it('SQLite: opening a store from before the counts fills them from its rows', async () => {
  const path = join(await mkdtemp(join(tmpdir(), 'dataflow-backfill-')), 'state.db');
  const db = new Database(path);
  for (const step of sqliteMigrations.slice(0, 2)) db.exec(step);
  db.pragma('user_version = 2');
  const { sql, rows } = legacyRows(() => '?');
  for (const row of rows) db.prepare(sql).run(...row);
  db.close();
  const store = openSqliteStateStore(path);
  try {
    await assertCountsFollow(store);
  } finally {
    await store.close();
  }
});

describe('PostgreSQL', { skip: await skipWithoutPostgres() }, () => {
  it('migrating a schema from before the counts fills them from its rows', async () => {
    const db = await freshSchema();
    const store = openPostgresStateStore({ pool: db.pool });
    try {
      await db.pool.query('CREATE TABLE dataflow_migrations (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())');
      for (const step of postgresMigrations.slice(0, 2)) {
        await db.pool.query(step.sql);
        await db.pool.query('INSERT INTO dataflow_migrations (version) VALUES ($1)', [step.version]);
      }
      const { sql, rows } = legacyRows((n) => `$${n}`);
      for (const row of rows) await db.pool.query(sql, row);
      assert.deepEqual(await migrate(db.pool), { from: 2, to: postgresMigrations.length });
      await assertCountsFollow(store);
    } finally {
      await store.close();
      await db.drop();
    }
  });
});
