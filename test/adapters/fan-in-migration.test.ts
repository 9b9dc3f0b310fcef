/**
 * Upgrading a store from before the window and known set records: its fan-in groups carry over,
 * so a GIF still collecting frames and a mail still awaiting parts go on where they were, and
 * every message gets the root of its causal tree.
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
import type { StateStore } from '../../src/index.js';
import { freshSchema, skipWithoutPostgres } from '../support/postgres.js';

/** Rows as a release before the new records left them; the same SQL for both databases. */
const legacy = [
  // A chain root -> child -> grandchild (pending), an orphan whose cause is gone, and a lone root.
  `INSERT INTO messages (id, type, body, caused_by, status, created_at, updated_at) VALUES
     ('root', 'please-fetch-amp-image', '{}', NULL, 'done', 1, 1),
     ('child', 'did-fetch-amp-image', '{}', 'root', 'done', 1, 1),
     ('grandchild', 'please-create-thumbnail', '{}', 'child', 'pending', 1, 1),
     ('orphan', 'please-create-thumbnail', '{}', 'pruned-long-ago', 'pending', 1, 1),
     ('lone', 'please-fetch-amp-image', '{}', NULL, 'pending', 1, 1)`,
  // Frames: one GIF made of five, two more waiting for the next.
  `INSERT INTO members (grp, id, ord, value, batch, joined_after) VALUES
     ('frames:legacy', 'f5', 5, '{"at":5}', 1, 1),
     ('frames:legacy', 'f1', 1, '{"at":1}', 1, 1),
     ('frames:legacy', 'f3', 3, '{"at":3}', 1, 1),
     ('frames:legacy', 'f2', 2, '{"at":2}', 1, 1),
     ('frames:legacy', 'f4', 4, '{"at":4}', 1, 1),
     ('frames:legacy', 'f7', 7, '{"at":7}', NULL, 3),
     ('frames:legacy', 'f6', 6, '{"at":6}', NULL, 2)`,
  `INSERT INTO batches (grp, idx, closed_by, closed_after) VALUES ('frames:legacy', 1, 'f4', 1)`,
  // A mail with its GIF and one thumbnail in, one thumbnail to come; and a mail already decided.
  `INSERT INTO members (grp, id, ord, value, batch, joined_after) VALUES
     ('mail:legacy#1', 'gif', 9007199254740991, '{"location":"gif"}', NULL, 4),
     ('mail:legacy#1', 'thumbnail:1', 1, '{"location":"t1"}', NULL, 5),
     ('mail:sent#1', 'gif', 9007199254740991, '{"location":"gif"}', 1, 1),
     ('mail:sent#1', 'thumbnail:1', 1, '{"location":"t1"}', 1, 1)`,
  `INSERT INTO batches (grp, idx, closed_by, closed_after) VALUES ('mail:sent#1', 1, 'thumbnail:1', 1)`,
];

async function assertCarriedOver(store: StateStore): Promise<void> {
  // Roots backfilled.
  assert.equal(await store.unsettled(['root']), 1, 'the grandchild, through the backfilled roots');
  assert.equal(await store.unsettled(['orphan']), 1);
  assert.equal(await store.unsettled(['lone']), 1);
  await store.settle('grandchild', { status: 'done', attempts: 1 }, [{ id: 'great', type: 'did-create-thumbnail', body: { raw: '' }, causedBy: 'grandchild' }], 2);
  assert.equal(await store.unsettled(['root']), 1, 'a message saved after the upgrade joins its tree');

  // The frames' window: its batch stays, and the two waiting frames are in the next window.
  const first = await store.windowOf('frames:legacy', 'f2');
  assert.deepEqual(first, {
    group: 'frames:legacy',
    index: 1,
    members: [1, 2, 3, 4, 5].map((n) => ({ id: `f${n}`, order: n, value: { at: n } })),
    closedBy: 'f4',
  });
  assert.deepEqual(await store.addToWindow('frames:legacy', { id: 'f4', order: 4, value: null }, 5), first, 'its closer replays it');
  assert.deepEqual((await store.openWindow('frames:legacy')).members.map((m) => m.id), ['f7', 'f6'], 'in arrival order');
  for (const n of [8, 9]) assert.equal(await store.addToWindow('frames:legacy', { id: `f${n}`, order: n, value: { at: n } }, 5), undefined);
  const second = await store.addToWindow('frames:legacy', { id: 'f10', order: 10, value: { at: 10 } }, 5);
  assert.deepEqual(second?.members.map((m) => m.id), ['f6', 'f7', 'f8', 'f9', 'f10']);
  assert.equal(second?.index, 2);

  // The mail awaiting a thumbnail completes with the parts that came before the upgrade.
  const expected = ['gif', 'thumbnail:1', 'thumbnail:2'];
  const mail = await store.addPart('mail:legacy#1', expected, { name: 'thumbnail:2', value: { location: 't2' } });
  assert.deepEqual(mail?.parts, [
    { name: 'gif', value: { location: 'gif' } },
    { name: 'thumbnail:1', value: { location: 't1' } },
    { name: 'thumbnail:2', value: { location: 't2' } },
  ]);
  assert.deepEqual((await store.openWindow('mail:legacy#1')).members, [], 'used as a set, its window copy is gone');
  // The mail decided before the upgrade replays to its completer only.
  assert.equal((await store.addPart('mail:sent#1', ['gif', 'thumbnail:1'], { name: 'thumbnail:1', value: null }))?.completedBy, 'thumbnail:1');
  assert.equal(await store.addPart('mail:sent#1', ['gif', 'thumbnail:1'], { name: 'gif', value: null }), undefined);
}

it('SQLite: opening a store from before the window and known set records carries its groups and roots over', async () => {
  const path = join(await mkdtemp(join(tmpdir(), 'dataflow-fan-in-migration-')), 'state.db');
  const db = new Database(path);
  for (const step of sqliteMigrations.slice(0, 4)) db.exec(step);
  db.pragma('user_version = 4');
  for (const sql of legacy) db.exec(sql);
  db.close();
  const store = openSqliteStateStore(path);
  try {
    await assertCarriedOver(store);
  } finally {
    await store.close();
  }
});

describe('PostgreSQL', { skip: await skipWithoutPostgres() }, () => {
  it('migrating a schema from before the window and known set records carries its groups and roots over', async () => {
    const db = await freshSchema();
    const store = openPostgresStateStore({ pool: db.pool });
    try {
      await db.pool.query('CREATE TABLE dataflow_migrations (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())');
      for (const step of postgresMigrations.slice(0, 5)) {
        await db.pool.query(step.sql);
        await db.pool.query('INSERT INTO dataflow_migrations (version) VALUES ($1)', [step.version]);
      }
      for (const sql of legacy) await db.pool.query(sql);
      assert.deepEqual(await migrate(db.pool), { from: 5, to: postgresMigrations.length });
      await assertCarriedOver(store);
      const { rows } = await db.pool.query<{ missing: number }>('SELECT COUNT(*)::integer AS missing FROM messages WHERE root IS NULL');
      assert.equal(rows[0]!.missing, 0);
    } finally {
      await store.close();
      await db.drop();
    }
  });
});
