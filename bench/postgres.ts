/**
 * PostgreSQL for the bench: the server (`DATAFLOW_BENCH_DATABASE_URL`, default the local `test`
 * database, never `DATABASE_URL`, which may be a real deployment), schemas of its own that are
 * dropped afterwards, and a count of the SQL statements this process sends.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';

export const benchDatabaseUrl = process.env.DATAFLOW_BENCH_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test';

/** Undefined when the server answers; otherwise why not. */
export async function postgresUnreachable(): Promise<string | undefined> {
  const client = new pg.Client({ connectionString: benchDatabaseUrl, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return undefined;
  } catch (error) {
    return `PostgreSQL at ${new URL(benchDatabaseUrl).host} is not reachable (${(error as Error).message}); set DATAFLOW_BENCH_DATABASE_URL`;
  } finally {
    await client.end().catch(() => {});
  }
}

/** A fresh schema name: `<prefix>_<random hex>`. */
export function schemaName(prefix: string): string {
  return `${prefix}_${randomBytes(4).toString('hex')}`;
}

/** Runs one statement on a connection of its own. */
export async function adminQuery<T extends pg.QueryResultRow>(sql: string, values?: unknown[]): Promise<T[]> {
  const client = new pg.Client({ connectionString: benchDatabaseUrl });
  client.on('error', () => {});
  await client.connect();
  try {
    return (await client.query<T>(sql, values)).rows;
  } finally {
    await client.end().catch(() => {});
  }
}

export async function dropSchemas(schemas: string[]): Promise<void> {
  for (const schema of schemas) await adminQuery(`DROP SCHEMA IF EXISTS ${pg.escapeIdentifier(schema)} CASCADE`);
}

export interface StatementCounter {
  count(): number;
  /** Counts by the label the classifier gave each statement's text. */
  byLabel(): Map<string, number>;
  reset(): void;
  /** Stops counting: puts node-postgres back as it was. */
  restore(): void;
}

/**
 * Counts every statement any node-postgres client in this process sends (pools, pg-boss, ours):
 * each is one round trip to the server, as nothing here pipelines. `classify` labels a
 * statement's text for `byLabel()`.
 */
export function countStatements(classify: (sql: string) => string = () => 'statement'): StatementCounter {
  const proto = pg.Client.prototype as unknown as { query: (...args: unknown[]) => unknown };
  const original = proto.query;
  let count = 0;
  let labels = new Map<string, number>();
  proto.query = function (this: unknown, ...args: unknown[]) {
    count++;
    const first = args[0] as string | { text?: unknown } | undefined;
    const text = typeof first === 'string' ? first : typeof first?.text === 'string' ? first.text : '';
    const label = classify(text);
    labels.set(label, (labels.get(label) ?? 0) + 1);
    return original.apply(this, args);
  };
  return {
    count: () => count,
    byLabel: () => new Map(labels),
    reset: () => {
      count = 0;
      labels = new Map();
    },
    restore: () => void (proto.query = original),
  };
}
