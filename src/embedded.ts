/**
 * `dataflow/embedded`: the whole flow in one process, nothing to install (SQLite, a local folder,
 * an in-process queue, `.eml` mail or SMTP), and the adapters it is made of.
 */
export { openEmbeddedRuntime, embeddedPaths, embeddedMailer, type EmbeddedOptions, type EmbeddedPaths } from './runtimes/embedded.js';
export { diskBlobStore, type DiskBlobStore, type DiskBlobStoreOptions } from './adapters/disk/blob-store.js';
export { inProcessTransport } from './adapters/in-process/transport.js';
export { openSqliteStateStore } from './adapters/sqlite/state-store.js';
export { outboxMailer } from './adapters/mail/outbox-mailer.js';
export { smtpMailer } from './adapters/mail/smtp-mailer.js';
export { startFlowSchedule, type RunningSchedule } from './runtimes/flow-schedule.js';
