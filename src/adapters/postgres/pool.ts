/**
 * Pools that give up on a PostgreSQL that does not answer, and a first query that says so in one
 * line. A server (or a proxy, a firewall) that accepts the connection and then stays silent would
 * otherwise hold a command forever: pg waits for the startup answer with no time limit by default.
 */
import pg from 'pg';
import { hideCredentials } from '../../core/redact.js';

/**
 * How long opening a connection may take, handshake included, unless the URL says otherwise with
 * libpq's `connect_timeout=<seconds>` (a database that wakes from a pause may need more).
 * @defaultValue 5000
 */
export const connectTimeoutMs = 5_000;

/** The URL's `connect_timeout` (seconds, as libpq reads it) in milliseconds, else {@link connectTimeoutMs}. */
export function connectTimeoutOf(url: string): number {
  let text: string | null = null;
  try {
    text = new URL(url).searchParams.get('connect_timeout');
  } catch {
    // not a URL: whoever checks the setting says so; the default holds meanwhile
  }
  const seconds = Number(text);
  return text !== null && seconds > 0 ? seconds * 1000 : connectTimeoutMs;
}

export interface PostgresPoolOptions {
  connectionString: string;
  /** @defaultValue 2 */
  max?: number;
  /** Put first on every connection's search_path. */
  schema?: string;
  /** @defaultValue the URL's `connect_timeout`, else {@link connectTimeoutMs} */
  connectTimeoutMs?: number;
  /** How long the client waits for any one answer; unset for none (migrations may wait on a lock). */
  queryTimeoutMs?: number;
  /** Server settings for every connection, e.g. `{ statement_timeout: '60000' }`. */
  settings?: Record<string, string>;
}

export function postgresPool(options: PostgresPoolOptions): pg.Pool {
  const settings = { ...(options.schema ? { search_path: options.schema } : {}), ...options.settings };
  const startup = Object.entries(settings).map(([name, value]) => `-c ${name}=${value}`);
  const pool = new pg.Pool({
    connectionString: options.connectionString,
    max: options.max ?? 2,
    keepAlive: true,
    connectionTimeoutMillis: options.connectTimeoutMs ?? connectTimeoutOf(options.connectionString),
    ...(options.queryTimeoutMs ? { query_timeout: options.queryTimeoutMs } : {}),
    ...(startup.length ? { options: startup.join(' ') } : {}),
  });
  // A connection the server drops must not crash the process: an idle one is replaced at the next
  // query; a checked-out one fails its query (which the core retries).
  pool.on('error', () => {});
  pool.on('connect', (client) => client.on('error', () => {}));
  return pool;
}

/**
 * Runs one short query, so that an unreachable, silent or refusing server fails here, in one line
 * that names the setting and the server (never the password), rather than deep inside a migration.
 */
export async function checkReachable(pool: pg.Pool, where: { url: string; setting: string; /** @defaultValue the URL's `connect_timeout`, else 5000 */ timeoutMs?: number }): Promise<void> {
  const timeoutMs = where.timeoutMs ?? connectTimeoutOf(where.url);
  try {
    await pool.query({ text: 'SELECT 1', query_timeout: timeoutMs } as pg.QueryConfig);
  } catch (error) {
    throw new Error(`${where.setting}: cannot use PostgreSQL at ${serverOf(where.url)}: ${explain(error as Error, timeoutMs)}`, { cause: error });
  }
}

/**
 * host:port/database, without the user and password. They are hidden before the URL is parsed:
 * a raw `/` in a password would end the host early and show the rest of the password as a path.
 */
function serverOf(url: string): string {
  try {
    const parsed = new URL(hideCredentials(url));
    return `${parsed.hostname}:${parsed.port || 5432}${parsed.pathname === '/' ? '' : parsed.pathname}`;
  } catch {
    return 'the address given';
  }
}

function explain(error: Error, timeoutMs: number): string {
  const code = (error as { code?: unknown }).code;
  if (/timeout/i.test(error.message)) return `no answer within ${timeoutMs / 1000} s`;
  if (code === 'ECONNREFUSED') return 'the connection was refused (is it running, on this port?)';
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return 'no such host';
  // The server's own words (authentication failed, no such database) name no password.
  return error.message.replace(/\s+/g, ' ').trim() || String(code ?? 'failed');
}
