/**
 * Builds what the CLI runs from the settings (see settings.ts): the chosen flow module (see
 * load-flow.ts), on the embedded runtime by default or on the cluster runtime when `DATABASE_URL`
 * is set. The app opens the runtime's ports, hands them to the module's factory, and closes what
 * the factory opened after the runtime stops.
 */
import { mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createLogger } from '../observability/logger.js';
import { knownSecrets, textScrubber } from '../observability/secrets.js';
import type { Logger } from '../core/logger.js';
import { provideFlow, type FlowPorts, type ProvidedFlow, type Runtime, type StateStore } from '../index.js';
import { diskBlobStore } from '../adapters/disk/blob-store.js';
import { openBlobStore } from '../adapters/s3/blobs-url.js';
import { embeddedMailer, embeddedPaths, openEmbeddedRuntime } from '../embedded.js';
import { openSqliteStateStore } from '../adapters/sqlite/state-store.js';
import { readConfigFile, type ConfigFile } from './config-file.js';
import { checkFlowExists, chooseFlow, importFlow, type FlowChoice } from './load-flow.js';
import { consumersOf, type Role } from './roles.js';
import { runtimeEnv } from '../runtimes/env.js';
import type { Settings } from './settings.js';

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
  /** Scrubs every secret known, the host's and the flow's, from a text: for errors a command shows. */
  redact(text: string): string;
  close(): Promise<void>;
}

export interface AppOptions {
  roles?: Role[];
  /** `--flow`: the flow module. @defaultValue `DATAFLOW_FLOW`, else the config file's `flow`, else the weather flow */
  flow?: string;
}

/**
 * For the commands that read or change only the state: the flow module the settings and `--flow`
 * name must exist, so that one set of options fits every command and a wrong path is still told,
 * but nothing of it is loaded.
 */
export function checkChosenFlow(settings: Settings, flag: string | undefined): void {
  checkFlowExists(chooseFlow(flag, settings.flow, readConfigFile(settings.configPath)));
}

/** The flow module the settings and `--flow` name, and the config file it was chosen with. */
export function chosenFlow(settings: Settings, flag: string | undefined): { configFile: ConfigFile; choice: FlowChoice } {
  const configFile = readConfigFile(settings.configPath);
  return { configFile, choice: chooseFlow(flag, settings.flow, configFile) };
}

/** Finds the flow module the settings and `--flow` name (or takes the one chosen already), and hands its factory the ports. */
export async function provideChosenFlow(settings: Settings, flag: string | undefined, ports: Omit<FlowPorts, 'settings'>, chosen = chosenFlow(settings, flag)): Promise<ProvidedFlow> {
  const { configFile, choice } = chosen;
  const source = await importFlow(choice);
  return provideFlow(source, { ...ports, settings: { config: configFile.values, configFile: configFile.file, env: settings.env } }, choice.name);
}

export async function openApp(settings: Settings, options: AppOptions = {}): Promise<App> {
  const paths = embeddedPaths(settings.dir);
  const roles = options.roles ?? ['all'];
  if (settings.runtime === 'aws') return openAwsApp(settings, roles, options.flow);
  const databaseUrl = settings.runtime === 'cluster' ? settings.databaseUrl : undefined;
  if (!databaseUrl && !roles.includes('all')) {
    throw new Error('--role needs the cluster or the AWS runtime: set DATABASE_URL to a postgres:// URL, or --runtime aws (the embedded runtime runs every role in one process)');
  }
  const mailer = embeddedMailer(paths, settings.smtpUrl);
  const blobsUrl = settings.blobsUrl ?? pathToFileURL(paths.blobs).href;
  let provided: ProvidedFlow | undefined;
  let runtime: Runtime;
  let redact: (text: string) => string;
  try {
    // The flow first: the secrets it read are known only then, and the log scrubs them from its first line.
    const blobs = databaseUrl
      ? await openBlobStore(blobsUrl, { presignExpiresInSeconds: settings.linkExpiresSeconds, forcePathStyle: settings.s3PathStyle })
      : // The factory's blob store is the runtime's folder; the runtime opens its own after it has
        // locked the folder, since that one also sweeps what a dead process left half-written.
        diskBlobStore(paths.blobs, { staleTemporaryMs: Number.POSITIVE_INFINITY });
    provided = await provideChosenFlow(settings, options.flow, { mailer, blobs });
    const secrets = knownSecrets([...settings.secrets, ...(provided.secrets ?? [])]);
    const log = openLog(settings, secrets);
    redact = textScrubber(secrets);
    const common = { mailer, concurrency: settings.concurrency, retry: settings.retry, log, redact };
    if (databaseUrl) {
      const { openClusterRuntime } = await import('../cluster.js');
      runtime = await openClusterRuntime(() => provided!.flow, {
        ...common,
        databaseUrl,
        blobsUrl,
        blobs,
        schema: settings.schema,
        leaseSeconds: settings.leaseSeconds,
        linkExpiresInSeconds: settings.linkExpiresSeconds,
        consumers: consumersOf(roles, provided.flow),
      });
    } else {
      runtime = openEmbeddedRuntime(() => provided!.flow, { ...common, dir: paths.dir });
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
    redact,
    async close() {
      try {
        await runtime.stop();
      } finally {
        await opened.close?.();
      }
    },
  };
}

/**
 * The AWS runtime in this process (see runtimes/aws/runtime.ts): the handlers a deployment runs,
 * hosted for the consumers the roles name, on the resources `dataflow aws setup` made.
 */
async function openAwsApp(settings: Settings, roles: Role[], flow: string | undefined): Promise<App> {
  const [{ openAwsRuntime }, { readAwsSettings }] = await Promise.all([import('../runtimes/aws/runtime.js'), import('../runtimes/aws/settings.js')]);
  const aws = readAwsSettings(settings.env);
  const runtime = await openAwsRuntime({
    settings: aws,
    flow,
    consumers: (chosen) => consumersOf(roles, chosen),
    log: (secrets) => openLog(settings, knownSecrets([...settings.secrets, ...secrets])),
    retry: settings.retry,
    concurrency: settings.concurrency,
  });
  return {
    runtime,
    provided: runtime.provided,
    stateSource: `DynamoDB table ${aws.names.table}, queues ${aws.names.prefix}-*`,
    outbox: embeddedPaths(settings.dir).outbox,
    cluster: true,
    redact: runtime.context.redact,
    close: () => runtime.stop(),
  };
}

/** The state store alone, for commands that only read or revive state. */
export async function openState(settings: Settings): Promise<StateStore> {
  if (settings.runtime === 'aws') {
    const [{ openDynamoStateStore }, { readAwsSettings }] = await Promise.all([import('../adapters/dynamodb/state-store.js'), import('../runtimes/aws/settings.js')]);
    return openDynamoStateStore({ table: readAwsSettings(settings.env).names.table });
  }
  const { schema } = settings;
  const databaseUrl = settings.runtime === 'cluster' ? settings.databaseUrl : undefined;
  if (!databaseUrl) return openSqliteStateStore(embeddedPaths(settings.dir).state);
  const [{ checkReachable, postgresPool }, { migrate }, { openPostgresStateStore }] = await Promise.all([
    import('../adapters/postgres/pool.js'),
    import('../adapters/postgres/migrations.js'),
    import('../adapters/postgres/state-store.js'),
  ]);
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

/** JSON logs, to stderr or to a file (see `Settings.logTo`), scrubbed of every known secret. */
function openLog(settings: Settings, secrets: readonly string[]): Logger {
  if (settings.logTo === 'stderr') return createLogger({ level: settings.logLevel, secrets });
  mkdirSync(dirname(settings.logTo), { recursive: true, mode: 0o700 });
  return createLogger({ level: settings.logLevel, secrets, destination: openSync(settings.logTo, 'a', 0o600) });
}
