/** `dataflow migrate`: brings the cluster's PostgreSQL schema up to this release's version. */
import { runtimeEnv } from '../../runtimes/env.js';

export async function migrateCommand(): Promise<number> {
  const databaseUrl = process.env[runtimeEnv.databaseUrl];
  if (!databaseUrl) {
    process.stderr.write(`dataflow migrate: set ${runtimeEnv.databaseUrl} to a postgres:// URL; the embedded runtime migrates its SQLite file by itself\n`);
    return 64;
  }
  const [{ default: pg }, { migrate }] = await Promise.all([import('pg'), import('../../adapters/postgres/migrations.js')]);
  const schema = process.env[runtimeEnv.schema] || 'dataflow';
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 1 });
  try {
    const { from, to } = await migrate(pool, { schema });
    process.stderr.write(from === to ? `schema ${schema} is at version ${to}, the latest\n` : `schema ${schema} migrated from version ${from} to ${to}\n`);
    return 0;
  } finally {
    await pool.end();
  }
}
