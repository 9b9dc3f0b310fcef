/**
 * The pg-boss transport wakes a consumer when a job is queued, from this process or another, instead
 * of waiting for its next poll; and it keeps doing so after its listening connection is dropped.
 *
 * The consumer polls once a minute here, so a job handled within seconds was found by notification.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, describe, it } from 'node:test';
import pg from 'pg';
import { pgBossTransport } from '../../src/adapters/pg-boss/transport.js';
import type { Delivery } from '../../src/index.js';
import { skipWithoutPostgres, testDatabaseUrl } from '../support/postgres.js';

const skip = await skipWithoutPostgres();
const schema = `dataflow_boss_wake_${randomBytes(5).toString('hex')}`;
const delivery = (id: string): Delivery => ({ message: { type: 'please-test', id, dateCreated: 0 }, attempt: 1 });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const pollingIntervalSeconds = 60;
/** Far below the polling interval, far above a notification's few milliseconds on a loaded machine. */
const withinMs = 10_000;

describe('pg-boss transport: consumers woken by notification', { skip }, () => {
  const admin = new pg.Client({ connectionString: testDatabaseUrl });
  // Consumes; its own sends would wake its loop directly, so the jobs come from `sender`.
  const consumer = pgBossTransport({ connectionString: testDatabaseUrl, schema, pollingIntervalSeconds });
  // Another process, as far as the consumer can tell: it only sends.
  const sender = pgBossTransport({ connectionString: testDatabaseUrl, schema, pollingIntervalSeconds });
  const handled: { id: string; at: number }[] = [];

  after(async () => {
    await consumer.close().catch(() => {});
    await sender.close().catch(() => {});
    await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).catch(() => {});
    await admin.end().catch(() => {});
  });

  const listenerPids = async (): Promise<number[]> => {
    const { rows } = await admin.query<{ pid: number }>(`SELECT pid FROM pg_stat_activity WHERE application_name = $1 AND query ILIKE 'LISTEN%'`, [
      `dataflow job listener ${schema}`,
    ]);
    return rows.map((r) => r.pid);
  };

  const waitFor = async <T>(what: string, check: () => Promise<T | undefined> | T | undefined, ms = withinMs): Promise<T> => {
    const deadline = Date.now() + ms;
    for (;;) {
      const value = await check();
      if (value !== undefined) return value;
      if (Date.now() > deadline) throw new Error(`not within ${ms} ms: ${what}`);
      await sleep(20);
    }
  };

  /** Sends one job from the other transport; resolves with how long until the consumer handled it. */
  const sendAndTime = async (id: string): Promise<number> => {
    const start = Date.now();
    await sender.send('wake', [delivery(id)]);
    const seen = await waitFor(`job ${id} handled (the consumer polls only every ${pollingIntervalSeconds} s)`, () => handled.find((h) => h.id === id));
    return seen.at - start;
  };

  it('handles a job another transport queued well before its next poll', { timeout: 60_000 }, async () => {
    await admin.connect();
    consumer.consume('wake', async (d) => (handled.push({ id: (d.message as { id: string }).id, at: Date.now() }), { kind: 'ack' }), { concurrency: 2 });
    await waitFor('the consumer listening', async () => ((await listenerPids()).length === 1 ? true : undefined));
    await sender.send('wake', [delivery('warm-up')]); // the queue exists and the consumer's first poll is behind it
    await waitFor('the warm-up job handled', () => handled.find((h) => h.id === 'warm-up'));
    const ms = await sendAndTime('first');
    assert.ok(ms < withinMs, `handled after ${ms} ms`);
  });

  it('reconnects when its listening connection is dropped, and is woken again', { timeout: 60_000 }, async () => {
    const [old] = await listenerPids();
    assert.ok(old, 'a listening backend to drop');
    await admin.query('SELECT pg_terminate_backend($1)', [old]);
    const fresh = await waitFor('a new listening backend', async () => (await listenerPids()).find((pid) => pid !== old));
    assert.notEqual(fresh, old);
    const ms = await sendAndTime('after-reconnect');
    assert.ok(ms < withinMs, `handled after ${ms} ms`);
  });

  it('is woken by a job queued inside a transaction only once it commits', { timeout: 60_000 }, async () => {
    const pool = new pg.Pool({ connectionString: testDatabaseUrl, max: 1 });
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      await sender.sendInTransaction(client, 'wake', [delivery('in-transaction')]);
      await sleep(500);
      assert.equal(handled.find((h) => h.id === 'in-transaction'), undefined, 'not handled before the commit');
      const start = Date.now();
      await client.query('COMMIT');
      const seen = await waitFor('the committed job handled', () => handled.find((h) => h.id === 'in-transaction'));
      assert.ok(seen.at - start < withinMs, `handled ${seen.at - start} ms after the commit`);
    } finally {
      client.release();
      await pool.end();
    }
  });
});
