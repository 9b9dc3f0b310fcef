/**
 * Consumers woken the moment a job is queued, instead of at their next poll.
 *
 * A statement-level trigger on pg-boss's job table NOTIFYs, once per inserting statement, the
 * names of the queues it inserted into. It fires inside the inserting transaction, so the
 * notification goes out when, and only when, the jobs commit: a settle's outbox, a `send`, a
 * retry's next attempt and pg-boss's own retries of failed or expired jobs alike, from any process.
 *
 * Each transport LISTENs on one connection of its own and wakes the consumer of the named queue.
 * Notifications are a shortcut, not the contract: one missed while the connection was down is
 * made good by the consumers' polling, and by waking every consumer once the connection is back.
 * A dropped connection reconnects with a growing pause (0.1 s doubling to 5 s).
 */
import { createHash } from 'node:crypto';
import pg from 'pg';
import { inTransaction } from './database.js';

/** The channel a schema's job inserts are announced on: at most 63 bytes, as PostgreSQL requires. */
export function jobChannel(schema: string): string {
  const plain = `dataflow_jobs:${schema}`;
  if (Buffer.byteLength(plain) <= 63) return plain;
  return `dataflow_jobs:${createHash('sha256').update(schema).digest('hex').slice(0, 40)}`;
}

/**
 * Installs the trigger on pg-boss's job table and, given `table`, on that queue's partition of it
 * (see `./queues.ts`): a statement-level trigger of a partitioned table fires only for statements
 * on that table, not for those that write one partition directly, as a settle does. Safe to run
 * from many processes at once.
 */
export async function installJobNotifications(pool: pg.Pool, schema: string, table?: string): Promise<void> {
  const target = table ?? `${pg.escapeIdentifier(schema)}.job`;
  const fn = `${pg.escapeIdentifier(schema)}.dataflow_notify_jobs`;
  const installed = `SELECT 1 FROM pg_trigger WHERE tgrelid = $1::regclass AND tgname = 'dataflow_notify_jobs'`;
  // Replacing a trigger locks out inserts for a moment: only the first process does it.
  if (((await pool.query(installed, [target])).rowCount ?? 0) > 0) return;
  await inTransaction(pool, async (db) => {
    // DDL on pg-boss's tables, one process at a time (as queues are created).
    await db.executeSql('SELECT pg_advisory_xact_lock(hashtext($1))', [`dataflow pg-boss create_queue ${schema}`]);
    await db.executeSql(
      `CREATE OR REPLACE FUNCTION ${fn}() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN
         PERFORM pg_notify(${pg.escapeLiteral(jobChannel(schema))}, q.name) FROM (SELECT DISTINCT name FROM inserted) q;
         RETURN NULL;
       END $$`,
      [],
    );
    await db.executeSql(
      `CREATE OR REPLACE TRIGGER dataflow_notify_jobs AFTER INSERT ON ${target}
       REFERENCING NEW TABLE AS inserted FOR EACH STATEMENT EXECUTE FUNCTION ${fn}()`,
      [],
    );
  });
}

export interface JobListenerOptions {
  connectionString: string;
  schema: string;
  /** Jobs were queued on `queue`. */
  onJobs(queue: string): void;
  /** The connection is (again) listening: notifications may have been missed meanwhile. */
  onListening(): void;
  report(doing: string, error: unknown): void;
}

export interface JobListener {
  /** Resolves once listening for the first time (or once closed). */
  ready: Promise<void>;
  close(): Promise<void>;
}

const firstPauseMs = 100;
const longestPauseMs = 5_000;

export function listenForJobs(options: JobListenerOptions): JobListener {
  const channel = jobChannel(options.schema);
  let closed = false;
  let client: pg.Client | undefined;
  let pauseMs = firstPauseMs;
  /** Told once per outage, not at every failed attempt. */
  let lossReported = false;
  let retryTimer: NodeJS.Timeout | undefined;
  let markReady!: () => void;
  const ready = new Promise<void>((resolve) => (markReady = resolve));

  const connect = async () => {
    if (closed) return;
    const connection = new pg.Client({ connectionString: options.connectionString, application_name: `dataflow job listener ${options.schema}`, keepAlive: true });
    client = connection;
    let lost = false;
    const onLost = (error?: unknown) => {
      if (lost) return;
      lost = true;
      connection.removeAllListeners('notification');
      connection.end().catch(() => {});
      if (closed) return;
      if (!lossReported) options.report('lost the connection listening for jobs (polling meanwhile); reconnecting', error ?? 'connection ended');
      lossReported = true;
      scheduleReconnect();
    };
    connection.on('error', onLost);
    connection.on('end', () => onLost());
    connection.on('notification', (note) => {
      if (note.channel === channel && note.payload) options.onJobs(note.payload);
    });
    try {
      await connection.connect();
      await connection.query(`LISTEN ${pg.escapeIdentifier(channel)}`);
    } catch (error) {
      onLost(error);
      return;
    }
    if (lost || closed) return;
    pauseMs = firstPauseMs;
    lossReported = false;
    markReady();
    options.onListening();
  };

  const scheduleReconnect = () => {
    const wait = pauseMs;
    pauseMs = Math.min(longestPauseMs, pauseMs * 2);
    retryTimer = setTimeout(() => void connect(), wait);
    retryTimer.unref();
  };

  void connect();

  return {
    ready,
    async close() {
      closed = true;
      clearTimeout(retryTimer);
      markReady();
      const connection = client;
      client = undefined;
      if (connection) {
        connection.removeAllListeners('notification');
        await connection.end().catch(() => {});
      }
    },
  };
}
