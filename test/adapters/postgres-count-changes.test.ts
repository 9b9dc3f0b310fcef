/**
 * The PostgreSQL counts with nobody reading them: the changes each write appends are folded in by
 * the writers themselves, so they stay few, and reading the counts writes nothing, so /metrics and
 * the dashboard work on a read-only connection.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import pg from 'pg';
import { migrate } from '../../src/adapters/postgres/migrations.js';
import { openPostgresStateStore } from '../../src/adapters/postgres/state-store.js';
import { freshSchema, skipWithoutPostgres, testDatabaseUrl } from '../support/postgres.js';
import { message } from '../conformance/state-store.case.js';

const skip = await skipWithoutPostgres();

describe('PostgreSQL count changes', { skip }, () => {
  it('stay bounded through thousands of writes with nobody reading the counts, and read exact on a read-only connection', async () => {
    const db = await freshSchema();
    const readOnly = new pg.Pool({ connectionString: testDatabaseUrl, options: `-c search_path=${db.schema} -c default_transaction_read_only=on`, max: 2 });
    try {
      await migrate(db.pool);
      const store = openPostgresStateStore({ pool: db.pool });
      const ids = Array.from({ length: 1600 }, (_, i) => `m${i}`);
      for (const id of ids) await store.save([message(id)], 1);
      for (const id of ids.slice(0, 1500)) await store.settle(id, { status: 'done', attempts: 1 }, [], 2);
      await store.close(); // waits for a fold still running

      const { rows } = await db.pool.query<{ n: number }>('SELECT COUNT(*)::integer AS n FROM message_count_changes');
      // Unfolded, 3100 writes would have left 4600 change rows.
      assert.ok(rows[0]!.n <= 1000, `${rows[0]!.n} count changes left after 3100 writes`);

      const reader = openPostgresStateStore({ pool: readOnly });
      await assert.rejects(readOnly.query('CREATE TABLE refused (n integer)'), /read-only transaction/, 'the connection is read-only');
      assert.deepEqual(
        (await reader.counts()).map((c) => [c.type, c.status, c.count]),
        [['did-fetch-amp-image', 'done', 1500], ['did-fetch-amp-image', 'pending', 100]],
      );
      await reader.close();
    } finally {
      await readOnly.end();
      await db.drop();
    }
  });
});
