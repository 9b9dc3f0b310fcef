/** The pg-boss transport: the transport conformance suite, plus what only a durable, shared queue does. */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { after, describe, it } from 'node:test';
import pg from 'pg';
import { pgBossTransport, type PgBossTransport, type PgBossTransportOptions } from '../../src/adapters/pg-boss/transport.js';
import type { Delivery, Sender } from '../../src/index.js';
import { skipWithoutPostgres, testDatabaseUrl } from '../support/postgres.js';
import { transportConformance } from './transport.case.js';

const skip = await skipWithoutPostgres();
const childScript = fileURLToPath(new URL('./pg-boss-consumer-child.ts', import.meta.url));

const schemas: string[] = [];
const transports: PgBossTransport[] = [];

const newSchema = () => {
  const schema = `dataflow_boss_test_${randomBytes(5).toString('hex')}`;
  schemas.push(schema);
  return schema;
};

const open = (schema: string, options: Partial<PgBossTransportOptions> = {}) => {
  const transport = pgBossTransport({ connectionString: testDatabaseUrl, schema, pollingIntervalSeconds: 0.1, ...options });
  transports.push(transport);
  return transport;
};

after(async () => {
  await Promise.all(transports.map((t) => t.close().catch(() => {})));
  if (schemas.length === 0) return;
  const admin = new pg.Client({ connectionString: testDatabaseUrl });
  await admin.connect();
  for (const schema of schemas) await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await admin.end();
});

const msg = (id: string): Delivery => ({ message: { type: 'please-test', id, dateCreated: 0 }, attempt: 1 });
const idOf = (d: Delivery) => (d.message as { id: string }).id;
const waitFor = async (what: string, check: () => boolean, timeoutMs: number) => {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
};

if (skip) {
  it('pg-boss transport: conformance and crash, transaction and sharing tests', { skip }, () => {});
} else {
  transportConformance('pg-boss', async () => {
    const transport = open(newSchema());
    await transport.start();
    return transport;
  });

  describe('pg-boss transport', () => {
    it('delivers a message again after the process handling it was killed', { timeout: 30_000 }, async () => {
      const schema = newSchema();
      const expireInSeconds = 2;
      const transport = open(schema, { expireInSeconds, maintenanceIntervalSeconds: 1 });
      await transport.send('crashy', [msg('survivor')]);

      const child = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', childScript, testDatabaseUrl, schema, 'crashy', String(expireInSeconds)], { stdio: ['ignore', 'pipe', 'inherit'] });
      const exited = new Promise((resolve) => child.once('exit', resolve));
      let output = '';
      child.stdout.on('data', (chunk) => (output += chunk));
      try {
        await waitFor('the child to take the message', () => output.includes('taken'), 15_000);
      } finally {
        child.kill('SIGKILL');
        await exited;
      }
      assert.match(output, /taken 1/);

      const killedAt = Date.now();
      const got: Delivery[] = [];
      transport.consume('crashy', async (d) => (got.push(d), { kind: 'ack' }), { concurrency: 1 });
      await waitFor('the message to come back', () => got.length > 0, 15_000);
      const tookMs = Date.now() - killedAt;
      await transport.idle();
      assert.deepEqual(got.map(idOf), ['survivor']);
      // pg-boss counts the expired run as a retry: the redelivery is the second attempt.
      assert.equal(got[0]!.attempt, 2);
      assert.ok(tookMs >= 1000, `came back only after the job expired (${tookMs} ms)`);
      process.stderr.write(`pg-boss crash redelivery: attempt ${got[0]!.attempt}, ${tookMs} ms after SIGKILL\n`);
    });

    it('enqueues within the caller\'s transaction: nothing on rollback, delivered on commit', async () => {
      const transport = open(newSchema());
      const pool = new pg.Pool({ connectionString: testDatabaseUrl, max: 2 });
      try {
        const inTransaction = async (id: string, end: 'COMMIT' | 'ROLLBACK') => {
          const client = await pool.connect();
          try {
            await client.query('BEGIN');
            await transport.sendInTransaction(client, 'outbox', [msg(id)]);
            await client.query(end);
          } finally {
            client.release();
          }
        };
        await inTransaction('rolled-back', 'ROLLBACK');
        await inTransaction('committed', 'COMMIT');
        const got: string[] = [];
        transport.consume('outbox', async (d) => (got.push(idOf(d)), { kind: 'ack' }), { concurrency: 1 });
        await waitFor('the committed message', () => got.length > 0, 5000);
        await transport.idle();
        await new Promise((r) => setTimeout(r, 300)); // a few polls more: nothing else turns up
        assert.deepEqual(got, ['committed']);
      } finally {
        await pool.end();
      }
    });

    it("a handler's settle statement enqueues what it caused as pg-boss jobs and completes its own job, or does neither", async () => {
      const schema = newSchema();
      const transport = open(schema);
      const pool = new pg.Pool({ connectionString: testDatabaseUrl, max: 2 });
      /** Runs the writes as the settle statement would, its update standing in as `settled`. */
      const settleStatement = async (settled: string, caused: string[], settles: boolean) => {
        const values: unknown[] = [];
        const param = (value: unknown) => `$${values.push(value)}`;
        const writes = await transport.settleWrites({ settled, guard: 'EXISTS (SELECT 1 FROM settled)', param, jobs: caused.map((id) => ({ queue: 'next', delivery: msg(id) })) });
        const parts = writes.statements.map((statement, i) => `, write_${i} AS (${statement})`).join('');
        await pool.query(`WITH settled AS (SELECT 1 WHERE ${settles ? 'TRUE' : 'FALSE'})${parts} SELECT 1`, values);
        if (settles) writes.settled?.();
      };
      try {
        const next: string[] = [];
        transport.consume('next', async (d) => (next.push(idOf(d)), { kind: 'ack' }), { concurrency: 2 });
        transport.consume(
          'first',
          async (d) => {
            const id = idOf(d);
            await settleStatement(id, [`${id}-refused`], false); // a settle refused: nothing is written
            await settleStatement(id, [`${id}-caused`], true);
            return { kind: 'ack' };
          },
          { concurrency: 1 },
        );
        await transport.send('first', [msg('one')]);
        await waitFor('the caused job', () => next.length > 0, 5000);
        await transport.idle();
        assert.deepEqual(next, ['one-caused']);
        const { rows } = await pool.query<{ name: string; state: string; retry_limit: number; expire_seconds: number }>(
          `SELECT name, state, retry_limit, extract(epoch FROM expire_in)::int AS expire_seconds FROM "${schema}".job ORDER BY name`,
        );
        // pg-boss's own columns, as its insert would set them: its expiry and retries apply.
        assert.deepEqual(rows, [
          { name: 'first', state: 'completed', retry_limit: 1000, expire_seconds: 30 },
          { name: 'next', state: 'completed', retry_limit: 1000, expire_seconds: 30 },
        ]);
      } finally {
        await pool.end();
      }
    });

    it('a process that only sends consumes nothing, and its deliveries reach the processes that do', async () => {
      const schema = newSchema();
      const consumer = open(schema);
      const sender: Sender = open(schema); // as `dataflow send` uses it: no consume, no subscription
      const got: string[] = [];
      consumer.consume('from-afar', async (d) => (got.push(idOf(d)), { kind: 'ack' }), { concurrency: 1 });
      await sender.send('from-afar', [msg('hello'), msg('again')]);
      await waitFor('both deliveries', () => got.length === 2, 5000);
      assert.deepEqual(got.sort(), ['again', 'hello']);
    });

    it('shares a queue between processes: each message handled exactly once', async () => {
      const schema = newSchema();
      const [one, two] = [open(schema), open(schema)];
      await Promise.all([one.start(), two.start()]);
      const handled = new Map<string, number>();
      const byTransport = [0, 0];
      const peaks = [0, 0];
      for (const [index, transport] of [one, two].entries()) {
        let running = 0;
        transport.consume(
          'shared',
          async (d) => {
            peaks[index] = Math.max(peaks[index]!, ++running);
            handled.set(idOf(d), (handled.get(idOf(d)) ?? 0) + 1);
            byTransport[index]!++;
            await new Promise((r) => setTimeout(r, 10));
            running--;
            return { kind: 'ack' };
          },
          { concurrency: 2 },
        );
      }
      await one.send('shared', Array.from({ length: 50 }, (_, i) => msg(`m${i}`)));
      await one.idle();
      assert.equal(handled.size, 50);
      assert.ok([...handled.values()].every((n) => n === 1), 'no message handled twice');
      assert.ok(peaks.every((peak) => peak <= 2), `at most 2 at once in each process (peaks ${peaks})`);
      process.stderr.write(`pg-boss shared queue: handled ${byTransport.join(' + ')}\n`);
    });
  });
}
