/** `dataflow migrate`: brings the cluster's PostgreSQL schema up to this release's version. */
import { runtimeEnv } from '../../runtimes/env.js';
import type { Settings } from '../settings.js';

export async function migrateCommand(settings: Settings): Promise<number> {
  const { databaseUrl, schema } = settings;
  if (!databaseUrl) {
    process.stderr.write(`dataflow migrate: set ${runtimeEnv.databaseUrl} to a postgres:// URL; the embedded runtime migrates its SQLite file by itself\n`);
    return 64;
  }
  const [{ checkReachable, postgresPool }, { migrate }] = await Promise.all([import('../../adapters/postgres/pool.js'), import('../../adapters/postgres/migrations.js')]);
  // No query timeout: a migration may rightly wait for another process's, or build an index.
  const pool = postgresPool({ connectionString: databaseUrl, max: 1 });
  try {
    await checkReachable(pool, { url: databaseUrl, setting: runtimeEnv.databaseUrl });
    const { from, to } = await migrate(pool, { schema });
    process.stderr.write(from === to ? `schema ${schema} is at version ${to}, the latest\n` : `schema ${schema} migrated from version ${from} to ${to}\n`);
    return 0;
  } finally {
    await pool.end();
  }
}
