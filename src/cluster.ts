/**
 * `dataflow/cluster`: the same flow as many processes on many machines: state and the queue in
 * PostgreSQL (pg-boss), files in S3-compatible storage or a shared folder. The AWS SDK loads only
 * when an `s3://` blob store is opened.
 */
export { openClusterRuntime, type ClusterOptions } from './runtimes/cluster.js';
export { migrate } from './adapters/postgres/migrations.js';
export { openPostgresStateStore } from './adapters/postgres/state-store.js';
export { pgBossTransport } from './adapters/pg-boss/transport.js';
export { openBlobStore, parseBlobsUrl, type BlobsUrl } from './adapters/s3/blobs-url.js';
export type { S3BlobStoreOptions } from './adapters/s3/blob-store.js';
export { smtpMailer } from './adapters/mail/smtp-mailer.js';
export { startFlowSchedule, type RunningSchedule } from './runtimes/flow-schedule.js';
