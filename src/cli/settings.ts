/**
 * The host's settings: read from the environment once, when a command starts, into one typed
 * object with its defaults filled in (see `runtimeDefaults`), every value checked, and an error
 * naming the variable for the first that cannot work. Nothing below the entry point reads the
 * environment: each part gets what it needs from here.
 */
import { join, resolve } from 'node:path';
import type { RetryOverrides } from '../core/retry-policy.js';
import { SettingError } from '../core/url-setting.js';
import { runtimeDefaults, runtimeEnv } from '../runtimes/env.js';
import { secretsFromEnvironment } from '../observability/secrets.js';
import { parseDuration } from './duration.js';
import { parseRetrySetting } from './retry-setting.js';
import { checkBlobsUrl, checkDatabaseUrl, checkSmtpUrl } from './url-settings.js';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';

export type RuntimeName = 'embedded' | 'cluster' | 'aws';
export const runtimeNames: readonly RuntimeName[] = ['embedded', 'cluster', 'aws'];

export interface Settings {
  /** The environment as it was read: a flow's factory gets it as `settings.env`. */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** `DATAFLOW_FLOW`: the flow module, unless `--flow` names one. */
  readonly flow?: string;
  /** `DATAFLOW_CONFIG`: the config file's path, else `./dataflow.config.json` when it exists. */
  readonly configPath?: string;
  /** The embedded runtime's data folder, absolute. */
  readonly dir: string;
  /** A `postgres://` URL: the cluster runtime's state and queue. */
  readonly databaseUrl?: string;
  /** `--runtime`, else `DATAFLOW_RUNTIME`, else cluster when DATABASE_URL is set, else embedded. */
  readonly runtime: RuntimeName;
  /** `file:///folder` or `s3://bucket/prefix`; unset: `<dir>/blobs`. */
  readonly blobsUrl?: string;
  /** Mail over SMTP; unset: `.eml` files in `<dir>/outbox`. */
  readonly smtpUrl?: string;
  readonly schema: string;
  readonly leaseSeconds: number;
  readonly linkExpiresSeconds: number;
  /**
   * Path-style S3 addresses (`endpoint/bucket/key`), as S3-compatible services want: true when the
   * AWS SDK's own AWS_ENDPOINT_URL_S3 or AWS_ENDPOINT_URL points it at one.
   */
  readonly s3PathStyle: boolean;
  readonly retry?: RetryOverrides;
  /** How long `run` keeps done messages, in ms; unset: all. */
  readonly retentionMs?: number;
  readonly concurrency?: Readonly<Record<string, number>>;
  readonly logLevel: LogLevel;
  /** `stderr`, or the path of a file. */
  readonly logTo: string;
  readonly dashboard: {
    /** undefined: off. */
    readonly port: number | undefined;
    readonly host: string;
    readonly token?: string;
  };
  /** The values to scrub from every log line and reason: credentials and passwords in URLs. */
  readonly secrets: readonly string[];
}

export interface ReadSettingsOptions {
  /** True when stderr is a terminal: logs then go to a file beside the data. @defaultValue false */
  terminal?: boolean;
  /** Where relative paths start. @defaultValue process.cwd() */
  cwd?: string;
}

/** Reads and checks every setting; throws a {@link SettingError} naming the first wrong one. */
export function readSettings(env: Readonly<Record<string, string | undefined>>, options: ReadSettingsOptions = {}): Settings {
  const value = (name: string) => (env[name] === undefined || env[name] === '' ? undefined : env[name]);
  const cwd = options.cwd ?? process.cwd();
  const checked = <T>(read: () => T): T => {
    try {
      return read();
    } catch (error) {
      throw error instanceof SettingError ? error : new SettingError((error as Error).message);
    }
  };
  const databaseUrl = value(runtimeEnv.databaseUrl);
  const smtpUrl = value(runtimeEnv.smtpUrl);
  const blobsUrl = value(runtimeEnv.blobs);
  checkDatabaseUrl(databaseUrl);
  checkSmtpUrl(smtpUrl);
  checkBlobsUrl(blobsUrl);
  const dir = resolve(cwd, value(runtimeEnv.dir) ?? runtimeDefaults.dir);
  const retention = value(runtimeEnv.retention);
  const logTarget = value(runtimeEnv.log);
  return {
    env,
    flow: value(runtimeEnv.flow),
    configPath: value(runtimeEnv.config),
    dir,
    databaseUrl,
    runtime: checked(() => chooseRuntime(value(runtimeEnv.runtime), databaseUrl, runtimeEnv.runtime)),
    blobsUrl,
    smtpUrl,
    schema: schemaName(value(runtimeEnv.schema) ?? runtimeDefaults.schema),
    leaseSeconds: positive(runtimeEnv.leaseSeconds, value(runtimeEnv.leaseSeconds)) ?? runtimeDefaults.leaseSeconds,
    linkExpiresSeconds: linkExpiry(value(runtimeEnv.linkExpiresSeconds)),
    s3PathStyle: Boolean(value('AWS_ENDPOINT_URL_S3') ?? value('AWS_ENDPOINT_URL')),
    retry: checked(() => parseRetrySetting(value(runtimeEnv.retry))),
    retentionMs: retention === undefined ? undefined : checked(() => parseDuration(retention, runtimeEnv.retention)),
    concurrency: parseConcurrency(value(runtimeEnv.concurrency)),
    logLevel: logLevel(value(runtimeEnv.logLevel) ?? runtimeDefaults.logLevel),
    logTo: logTarget === undefined ? (options.terminal ? join(dir, 'dataflow.log') : 'stderr') : logTarget === 'stderr' ? 'stderr' : resolve(cwd, logTarget),
    dashboard: {
      port: parsePort(value(runtimeEnv.dashboardPort), runtimeEnv.dashboardPort),
      host: value(runtimeEnv.dashboardHost) ?? runtimeDefaults.dashboardHost,
      token: value(runtimeEnv.dashboardToken),
    },
    secrets: secretsFromEnvironment(env),
  };
}

/**
 * The runtime a command opens: `given` (`--runtime` or DATAFLOW_RUNTIME, as `setting` names), else
 * the cluster when DATABASE_URL is set, else the embedded one. The cluster needs DATABASE_URL.
 */
export function chooseRuntime(given: string | undefined, databaseUrl: string | undefined, setting = '--runtime'): RuntimeName {
  if (given === undefined || given === '') return databaseUrl ? 'cluster' : 'embedded';
  if (!runtimeNames.includes(given as RuntimeName)) throw new SettingError(`${setting} must be embedded, cluster or aws, got ${JSON.stringify(given)}`);
  if (given === 'cluster' && !databaseUrl) throw new SettingError(`${setting} cluster needs ${runtimeEnv.databaseUrl}: set it to a postgres:// URL`);
  return given as RuntimeName;
}

/** The settings with the runtime `--runtime` chose, when it was given. */
export function withRuntime(settings: Settings, flag: string | undefined): Settings {
  if (flag === undefined) return settings;
  return { ...settings, runtime: chooseRuntime(flag, settings.databaseUrl) };
}

/** The dashboard's port: a number, 0 for any, `off` for none; unset: the default. `name` is what errors name. */
export function parsePort(text: string | undefined, name: string): number | undefined {
  if (text === undefined) return runtimeDefaults.dashboardPort;
  if (text === 'off') return undefined;
  const port = Number(text);
  if (!/^\d+$/.test(text.trim()) || port > 65535) throw new SettingError(`${name} must be a port from 0 to 65535, or off, got ${JSON.stringify(text)}`);
  return port;
}

function schemaName(text: string): string {
  if (!/^[a-z_][a-z0-9_]{0,40}$/.test(text)) throw new SettingError(`${runtimeEnv.schema} must be lower-case letters, digits and _ (at most 41, not starting with a digit), got ${JSON.stringify(text)}`);
  return text;
}

function linkExpiry(text: string | undefined): number {
  const seconds = positive(runtimeEnv.linkExpiresSeconds, text) ?? runtimeDefaults.linkExpiresSeconds;
  if (!Number.isInteger(seconds) || seconds > runtimeDefaults.linkExpiresSeconds) {
    throw new SettingError(`${runtimeEnv.linkExpiresSeconds} must be a whole number of seconds up to ${runtimeDefaults.linkExpiresSeconds} (a week, the most S3 allows), got ${JSON.stringify(text)}`);
  }
  return seconds;
}

function logLevel(text: string): LogLevel {
  const levels: LogLevel[] = ['debug', 'info', 'warn', 'error', 'silent'];
  if (!levels.includes(text as LogLevel)) throw new SettingError(`${runtimeEnv.logLevel} must be debug, info, warn, error or silent, got ${JSON.stringify(text)}`);
  return text as LogLevel;
}

/** `thumbnail-creator=4,mediator=8` → `{ 'thumbnail-creator': 4, mediator: 8 }`. */
function parseConcurrency(text: string | undefined): Record<string, number> | undefined {
  if (!text) return undefined;
  return Object.fromEntries(
    text.split(',').map((pair) => {
      const match = /^\s*([a-z0-9-]+)\s*=\s*(\d+)\s*$/.exec(pair);
      if (!match || Number(match[2]) < 1) throw new SettingError(`${runtimeEnv.concurrency} must look like thumbnail-creator=4,mediator=8, got ${JSON.stringify(text)}`);
      return [match[1]!, Number(match[2])];
    }),
  );
}

function positive(name: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!(value > 0)) throw new SettingError(`${name} must be a positive number, got ${JSON.stringify(text)}`);
  return value;
}
