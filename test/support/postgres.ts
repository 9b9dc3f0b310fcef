/**
 * PostgreSQL for tests: each test gets a schema of its own, so tests never see each other's rows.
 *
 * The server is `DATAFLOW_TEST_DATABASE_URL` (default: the local server, database `test`). When it
 * cannot be reached the suites are skipped with the reason, unless `DATAFLOW_REQUIRE_SERVICES=1`
 * (set by CI), when they fail instead.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';

export const testDatabaseUrl = process.env.DATAFLOW_TEST_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test';
const required = process.env.DATAFLOW_REQUIRE_SERVICES === '1';

let reachable: Promise<string | undefined> | undefined;

/** Undefined when PostgreSQL answers; otherwise why not. */
export function postgresUnavailable(): Promise<string | undefined> {
  reachable ??= (async () => {
    const client = new pg.Client({ connectionString: testDatabaseUrl, connectionTimeoutMillis: 3000 });
    try {
      await client.connect();
      await client.query('SELECT 1');
      return undefined;
    } catch (error) {
      return `PostgreSQL at ${new URL(testDatabaseUrl).host} is not reachable (${(error as Error).message})`;
    } finally {
      await client.end().catch(() => {});
    }
  })();
  return reachable;
}

/**
 * The `skip` option for a PostgreSQL suite: false when the server answers, the reason when it
 * does not; throws when services are required.
 */
export async function skipWithoutPostgres(): Promise<string | false> {
  const reason = await postgresUnavailable();
  if (!reason) return false;
  if (required) throw new Error(`${reason}; DATAFLOW_REQUIRE_SERVICES=1 makes this a failure`);
  process.stderr.write(`skipping PostgreSQL suites: ${reason}\n`);
  return `${reason} (set DATAFLOW_REQUIRE_SERVICES=1 to fail instead)`;
}

/** A new, empty schema and a pool whose connections use it; `drop()` removes both. */
export async function freshSchema(prefix = 'dataflow_test'): Promise<{ pool: pg.Pool; schema: string; url: string; drop(): Promise<void> }> {
  const schema = `${prefix}_${randomBytes(5).toString('hex')}`;
  const admin = new pg.Client({ connectionString: testDatabaseUrl });
  await admin.connect();
  await admin.query(`CREATE SCHEMA "${schema}"`);
  await admin.end();
  const url = new URL(testDatabaseUrl);
  url.searchParams.set('options', `-c search_path=${schema}`);
  const pool = new pg.Pool({ connectionString: testDatabaseUrl, options: `-c search_path=${schema}`, max: 10 });
  return {
    pool,
    schema,
    url: url.href,
    async drop() {
      await pool.end();
      const cleanup = new pg.Client({ connectionString: testDatabaseUrl });
      await cleanup.connect();
      await cleanup.query(`DROP SCHEMA "${schema}" CASCADE`);
      await cleanup.end();
    },
  };
}
