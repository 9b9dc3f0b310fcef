/**
 * A child process for the PostgreSQL multi-process fan-in test: waits at a start barrier (a shared
 * advisory lock the parent holds exclusively), then adds its members to a shared group and prints
 * the batches it got as JSON.
 *
 * argv: <database url (with the schema on its search_path)> <first order> <count> <barrier key 1> <barrier key 2>
 */
import pg from 'pg';
import { openPostgresStateStore } from '../../src/adapters/postgres/state-store.js';
import type { Batch } from '../../src/index.js';

const [url, first, count, key1, key2] = process.argv.slice(2);
const pool = new pg.Pool({ connectionString: url, max: 2 });
try {
  // Blocks until the parent sees every child waiting here and lets them all go at once.
  // (Transaction-scoped: taken and let go within this one statement.)
  await pool.query('SELECT pg_advisory_xact_lock_shared($1::integer, $2::integer)', [Number(key1), Number(key2)]);
  const store = openPostgresStateStore({ pool });
  const batches: Batch[] = [];
  for (let i = 0; i < Number(count); i++) {
    const order = Number(first) + i;
    const batch = await store.addToWindow('frames:shared', { id: String(order), order, value: { pid: process.pid } }, 5);
    if (batch) batches.push(batch);
  }
  await store.close();
  process.stdout.write(JSON.stringify(batches));
} finally {
  await pool.end();
}
