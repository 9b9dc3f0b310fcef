/**
 * Builds what the CLI runs: the weather flow, on the embedded runtime by default or on the cluster
 * runtime when `DATABASE_URL` is set; with real Aeris maps when credentials are set, and the
 * built-in offline map server otherwise.
 */
import { mkdirSync, openSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createLogger, type LoggerOptions } from '../observability/logger.js';
import { secretsFromEnvironment, textScrubber } from '../observability/secrets.js';
import type { Logger } from '../core/logger.js';
import { embeddedPaths, openEmbeddedRuntime, type Runtime, type StateStore } from '../index.js';
import { embeddedMailer } from '../runtimes/embedded.js';
import { openSqliteStateStore } from '../adapters/sqlite/state-store.js';
import { loadWeatherConfig, type WeatherConfig } from '../flows/weather/config.js';
import { env } from '../flows/weather/env.js';
import { weatherFlow } from '../flows/weather/flow.js';
import { startAmpServer } from '../flows/weather/offline-maps/amp-server.js';
import { consumersOf, type Role } from './roles.js';
import { runtimeEnv } from '../runtimes/env.js';
import { parseRetrySetting } from './retry-setting.js';

export interface App {
  runtime: Runtime;
  config: WeatherConfig;
  /** Where maps come from, for people: never the credentials. */
  mapSource: string;
  /** Where state lives, for people: never a password. */
  stateSource: string;
  /** The folder `.eml` mail goes to when no SMTP server is set. */
  outbox: string;
  /** True on the cluster runtime: other processes may handle messages too. */
  cluster: boolean;
  close(): Promise<void>;
}

export async function openApp(options: { roles?: Role[] } = {}): Promise<App> {
  const config = loadWeatherConfig();
  const paths = embeddedPaths();
  const roles = options.roles ?? ['all'];
  const databaseUrl = process.env[runtimeEnv.databaseUrl];
  const concurrency = parseConcurrency(process.env[runtimeEnv.concurrency]);
  const retry = parseRetrySetting(process.env[runtimeEnv.retry]);
  if (!databaseUrl && !roles.includes('all')) {
    throw new Error('--role needs the cluster runtime: set DATABASE_URL to a postgres:// URL (the embedded runtime runs every role in one process)');
  }
  const maxBodyBytes = positive(env.maxMapBytes);
  const gif = { maxPixels: positive(env.gifMaxPixels) };
  const maps = await openMapSource();
  const createFlow = ({ mailer }: { mailer: ReturnType<typeof embeddedMailer> }) => weatherFlow({ config, mailer, amp: { ...maps.amp, maxBodyBytes }, gif });
  const mailer = embeddedMailer(paths);
  const log = openLog(paths.dir);
  const redact = textScrubber(secretsFromEnvironment());
  let runtime: Runtime;
  try {
    if (databaseUrl) {
      const { openClusterRuntime } = await import('../runtimes/cluster.js');
      runtime = await openClusterRuntime(createFlow, {
        databaseUrl,
        blobsUrl: process.env[runtimeEnv.blobs] || pathToFileURL(paths.blobs).href,
        schema: process.env[runtimeEnv.schema] || undefined,
        leaseSeconds: positive(runtimeEnv.leaseSeconds),
        linkExpiresInSeconds: positive(runtimeEnv.linkExpiresSeconds),
        mailer,
        consumers: consumersOf(roles, createFlow({ mailer })),
        concurrency,
        retry,
        log,
        redact,
      });
    } else {
      runtime = openEmbeddedRuntime(createFlow, { dir: paths.dir, concurrency, retry, log, redact });
    }
  } catch (error) {
    await maps.close();
    throw error;
  }
  return {
    runtime,
    config,
    mapSource: maps.description,
    stateSource: databaseUrl ? `PostgreSQL at ${new URL(databaseUrl).host}${new URL(databaseUrl).pathname}` : paths.dir,
    outbox: paths.outbox,
    cluster: Boolean(databaseUrl),
    async close() {
      await runtime.stop();
      await maps.close();
    },
  };
}

/** The state store alone, for commands that only read or revive state. */
export async function openState(): Promise<StateStore> {
  const databaseUrl = process.env[runtimeEnv.databaseUrl];
  if (!databaseUrl) return openSqliteStateStore(embeddedPaths().state);
  const [{ checkReachable, postgresPool }, { migrate }, { openPostgresStateStore }] = await Promise.all([
    import('../adapters/postgres/pool.js'),
    import('../adapters/postgres/migrations.js'),
    import('../adapters/postgres/state-store.js'),
  ]);
  const schema = process.env[runtimeEnv.schema] || 'dataflow';
  const pool = postgresPool({ connectionString: databaseUrl, max: 2, schema, queryTimeoutMs: 120_000 });
  try {
    await checkReachable(pool, { url: databaseUrl, setting: runtimeEnv.databaseUrl });
    await migrate(pool, { schema });
  } catch (error) {
    await pool.end().catch(() => {});
    throw error;
  }
  const store = openPostgresStateStore({ pool });
  return { ...store, close: async () => (await store.close(), await pool.end()) };
}

/** JSON logs: to stderr when it is not a terminal (a service, a pipe), else to a file beside the data. */
function openLog(dataDir: string): Logger {
  const level = (process.env[runtimeEnv.logLevel] || 'info') as LoggerOptions['level'];
  if (!['debug', 'info', 'warn', 'error', 'silent'].includes(level!)) throw new Error(`${runtimeEnv.logLevel} must be debug, info, warn, error or silent, got ${JSON.stringify(level)}`);
  const target = process.env[runtimeEnv.log] || (process.stderr.isTTY ? join(dataDir, 'dataflow.log') : 'stderr');
  if (target === 'stderr') return createLogger({ level });
  mkdirSync(dirname(target), { recursive: true, mode: 0o700 });
  return createLogger({ level, destination: openSync(target, 'a', 0o600) });
}

/** `thumbnail-creator=4,mediator=8` → `{ 'thumbnail-creator': 4, mediator: 8 }`. */
function parseConcurrency(text: string | undefined): Record<string, number> | undefined {
  if (!text) return undefined;
  return Object.fromEntries(
    text.split(',').map((pair) => {
      const match = /^\s*([a-z0-9-]+)\s*=\s*(\d+)\s*$/.exec(pair);
      if (!match || Number(match[2]) < 1) throw new Error(`${runtimeEnv.concurrency} must look like thumbnail-creator=4,mediator=8, got ${JSON.stringify(text)}`);
      return [match[1]!, Number(match[2])];
    }),
  );
}

function positive(name: string): number | undefined {
  const text = process.env[name];
  if (!text) return undefined;
  const value = Number(text);
  if (!(value > 0)) throw new Error(`${name} must be a positive number, got ${JSON.stringify(text)}`);
  return value;
}

async function openMapSource() {
  const clientId = process.env[env.aerisClientId];
  const clientSecret = process.env[env.aerisClientSecret];
  if (clientId && clientSecret) {
    const baseUrl = process.env[env.aerisMapsUrl] || 'https://maps.aerisapi.com';
    return { amp: { baseUrl, clientId, clientSecret }, description: `Aeris Maps at ${new URL(baseUrl).origin}`, close: async () => {} };
  }
  if (clientId || clientSecret) {
    throw new Error(`set both ${env.aerisClientId} and ${env.aerisClientSecret} to use Aeris Maps, or neither to use the offline map server`);
  }
  const server = await startAmpServer({ clientId: 'offline', clientSecret: 'offline' });
  return {
    amp: { baseUrl: server.url, clientId: 'offline', clientSecret: 'offline' },
    description: `the offline map server at ${server.url}`,
    close: () => server.close(),
  };
}
