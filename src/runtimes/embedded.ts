/**
 * The embedded runtime: everything in one process, nothing to install. State in SQLite, blobs on
 * the local disk, an in-process transport, mail to an `.eml` outbox or over SMTP. All under one
 * data folder:
 *
 *   <dir>/state.db                 the message log and fan-in state
 *   <dir>/blobs/<Bucket>/<Key>     files the workers wrote
 *   <dir>/outbox/*.eml             mail, when no SMTP server is configured
 */
import { join, resolve } from 'node:path';
import { diskBlobStore } from '../adapters/disk/blob-store.js';
import { inProcessTransport } from '../adapters/in-process/transport.js';
import { outboxMailer } from '../adapters/mail/outbox-mailer.js';
import { smtpMailer } from '../adapters/mail/smtp-mailer.js';
import { openSqliteStateStore } from '../adapters/sqlite/state-store.js';
import type { Flow } from '../core/flow.js';
import { createRuntime, type Runtime, type RuntimeOptions } from '../core/runtime.js';
import type { BlobStore } from '../ports/blob-store.js';
import type { Mailer } from '../ports/mailer.js';
import { lockFolder } from './folder-lock.js';
import { runtimeDefaults } from './env.js';

export interface EmbeddedOptions extends Partial<Omit<RuntimeOptions, 'flow' | 'state' | 'blobs' | 'transport'>> {
  /** The data folder. @defaultValue `./.dataflow` (the `dataflow` command: `DATAFLOW_DIR`) */
  dir?: string;
  /** Send mail over SMTP instead of writing `.eml` files. @defaultValue none: the outbox (the `dataflow` command: `SMTP_URL`) */
  smtpUrl?: string;
  /** A mailer of the caller's; the runtime closes it when it stops. @defaultValue SMTP when `smtpUrl` is set, else the outbox */
  mailer?: Mailer;
}

export interface EmbeddedPaths {
  dir: string;
  state: string;
  blobs: string;
  outbox: string;
}

/** Where the runtime keeps what it keeps, under `dir` (relative to the current folder). */
export function embeddedPaths(dir: string = runtimeDefaults.dir): EmbeddedPaths {
  const root = resolve(dir);
  return { dir: root, state: join(root, 'state.db'), blobs: join(root, 'blobs'), outbox: join(root, 'outbox') };
}

/** SMTP when a URL is given, else `.eml` files in the outbox. */
export function embeddedMailer(paths: EmbeddedPaths, smtpUrl?: string): Mailer {
  return smtpUrl ? smtpMailer(smtpUrl) : outboxMailer(paths.outbox);
}

/**
 * Opens the embedded runtime. `createFlow` receives the mailer and the blob store, so the flow's
 * mail worker sends wherever this runtime was told to.
 */
export function openEmbeddedRuntime(createFlow: (ports: { mailer: Mailer; blobs: BlobStore }) => Flow, options: EmbeddedOptions = {}): Runtime & { paths: EmbeddedPaths } {
  const paths = embeddedPaths(options.dir);
  const unlock = lockFolder(paths.dir);
  const mailer = options.mailer ?? embeddedMailer(paths, options.smtpUrl);
  // The folder lock makes this the only writer: every temporary file left there is a dead one's.
  const blobs = diskBlobStore(paths.blobs, { staleTemporaryMs: 0 });
  let flow: Flow;
  try {
    flow = createFlow({ mailer, blobs });
  } catch (error) {
    unlock();
    throw error;
  }
  const runtime = createRuntime({
    // The in-process transport keeps its queues in memory: what they held when the last process
    // stopped is sent again at start. A durable transport needs none of this.
    recoverPending: true,
    ...options,
    flow,
    state: openSqliteStateStore(paths.state),
    blobs,
    transport: inProcessTransport(),
  });
  return {
    ...runtime,
    paths,
    async stop() {
      await runtime.stop();
      await mailer.close?.();
      unlock();
    },
  };
}
