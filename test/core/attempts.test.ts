/** Attempts are counted before a handler runs: what kills the process runs out of attempts too. */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { memoryBlobStore } from '../../src/adapters/memory/blob-store.js';
import { memoryStateStore } from '../../src/adapters/memory/state-store.js';
import { openSqliteStateStore } from '../../src/adapters/sqlite/state-store.js';
import { createProcessor, type ProcessorOptions } from '../../src/core/processor.js';
import { RetryableError, defineFlow, defineMediator, defineMessage, defineWorker, silentLogger, systemClock, type Sender, type StateStore, type WorkerContext } from '../../src/index.js';
import { openEmbeddedRuntime } from '../../src/embedded.js';

/** These tests look at outcomes only: what the handlings cause goes nowhere. */
const nowhere: Sender = { send: async () => {} };
const child = fileURLToPath(new URL('./killer-child.ts', import.meta.url));

function runChild(dir: string, send: boolean): Promise<{ signal: NodeJS.Signals | null; code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const proc = execFile(process.execPath, ['--conditions=source', '--import', 'tsx', child, dir, ...(send ? ['send'] : [])], { timeout: 60_000 }, (_error, stdout, stderr) =>
      resolve({ signal: proc.signalCode, code: proc.exitCode, stdout, stderr }),
    );
  });
}

describe('attempts counted before handling', () => {
  it('a message that kills its process every time is dead-lettered after the last attempt, and the rest goes on', { timeout: 120_000 }, async () => {
    const dir = await mkdtemp(join(tmpdir(), 'dataflow-killer-'));
    const runs: string[] = [];
    for (let run = 0; run < 6; run++) {
      const result = await runChild(dir, run === 0);
      runs.push(result.signal ?? `exit ${result.code}`);
      if (result.signal === null) {
        assert.equal(result.code, 0, result.stderr);
        assert.match(result.stdout, /idle/);
        break;
      }
    }
    assert.deepEqual(runs, ['SIGKILL', 'SIGKILL', 'SIGKILL', 'exit 0'], 'killed once per attempt (3), then the start after the last one carries on');
    const state = openSqliteStateStore(join(dir, 'state.db'));
    try {
      const killer = await state.get('killer');
      assert.equal(killer?.status, 'dead');
      assert.equal(killer!.reason, 'the process died while handling it 3 times');
      assert.equal(killer!.attempts, 3);
      for (const n of [1, 2, 3]) assert.equal((await state.get(`ordinary-${n}`))?.status, 'done', `ordinary-${n} went through`);
      assert.deepEqual(await state.find({ status: 'pending' }), []);
    } finally {
      await state.close();
    }
  });

  it('a graceful shutdown that aborts a running handler uses up no attempt, however often it happens', { timeout: 60_000 }, async () => {
    const dir = await mkdtemp(join(tmpdir(), 'dataflow-shutdown-'));
    const PleaseWait = defineMessage('please-wait', z.object({}));
    const DidWait = defineMessage('did-wait', z.object({}));
    let hang = true;
    let started = () => {};
    const worker = defineWorker({
      name: 'waiter',
      accepts: PleaseWait,
      replies: DidWait,
      retry: { maxAttempts: 2 },
      async handle(_m, { signal }) {
        started();
        if (hang) await new Promise((_, reject) => signal.addEventListener('abort', () => reject(signal.reason), { once: true }));
        return {};
      },
    });
    const flow = () => defineFlow({ name: 'shutdowns', workers: [worker], mediator: defineMediator({ name: 'mediator', rules: [] }), messages: [DidWait] });
    for (let run = 0; run < 4; run++) {
      const running = new Promise<void>((resolve) => (started = resolve));
      const runtime = openEmbeddedRuntime(flow, { dir, shutdownGraceMs: 20 });
      await runtime.start();
      if (run === 0) await runtime.send([{ type: 'please-wait', id: 'patient' }]);
      await running;
      await runtime.stop();
    }
    const state = openSqliteStateStore(join(dir, 'state.db'));
    const kept = await state.get('patient');
    await state.close();
    assert.equal(kept?.status, 'pending', 'four shutdowns, two attempts allowed: still waiting, not dead');
    assert.equal(kept?.attempts, 0);
    hang = false;
    const runtime = openEmbeddedRuntime(flow, { dir });
    await runtime.start();
    await runtime.idle();
    assert.equal((await runtime.state.get('patient'))?.status, 'done');
    await runtime.stop();
  });

  describe('what a dead letter says when the attempts ran out', () => {
    const PleaseFetch = defineMessage('please-fetch', z.object({}));
    const DidFetch = defineMessage('did-fetch', z.object({}));
    /** A processor for one worker, `fetcher`, on the given store, as a runtime's would be. */
    function fetcher(state: StateStore, handle: (context: WorkerContext) => Promise<Record<string, never>>, options: Partial<ProcessorOptions> = {}) {
      const worker = defineWorker({ name: 'fetcher', accepts: PleaseFetch, replies: DidFetch, handle: (_m, context) => handle(context) });
      const flow = defineFlow({ name: 'fetching', workers: [worker], mediator: defineMediator({ name: 'mediator', rules: [] }), messages: [DidFetch] });
      const processor = createProcessor({ flow, state, blobs: memoryBlobStore(), sender: nowhere, bucket: 'b', clock: systemClock, log: silentLogger, ...options });
      return (attempt = 1) => processor.process('fetcher', { message: { type: 'please-fetch', id: 'm' }, attempt });
    }
    const down = async (): Promise<never> => {
      throw new RetryableError('the map server is down');
    };
    const retry = (maxAttempts: number) => ({ retry: { maxAttempts, baseDelayMs: 1000, maxDelayMs: 1000 } });

    it('names the deaths among the attempts and keeps the last failure', async () => {
      const state = openSqliteStateStore(':memory:');
      const deliver = fetcher(state, down, retry(3));
      assert.equal((await deliver(1)).outcome.kind, 'retry');
      assert.equal((await deliver(2)).outcome.kind, 'retry');
      await state.recordAttempt('m'); // what a process killed while handling it leaves behind
      assert.equal((await deliver(4)).outcome.kind, 'dead');
      const dead = await state.get('m');
      assert.equal(dead?.reason, 'the process died while handling it 1 time in 3 attempts; last failure: RetryableError: the map server is down');
      assert.equal(dead?.attempts, 3);
      await state.close();
    });

    it('claims no death when a lowered retry policy (DATAFLOW_RETRY) allows fewer attempts than were made', async () => {
      const state = openSqliteStateStore(':memory:');
      const before = fetcher(state, down, retry(5));
      for (const attempt of [1, 2, 3]) assert.equal((await before(attempt)).outcome.kind, 'retry');
      const after = fetcher(state, down, retry(2)); // restarted with maxAttempts=2
      assert.equal((await after(1)).outcome.kind, 'dead');
      const dead = await state.get('m');
      assert.doesNotMatch(dead!.reason!, /died/);
      assert.equal(dead?.reason, 'given up after 3 attempts, its retry policy allowing 2; last failure: RetryableError: the map server is down');
      await state.close();
    });

    it('dead-letters on the attempts the store counted when the store cannot record the outcome, whatever the transport counts', async () => {
      const memory = memoryStateStore();
      // Settling as done fails (a store that keeps timing out); everything else works.
      const state: StateStore = {
        ...memory,
        settle: (id, settlement, caused, now) => (settlement.status === 'done' ? Promise.reject(new Error('the database timed out')) : memory.settle(id, settlement, caused, now)),
      };
      const deliver = fetcher(state, async () => ({}), retry(3));
      // Delivered anew on each restart of an embedded runtime: the transport counts 1 every time.
      assert.equal((await deliver(1)).outcome.kind, 'retry');
      assert.equal((await memory.get('m'))?.failures, 1, 'recorded as a failure, not taken for a death');
      assert.equal((await deliver(1)).outcome.kind, 'retry');
      assert.equal((await deliver(1)).outcome.kind, 'dead');
      const dead = await memory.get('m');
      assert.equal(dead?.reason, 'the state store could not record the outcome: Error: the database timed out (after 3 attempts)');
      assert.equal(dead?.attempts, 3);
    });
  });

  describe('attempts given back at shutdown', () => {
    const PleaseSend = defineMessage('please-send', z.object({}));
    const DidSend = defineMessage('did-send', z.object({}));
    function sender(state: StateStore, signal: AbortSignal, handle: (context: WorkerContext) => Promise<Record<string, never>>) {
      const worker = defineWorker({ name: 'sender', accepts: PleaseSend, replies: DidSend, handle: (_m, context) => handle(context) });
      const flow = defineFlow({ name: 'sending', workers: [worker], mediator: defineMediator({ name: 'mediator', rules: [] }), messages: [DidSend] });
      const processor = createProcessor({ flow, state, blobs: memoryBlobStore(), sender: nowhere, bucket: 'b', clock: systemClock, log: silentLogger, signal, retry: { maxAttempts: 2, baseDelayMs: 1000, maxDelayMs: 1000 } });
      return (attempt = 1) => processor.process('sender', { message: { type: 'please-send', id: 'm' }, attempt });
    }

    it('only for the shutdown\'s own abort: a server down while stopping uses up the attempt', async () => {
      const state = openSqliteStateStore(':memory:');
      const stopping = new AbortController();
      stopping.abort();
      const deliver = sender(state, stopping.signal, async () => {
        throw new RetryableError('the SMTP server is down');
      });
      const first = await deliver(1);
      assert.equal(first.outcome.kind, 'retry');
      assert.ok(first.outcome.kind === 'retry' && first.outcome.delayMs > 0, 'retried with backoff, not at once');
      assert.equal((await state.get('m'))?.attempts, 1, 'counted');
      assert.equal((await deliver(2)).outcome.kind, 'dead', 'the attempts run out, as at any other time');
      assert.equal((await state.get('m'))?.reason, 'RetryableError: the SMTP server is down (after 2 attempts)');
      await state.close();
    });

    it('gives the attempt back when the shutdown aborts the handler, whatever the handler throws then', async () => {
      const state = openSqliteStateStore(':memory:');
      const stopping = new AbortController();
      let started = () => {};
      const running = new Promise<void>((resolve) => (started = resolve));
      const deliver = sender(state, stopping.signal, ({ signal }) => {
        started();
        return new Promise((_, reject) => signal.addEventListener('abort', () => reject(new RetryableError('the connection was closed')), { once: true }));
      });
      const outcome = deliver(1);
      await running;
      stopping.abort();
      assert.deepEqual((await outcome).outcome, { kind: 'retry', delayMs: 0 });
      const kept = await state.get('m');
      assert.deepEqual([kept?.status, kept?.attempts, kept?.failures], ['pending', 0, 0]);
      await state.close();
    });
  });
});
