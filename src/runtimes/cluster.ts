/**
 * The cluster runtime: the same flow as many processes on many machines. State and the durable
 * queue live in PostgreSQL (pg-boss), files in S3-compatible storage or a shared folder.
 *
 * A settle commits the handled message's status, the messages it caused, their jobs and the
 * completion of the handled job in one statement, so a message is never sent for state that rolled back, and no state commits
 * without its messages. That outbox is an optimisation the queue sharing the database allows: it
 * spares a send per message. Correctness does not rest on it: a message settled without its
 * caused messages sent has them sent when it is delivered again, as on a queue outside the
 * database. Each process runs the consumers its roles name.
 */
import type pg from 'pg';
// From blobs-url, not blob-store: that one loads the AWS SDK, which file:// blobs do not need.
import { openBlobStore } from '../adapters/s3/blobs-url.js';
import { pgBossTransport } from '../adapters/pg-boss/transport.js';
import { migrate } from '../adapters/postgres/migrations.js';
import { openPostgresStateStore, type EnqueueContext } from '../adapters/postgres/state-store.js';
import { checkReachable, postgresPool } from '../adapters/postgres/pool.js';
import { runtimeDefaults, runtimeEnv } from './env.js';
import type { Flow } from '../core/flow.js';
import { createRuntime, type Runtime, type RuntimeOptions } from '../core/runtime.js';
import type { BlobStore } from '../ports/blob-store.js';
import type { Mailer } from '../ports/mailer.js';
import type { Delivery } from '../ports/transport.js';
import type { NewMessage } from '../ports/state-store.js';

export interface ClusterOptions extends Partial<Omit<RuntimeOptions, 'flow' | 'state' | 'blobs' | 'transport'>> {
  /** A `postgres://` URL (the `dataflow` command: `DATABASE_URL`). */
  databaseUrl: string;
  /** `file:///folder` or `s3://bucket/prefix`. */
  blobsUrl: string;
  mailer: Mailer;
  /** A blob store of the caller's, instead of opening `blobsUrl`. */
  blobs?: BlobStore;
  /**
   * Seconds a job may go without its lease renewed before another process takes it over: what a
   * killed process held comes back after about this. A running handler renews its lease every
   * third of it, however long it runs. @defaultValue 30 (`runtimeDefaults.leaseSeconds`)
   */
  leaseSeconds?: number;
  /** The PostgreSQL schema for state; the queue uses `<schema>_queue`. @defaultValue 'dataflow' */
  schema?: string;
  /** How long presigned blob links (in mails) stay valid. @defaultValue 604800 (`runtimeDefaults.linkExpiresSeconds`), a week: the most S3 allows */
  linkExpiresInSeconds?: number;
}

export async function openClusterRuntime(createFlow: (ports: { mailer: Mailer; blobs: BlobStore }) => Flow, options: ClusterOptions): Promise<Runtime> {
  const schema = options.schema ?? runtimeDefaults.schema;
  if (!/^[a-z_][a-z0-9_]{0,40}$/.test(schema)) throw new Error(`schema ${JSON.stringify(schema)} must be lower-case letters, digits and _`);
  // Bounded everywhere: a connection that goes silent fails its query instead of hanging the process.
  const pool = postgresPool({
    connectionString: options.databaseUrl,
    max: 10,
    schema,
    queryTimeoutMs: 120_000,
    settings: { statement_timeout: '60000', idle_in_transaction_session_timeout: '60000' },
  });
  try {
    await checkReachable(pool, { url: options.databaseUrl, setting: runtimeEnv.databaseUrl });
  } catch (error) {
    await pool.end().catch(() => {});
    throw error;
  }
  await migrate(pool, { schema });
  const transport = pgBossTransport({
    connectionString: options.databaseUrl,
    schema: `${schema}_queue`,
    // Its default, and how often it is renewed and checked, live with the transport.
    expireInSeconds: options.leaseSeconds ?? runtimeDefaults.leaseSeconds,
    log: options.log,
  });
  await transport.start();
  const state = openPostgresStateStore({
    pool,
    enqueue: async (client: pg.PoolClient, messages: NewMessage[], context?: EnqueueContext) => {
      const byQueue = new Map<string, Delivery[]>();
      for (const m of messages) {
        if (!m.queue) continue;
        byQueue.set(m.queue, [...(byQueue.get(m.queue) ?? []), { message: m.body, attempt: 1 }]);
      }
      for (const [queue, deliveries] of byQueue) await transport.sendInTransaction(client, queue, deliveries, context?.settled);
    },
    // A settle, the commonest write, is one statement: its state, its caused messages' jobs and
    // the completion of the handled job, together.
    settleWriter: ({ settled, caused, guard, param }) =>
      transport.settleWrites({ settled, guard, param, jobs: caused.flatMap((m) => (m.queue ? [{ queue: m.queue, delivery: { message: m.body, attempt: 1 } }] : [])) }),
  });
  const blobs = options.blobs ?? (await openBlobStore(options.blobsUrl, { presignExpiresInSeconds: options.linkExpiresInSeconds ?? runtimeDefaults.linkExpiresSeconds }));
  const runtime = createRuntime({
    ...options,
    flow: createFlow({ mailer: options.mailer, blobs }),
    state,
    blobs,
    transport,
    recoverPending: false,
  });
  return {
    ...runtime,
    async stop() {
      await runtime.stop();
      await options.mailer.close?.();
      await pool.end();
    },
  };
}
