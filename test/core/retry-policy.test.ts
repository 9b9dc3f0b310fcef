import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseRetrySetting } from '../../src/cli/retry-setting.js';
import { createRuntime, defaultRetryPolicy, type Message } from '../../src/index.js';
import { diskBlobStore } from '../../src/adapters/disk/blob-store.js';
import { inProcessTransport } from '../../src/adapters/in-process/transport.js';
import { openSqliteStateStore } from '../../src/adapters/sqlite/state-store.js';
import { toyFlow } from '../support/toy-flow.js';

describe('retry policies', () => {
  it('by default a failing message is tried for minutes before it is dead-lettered', () => {
    const { maxAttempts, baseDelayMs, maxDelayMs } = defaultRetryPolicy;
    // The shortest the jittered waits can add up to: half of each capped step.
    let shortest = 0;
    for (let attempt = 1; attempt < maxAttempts; attempt++) shortest += Math.min(maxDelayMs, baseDelayMs * 2 ** (attempt - 1)) / 2;
    assert.ok(shortest >= 5 * 60_000, `at least 5 minutes of retries, got ${Math.round(shortest / 1000)} s`);
    assert.equal(toyFlow().flow.consumers().find((c) => c.name === 'reporter')?.retry.maxAttempts, maxAttempts, 'a worker that says nothing gets the defaults');
  });

  it('a worker\'s own policy, overridden for every consumer and then per consumer by the runtime', async () => {
    const run = async (retry: Parameters<typeof createRuntime>[0]['retry']) => {
      const { flow, calls } = toyFlow();
      const runtime = createRuntime({ flow, state: openSqliteStateStore(':memory:'), blobs: diskBlobStore(await mkdtemp(join(tmpdir(), 'dataflow-retry-'))), transport: inProcessTransport(), retry });
      await runtime.start();
      await runtime.send([{ type: 'please-double', n: 1, fail: 'always' }]);
      await runtime.idle();
      const [dead] = await runtime.state.find({ status: 'dead' });
      await runtime.stop();
      return { calls: calls.get(1), reason: dead?.reason, n: (dead?.body as Message | undefined)?.n };
    };
    assert.equal((await run({ baseDelayMs: 1, maxDelayMs: 2 })).calls, 3, 'the doubler says 3 attempts');
    assert.equal((await run({ baseDelayMs: 1, maxDelayMs: 2, maxAttempts: 4 })).calls, 4, 'the runtime says 4 for every consumer');
    const one = await run({ baseDelayMs: 1, maxDelayMs: 2, maxAttempts: 4, perConsumer: { doubler: { maxAttempts: 2 } } });
    assert.equal(one.calls, 2, 'and 2 for the doubler alone');
    assert.match(one.reason!, /after 2 attempts/);
  });

  it('refuses an unusable policy or an unknown consumer, naming them', async () => {
    const open = async (retry: Parameters<typeof createRuntime>[0]['retry']) =>
      createRuntime({ flow: toyFlow().flow, state: openSqliteStateStore(':memory:'), blobs: diskBlobStore(await mkdtemp(join(tmpdir(), 'dataflow-retry-'))), transport: inProcessTransport(), retry });
    await assert.rejects(open({ perConsumer: { dubler: { maxAttempts: 2 } } }), /retry policy is given for dubler.*has no consumer of that name; it has mediator, doubler, reporter/);
    await assert.rejects(open({ maxAttempts: 0 }), /retry policy of mediator: maxAttempts must be a whole number of at least 1, got 0/);
    await assert.rejects(open({ perConsumer: { doubler: { maxDelayMs: 10, baseDelayMs: 50 } } }), /retry policy of doubler: maxDelayMs must be .*at least baseDelayMs \(50\), got 10/);
  });

  it('DATAFLOW_RETRY sets policies for every consumer and per consumer, and names itself when it is wrong', () => {
    assert.deepEqual(parseRetrySetting('maxAttempts=20, maxDelayMs=600000,email-sender.maxAttempts=40,email-sender.baseDelayMs=5000'), {
      maxAttempts: 20,
      maxDelayMs: 600_000,
      perConsumer: { 'email-sender': { maxAttempts: 40, baseDelayMs: 5000 } },
    });
    assert.equal(parseRetrySetting(''), undefined);
    assert.throws(() => parseRetrySetting('attempts=3'), /DATAFLOW_RETRY must be .*maxAttempts, baseDelayMs, maxDelayMs.*got "attempts=3"/);
    assert.throws(() => parseRetrySetting('maxAttempts=many'), /DATAFLOW_RETRY .*got "maxAttempts=many"/);
  });
});
