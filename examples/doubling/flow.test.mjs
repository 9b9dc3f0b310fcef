import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createTestRuntime } from 'dataflow/testing';
import flow from './flow.mjs';

test('doubles each number and sums them in pairs', async () => {
  const kit = await createTestRuntime(flow);
  await kit.run([{ type: 'please-double', n: 1 }, { type: 'please-double', n: 2 }]);

  const [sum] = kit.messages({ type: 'did-sum' });
  assert.deepEqual(sum.body.numbers, [2, 4]);
  assert.equal(sum.body.total, 6);
  // Every message records its cause, back to what was sent.
  assert.deepEqual(kit.chain(sum.id).map((m) => m.type), ['please-double', 'did-double', 'please-sum', 'did-sum']);
  assert.deepEqual(kit.blobs.list().map((b) => b.body.toString()), ['2 + 4 = 6\n']);
  await kit.stop();
});

test('retries a failing worker, then dead-letters it, without waiting', async () => {
  const kit = await createTestRuntime(flow);
  kit.failWorker('summer', { times: 2 });
  await kit.run([{ type: 'please-double', n: 1 }, { type: 'please-double', n: 2 }]);
  assert.equal(kit.events.filter((e) => e.kind === 'retry').length, 2);
  assert.equal(kit.messages({ type: 'did-sum' }).length, 1);

  kit.failWorker('doubler'); // every time, until its 12 attempts are used up
  await kit.run({ type: 'please-double', n: 3 });
  const [dead] = kit.deadLetters();
  assert.equal(dead.type, 'please-double');
  assert.equal(dead.attempts, 12);
  await kit.stop();
});

test('runs the hourly schedule on a clock the test moves', async () => {
  const kit = await createTestRuntime(flow, { startAt: new Date('2026-06-01T09:30:00Z') });
  const { at } = await kit.tick();
  assert.equal(at.toISOString(), '2026-06-01T10:00:00.000Z');
  await kit.runUntilIdle();
  assert.equal(kit.messages({ type: 'did-sum' })[0].body.total, 2 * 10 + 2 * 11);
  await kit.stop();
});
