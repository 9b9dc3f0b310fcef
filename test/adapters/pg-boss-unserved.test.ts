/** The pg-boss transport tells a queue no process consumes from one that is busy or served. */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, describe, it } from 'node:test';
import pg from 'pg';
import { pgBossTransport } from '../../src/adapters/pg-boss/transport.js';
import type { Delivery } from '../../src/index.js';
import { skipWithoutPostgres, testDatabaseUrl } from '../support/postgres.js';

const skip = await skipWithoutPostgres();
const schema = `dataflow_boss_unserved_${randomBytes(5).toString('hex')}`;
const delivery = (id: string): Delivery => ({ message: { type: 'please-test', id, dateCreated: 0 }, attempt: 1 });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('pg-boss transport: unserved queues', { skip }, () => {
  const transport = pgBossTransport({ connectionString: testDatabaseUrl, schema, pollingIntervalSeconds: 0.1 });
  after(async () => {
    await transport.close().catch(() => {});
    const admin = new pg.Client({ connectionString: testDatabaseUrl });
    await admin.connect();
    await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await admin.end();
  });

  it('names the queue whose work waited the whole period untaken, and not a busy or a served one', { timeout: 30_000 }, async () => {
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let busyStarted = false;
    // busy: one handler holds its job all along, a second job waits behind it.
    transport.consume('busy', async () => ((busyStarted = true), await held, { kind: 'ack' }), { concurrency: 1 });
    // served: handled at once.
    transport.consume('served', async () => ({ kind: 'ack' }), { concurrency: 1 });
    await transport.send('orphan', [delivery('o1'), delivery('o2')]);
    await transport.send('busy', [delivery('b1'), delivery('b2')]);
    await transport.send('served', [delivery('s1')]);
    while (!busyStarted) await sleep(20);

    assert.deepEqual(await transport.unserved!(['orphan', 'busy', 'served'], 1_000), [], 'nothing has waited a whole second yet');
    await sleep(1_500);
    assert.deepEqual(await transport.unserved!(['orphan', 'busy', 'served'], 1_000), [{ queue: 'orphan', waiting: 2 }]);
    assert.deepEqual(await transport.unserved!(['busy', 'served'], 1_000), [], 'only the queues asked about');
    release();
    await transport.send('served', [delivery('s2')]);
  });
});
