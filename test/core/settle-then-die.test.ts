/**
 * A process killed between settle and send: the message is done, its reply recorded as pending,
 * and nothing was handed to the transport. When the cause is delivered again, its copy sends the
 * reply, which then runs exactly once; on every stack, with no outbox and no scan at start.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { diskBlobStore } from '../../src/adapters/disk/blob-store.js';
import { inProcessTransport } from '../../src/adapters/in-process/transport.js';
import { pgBossTransport } from '../../src/adapters/pg-boss/transport.js';
import { migrate } from '../../src/adapters/postgres/migrations.js';
import { openPostgresStateStore } from '../../src/adapters/postgres/state-store.js';
import { openSqliteStateStore } from '../../src/adapters/sqlite/state-store.js';
import { openEmbeddedRuntime } from '../../src/embedded.js';
import { createRuntime, derivedId, type FlowEvent, type Runtime, type StateStore } from '../../src/index.js';
import { skipWithoutPostgres, testDatabaseUrl } from '../support/postgres.js';
import { toyFlow } from '../support/toy-flow.js';

const child = fileURLToPath(new URL('./settle-then-die-child.ts', import.meta.url));
const reply = derivedId('cause', 0);
const skipPostgres = await skipWithoutPostgres();

function runChild(args: string[]): Promise<{ signal: NodeJS.Signals | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const proc = execFile(process.execPath, ['--conditions=source', '--import', 'tsx', child, ...args], { timeout: 60_000 }, (_error, stdout, stderr) => resolve({ signal: proc.signalCode, stdout, stderr }));
  });
}

/** What the child left: the cause done, its reply pending and never sent. */
async function assertLeftBehind(state: StateStore) {
  assert.equal((await state.get('cause'))?.status, 'done');
  assert.equal((await state.get(reply))?.status, 'pending', 'the reply was recorded in the settle');
}

/** The reply ran once: one `done` for it, and the report it leads to made once. */
async function assertRanOnce(state: StateStore, events: FlowEvent[], calls: Map<number, number>) {
  const handled = events.filter((e) => e.kind === 'done' && e.message.id === reply);
  assert.equal(handled.length, 1, 'the reply was handled exactly once');
  assert.equal(calls.get(3), undefined, 'the cause did not run again');
  assert.equal((await state.find({ type: 'did-report' })).length, 1);
  assert.equal((await state.find({ type: 'did-report', status: 'done' })).length, 1);
  assert.deepEqual(await state.find({ status: 'pending' }), []);
}

function watch(runtime: Runtime): FlowEvent[] {
  const events: FlowEvent[] = [];
  runtime.on((event) => events.push(event));
  return events;
}

describe('a process killed between settle and send', () => {
  it('in-process on SQLite: delivering the cause again sends its reply, which runs once', { timeout: 60_000 }, async () => {
    const dir = await mkdtemp(join(tmpdir(), 'dataflow-settle-die-'));
    const file = join(dir, 'state.db');
    const died = await runChild(['sqlite', file, join(dir, 'blobs')]);
    assert.equal(died.signal, 'SIGKILL', `the child died in its settle: ${died.stdout}${died.stderr}`);

    const { flow, calls } = toyFlow();
    const state = openSqliteStateStore(file);
    await assertLeftBehind(state);
    // No scan at start: only the cause's redelivery can bring the reply back.
    const runtime = createRuntime({ flow, state, blobs: diskBlobStore(join(dir, 'blobs')), transport: inProcessTransport(), recoverPending: false });
    const events = watch(runtime);
    await runtime.start();
    await runtime.send([{ type: 'please-double', id: 'cause', n: 3 }]); // the same message, delivered again
    await runtime.idle();
    await assertRanOnce(state, events, calls);
    await runtime.stop();
  });

  it('embedded, restarted: the start sends the pending reply again, the cause\'s copy too, and the reply runs once', { timeout: 60_000 }, async () => {
    const dir = await mkdtemp(join(tmpdir(), 'dataflow-settle-die-'));
    const died = await runChild(['sqlite', join(dir, 'state.db'), join(dir, 'blobs')]);
    assert.equal(died.signal, 'SIGKILL', `the child died in its settle: ${died.stdout}${died.stderr}`);

    const { flow, calls } = toyFlow();
    const runtime = openEmbeddedRuntime(() => flow, { dir });
    const events = watch(runtime);
    await assertLeftBehind(runtime.state);
    await runtime.start();
    await runtime.send([{ type: 'please-double', id: 'cause', n: 3 }]);
    await runtime.idle();
    await assertRanOnce(runtime.state, events, calls);
    await runtime.stop();
  });

  describe('pg-boss on PostgreSQL, with no outbox', { skip: skipPostgres }, () => {
    it('the cause\'s job comes back when its lease runs out, its copy sends the reply, and the reply runs once', { timeout: 60_000 }, async () => {
      const schema = `dataflow_settle_die_${randomBytes(4).toString('hex')}`;
      const dir = await mkdtemp(join(tmpdir(), 'dataflow-settle-die-'));
      const pool = new pg.Pool({ connectionString: testDatabaseUrl, max: 4 });
      await pool.query(`CREATE SCHEMA "${schema}"`);
      let runtime: Runtime | undefined;
      try {
        await migrate(pool, { schema });
        const died = await runChild(['postgres', testDatabaseUrl, schema, join(dir, 'blobs')]);
        assert.equal(died.signal, 'SIGKILL', `the child died in its settle: ${died.stdout}${died.stderr}`);

        const { flow, calls } = toyFlow();
        const state = openPostgresStateStore({ pool, schema });
        await assertLeftBehind(state);
        const transport = pgBossTransport({ connectionString: testDatabaseUrl, schema: `${schema}_queue`, expireInSeconds: 2, maintenanceIntervalSeconds: 1, pollingIntervalSeconds: 0.1 });
        runtime = createRuntime({ flow, state, blobs: diskBlobStore(join(dir, 'blobs')), transport });
        const events = watch(runtime);
        await runtime.start();
        // Nobody sends anything: the dead process's job expires back to the queue by itself.
        await runtime.settled(['cause'], { timeoutMs: 30_000 });
        await transport.idle();
        const copies = events.filter((e) => e.kind === 'duplicate' && e.id === 'cause');
        assert.equal(copies.length, 1, 'the cause came back once, as a copy of a done message');
        await assertRanOnce(state, events, calls);
      } finally {
        await runtime?.stop();
        await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).catch(() => {});
        await pool.query(`DROP SCHEMA IF EXISTS "${schema}_queue" CASCADE`).catch(() => {});
        await pool.end().catch(() => {});
      }
    });
  });
});
