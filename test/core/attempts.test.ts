/** Attempts are counted before a handler runs: what kills the process runs out of attempts too. */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { openSqliteStateStore } from '../../src/adapters/sqlite/state-store.js';
import { defineFlow, defineMediator, defineMessage, defineWorker } from '../../src/index.js';
import { openEmbeddedRuntime } from '../../src/embedded.js';

const child = fileURLToPath(new URL('./killer-child.ts', import.meta.url));

function runChild(dir: string, send: boolean): Promise<{ signal: NodeJS.Signals | null; code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const proc = execFile(process.execPath, ['--import', 'tsx', child, dir, ...(send ? ['send'] : [])], { timeout: 60_000 }, (_error, stdout, stderr) =>
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
      assert.match(killer!.reason!, /the process died while handling it \(3 attempts began, none finished\)/);
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
});
