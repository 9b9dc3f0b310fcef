/**
 * Every environment variable the runtimes and the CLI read, in one place, and the defaults they
 * fall back to. Only entry points (the `dataflow` command; a serverless handler) read the
 * environment, into one settings object (src/cli/settings.ts); the runtimes take options.
 */
import { leaseDefaults } from '../adapters/pg-boss/lease.js';

export const runtimeEnv = {
  /**
   * The flow module every command runs (`./my-flow.mjs`, relative to the current folder, or a
   * package name). @defaultValue the config file's `flow`, else the built-in weather flow
   */
  flow: 'DATAFLOW_FLOW',
  /** Path of the config file. @defaultValue `./dataflow.config.json` when it exists */
  config: 'DATAFLOW_CONFIG',
  /** The embedded runtime's data folder. @defaultValue ./.dataflow */
  dir: 'DATAFLOW_DIR',
  /** Send mail over SMTP (`smtp://…`, `smtps://…`); unset: `.eml` files in the outbox. */
  smtpUrl: 'SMTP_URL',
  /** A `postgres://` URL: chooses the cluster runtime. */
  databaseUrl: 'DATABASE_URL',
  /** embedded, cluster or aws (`--runtime`). @defaultValue cluster when DATABASE_URL is set, else embedded */
  runtime: 'DATAFLOW_RUNTIME',
  /** Where the cluster keeps files: `file:///folder` or `s3://bucket/prefix`. @defaultValue the data folder's blobs */
  blobs: 'DATAFLOW_BLOBS',
  /** How long the presigned links in mails stay valid, for S3 blobs. @defaultValue 604800 (7 days, the most S3 allows) */
  linkExpiresSeconds: 'DATAFLOW_LINK_EXPIRES_SECONDS',
  /** The PostgreSQL schema for state; the queue uses `<schema>_queue`. @defaultValue dataflow */
  schema: 'DATAFLOW_SCHEMA',
  /** Seconds a job may go without its lease renewed before another process takes it over; running handlers renew theirs. @defaultValue 30 */
  leaseSeconds: 'DATAFLOW_LEASE_SECONDS',
  /**
   * Retry policies: `maxAttempts=20,maxDelayMs=600000` for every consumer, `email-sender.maxAttempts=40`
   * for one. @defaultValue each worker's own, else 12 attempts, backoff from 1000 ms to 300000 ms
   */
  retry: 'DATAFLOW_RETRY',
  /**
   * How long `dataflow run` keeps done messages (`30d`, `12h`, `90m`, `45s`): it prunes older ones
   * at start and then every tenth of that (at most hourly). Unset: everything is kept.
   */
  retention: 'DATAFLOW_RETENTION',
  /** Per-consumer concurrency in this process: `thumbnail-creator=4,mediator=8`. */
  concurrency: 'DATAFLOW_CONCURRENCY',
  /** debug, info, warn, error or silent. @defaultValue info */
  logLevel: 'DATAFLOW_LOG_LEVEL',
  /** Where JSON logs go: `stderr`, or a file path. @defaultValue stderr when it is not a terminal, else <DATAFLOW_DIR>/dataflow.log */
  log: 'DATAFLOW_LOG',
  /** The dashboard's port: a number, 0 for any free port, or `off`. @defaultValue 7070 */
  dashboardPort: 'DATAFLOW_DASHBOARD_PORT',
  /** The dashboard's address. @defaultValue 127.0.0.1 */
  dashboardHost: 'DATAFLOW_DASHBOARD_HOST',
  /** Required to reach the dashboard off loopback, and for its writes there; 16 characters at least. */
  dashboardToken: 'DATAFLOW_DASHBOARD_TOKEN',
} as const;

/** The one place each default lives: settings, runtimes and help text all read it here. */
export const runtimeDefaults = {
  dir: '.dataflow',
  schema: 'dataflow',
  leaseSeconds: leaseDefaults.leaseSeconds,
  /** A week: the most S3 allows for a presigned link. */
  linkExpiresSeconds: 604_800,
  logLevel: 'info',
  dashboardPort: 7070,
  dashboardHost: '127.0.0.1',
} as const satisfies Partial<Record<keyof typeof runtimeEnv, string | number>>;
