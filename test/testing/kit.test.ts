/** The test kit's own promises: time moves only when told, and mistakes are named. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { NonRetriableError, type Message } from '../../src/index.js';
import { createTestRuntime, manualClock } from '../../src/testing/index.js';
import { toyFlow } from '../support/toy-flow.js';

describe('the test kit', () => {
  it('moves the clock only as far as `advance` says, leaving a later retry waiting', async () => {
    const kit = await createTestRuntime(toyFlow().flow, { retry: { baseDelayMs: 60_000, maxDelayMs: 60_000 }, startAt: 1_000_000 });
    try {
      kit.failWorker('doubler', { times: 1 });
      await kit.send({ type: 'please-double', n: 4 });
      await kit.advance(10_000);
      assert.equal(kit.clock.now(), 1_010_000);
      const [waiting] = kit.waiting();
      assert.equal(waiting?.queue, 'doubler');
      assert.ok(waiting!.due >= 1_030_000 && waiting!.due <= 1_060_000, `due half to all of the 60 s step later, got ${waiting!.due}`);
      assert.equal(kit.messages({ type: 'did-double' }).length, 0, 'not retried yet');
      await kit.runUntilIdle();
      assert.equal(kit.clock.now(), waiting!.due, 'the clock jumped to the retry, no further');
      assert.deepEqual(kit.messages({ type: 'did-double' }).map((m) => (m.body as Message).result), [8]);
    } finally {
      await kit.stop();
    }
  });

  it('dead-letters at once a worker made to fail for good', async () => {
    const kit = await createTestRuntime(toyFlow().flow);
    try {
      kit.failWorker('doubler', { error: new NonRetriableError('no such number') });
      await kit.run({ type: 'please-double', n: 1 });
      const [dead] = kit.deadLetters();
      assert.equal(dead?.attempts, 1);
      assert.match(dead?.reason ?? '', /no such number/);
    } finally {
      await kit.stop();
    }
  });

  it('takes a function of the ports, handing it the settings, the blobs and the capturing mailer', async () => {
    let given: unknown;
    const kit = await createTestRuntime((ports) => ((given = ports), toyFlow().flow), { settings: { greeting: 'hi' } });
    try {
      assert.deepEqual((given as { settings: unknown }).settings, { greeting: 'hi' });
      assert.equal((given as { mailer: unknown }).mailer, kit.mailer);
      assert.equal((given as { blobs: unknown }).blobs, kit.blobs);
    } finally {
      await kit.stop();
    }
  });

  it('names what is wrong: an unknown worker, a flow without a schedule, time going back, no flow', async () => {
    const kit = await createTestRuntime(toyFlow().flow);
    try {
      assert.throws(() => kit.failWorker('thumbnailer'), /no worker named "thumbnailer"; it has doubler, reporter/);
      assert.throws(() => kit.failWorker('doubler', { times: -1 }), /times must be/);
      await assert.rejects(kit.tick(), /flow toy has no schedule/);
      assert.throws(() => kit.clock.advanceTo(kit.clock.now() - 1), /time only moves forward/);
    } finally {
      await kit.stop();
    }
    assert.throws(() => manualClock(Number.NaN), /start: expected epoch milliseconds/);
    await assert.rejects(createTestRuntime((() => undefined) as never), /expected a flow \(made with defineFlow\)/);
  });
});
