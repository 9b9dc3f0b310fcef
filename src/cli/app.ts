/**
 * Builds what the CLI runs: the chosen flow module (see load-flow.ts), on the embedded runtime by
 * default or on the cluster runtime when `DATABASE_URL` is set. The app opens the runtime's ports,
 * hands them to the module's factory, and closes what the factory opened after the runtime stops.
 */
import { mkdirSync, openSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createLogger, type LoggerOptions } from '../observability/logger.js';
import { secretsFromEnvironment, textScrubber } from '../observability/secrets.js';
import type { Logger } from '../core/logger.js';
import { provideFlow, type FlowPorts, type ProvidedFlow, type Runtime, type StateStore } from '../index.js';
import { diskBlobStore } from '../adapters/disk/blob-store.js';
import { openBlobStore } from '../adapters/s3/blobs-url.js';
import { embeddedMailer, embeddedPaths, openEmbeddedRuntime } from '../embedded.js';
import { openSqliteStateStore } from '../adapters/sqlite/state-store.js';
import { readConfigFile } from './config-file.js';
import { chooseFlow, importFlow } from './load-flow.js';
import { consumersOf, type Role } from './roles.js';
import { runtimeEnv } from '../runtimes/env.js';
import { parseRetrySetting } from './retry-setting.js';

export interface App {
  runtime: Runtime;
  /** What the flow module gave besides the flow: its description and its run report. */
  provided: ProvidedFlow;
  /** Where state lives, for people: never a password. */
  stateSource: string;
  /** The folder `.eml` mail goes to when no SMTP server is set. */
  outbox: string;
  /** True on the cluster runtime: other processes may handle messages too. */
  cluster: boolean;
  close(): Promise<void>;
}

export interface AppOptions {
  roles?: Role[];
  /** `--flow`: the flow module. @defaultValue `DATAFLOW_FLOW`, else the config file's `flow`, else the weather flow */
  flow?: string;
}

export async function openApp(options: AppOptions = {}): Promise<App> {
  const configFile = readConfigFile();
  const choice = chooseFlow(options.flow, configFile);
  const source = await importFlow(choice);
  const settings: FlowPorts['settings'] = { config: configFile.values, configFile: configFile.file, env: process.env };
  const paths = embeddedPaths();
  const roles = options.roles ?? ['all'];
  const databaseUrl = process.env[runtimeEnv.databaseUrl];
  const concurrency = parseConcurrency(process.env[runtimeEnv.concurrency]);
  const retry = parseRetrySetting(process.env[runtimeEnv.retry]);
  if (!databaseUrl && !roles.includes('all')) {
    throw new Error('--role needs the cluster runtime: set DATABASE_URL to a postgres:// URL (the embedded runtime runs every role in one process)');
  }
  const mailer = embeddedMailer(paths);
  const log = openLog(paths.dir);
  const redact = textScrubber(secretsFromEnvironment());
  let provided: ProvidedFlow | undefined;
  let runtime: Runtime;
  try {
    if (databaseUrl) {
      const blobs = await openBlobStore(process.env[runtimeEnv.blobs] || pathToFileURL(paths.blobs).href, {
        presignExpiresInSeconds: positive(runtimeEnv.linkExpiresSeconds) ?? 604_800,
      });
      provided = await provideFlow(source, { mailer, blobs, settings }, choice.name);
      const { openClusterRuntime } = await import('../cluster.js');
      runtime = await openClusterRuntime(() => provided!.flow, {
        databaseUrl,
        blobsUrl: process.env[runtimeEnv.blobs] || pathToFileURL(paths.blobs).href,
        blobs,
        schema: process.env[runtimeEnv.schema] || undefined,
        leaseSeconds: positive(runtimeEnv.leaseSeconds),
        mailer,
        consumers: consumersOf(roles, provided.flow),
        concurrency,
        retry,
        log,
        redact,
      });
    } else {
      // The factory's blob store is the runtime's folder; the runtime opens its own after it has
      // locked the folder, since that one also sweeps what a dead process left half-written.
      provided = await provideFlow(source, { mailer, blobs: diskBlobStore(paths.blobs, { staleTemporaryMs: Number.POSITIVE_INFINITY }), settings }, choice.name);
      runtime = openEmbeddedRuntime(() => provided!.flow, { dir: paths.dir, mailer, concurrency, retry, log, redact });
    }
  } catch (error) {
    await provided?.close?.();
    await mailer.close?.();
    throw error;
  }
  const opened = provided;
  return {
    runtime,
    provided: opened,
    stateSource: databaseUrl ? `PostgreSQL at ${new URL(databaseUrl).host}${new URL(databaseUrl).pathname}` : paths.dir,
    outbox: paths.outbox,
    cluster: Boolean(databaseUrl),
    async close() {
      try {
        await runtime.stop();
      } finally {
        await opened.close?.();
      }
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
