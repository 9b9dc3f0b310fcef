/**
 * The core's runtime over the SQS transport on moto: a flow's messages go through real queues set
 * up from its consumers, retries wait in their visibility timeouts and count their attempts,
 * a message that can never work is dead-lettered by the core with its reason, and what the
 * mediator decides reaches the next worker.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { SQSClient } from '@aws-sdk/client-sqs';
import { memoryBlobStore } from '../../src/adapters/memory/blob-store.js';
import { memoryStateStore } from '../../src/adapters/memory/state-store.js';
import { queueDepths, setUpQueues } from '../../src/adapters/sqs/queues.js';
import { sqsTransport } from '../../src/adapters/sqs/transport.js';
import { createRuntime } from '../../src/index.js';
import { skipWithoutMoto, startMoto, type Moto } from '../support/moto.js';
import { toyFlow } from '../support/toy-flow.js';

Object.assign(process.env, { AWS_ACCESS_KEY_ID: 'testing', AWS_SECRET_ACCESS_KEY: 'testing', AWS_REGION: 'us-east-1' });

const skip = await skipWithoutMoto();
let moto: Moto | undefined;
let client: SQSClient;

before(async () => {
  if (skip) return;
  moto = await startMoto();
  client = new SQSClient({ endpoint: moto.endpoint });
});
after(async () => {
  client?.destroy();
  await moto?.stop();
});

describe('a flow on SQS, on moto', { skip }, () => {
  it('runs, retries after the backoff and dead-letters with the reason, through the flow\'s own queues', { timeout: 60_000 }, async () => {
    const { flow, calls } = toyFlow();
    const prefix = `f${randomBytes(4).toString('hex')}`;
    const setups = await setUpQueues(flow.consumers(), { client, prefix, visibilityTimeoutSeconds: 30 });
    assert.deepEqual(setups.map((s) => s.queueName).sort(), [`${prefix}-doubler`, `${prefix}-mediator`, `${prefix}-reporter`]);
    const state = memoryStateStore();
    const transport = sqsTransport({ client, prefix, waitTimeSeconds: 1 });
    const runtime = createRuntime({ flow, state, blobs: memoryBlobStore(), transport, retry: { baseDelayMs: 500, maxDelayMs: 1000 } });
    await runtime.start();
    try {
      const { accepted } = await runtime.send([
        { type: 'please-double', n: 21 },
        { type: 'please-double', n: 5, fail: 'twice' },
        { type: 'please-double', n: 7, fail: 'fatal' },
      ]);
      await runtime.settled(accepted.map((m) => m.id), { timeoutMs: 45_000 });
      const [fine, flaky, fatal] = await Promise.all(accepted.map((m) => state.get(m.id)));
      assert.equal(fine!.status, 'done');
      assert.deepEqual([flaky!.status, flaky!.attempts], ['done', 3], 'two failures, retried through visibility timeouts');
      assert.equal(calls.get(5), 3);
      assert.equal(fatal!.status, 'dead');
      assert.match(fatal!.reason!, /this input can never work/);
      const reports = (await runtime.descendants([accepted[0]!.id])).filter((m) => m.type === 'did-report');
      assert.deepEqual(reports.map((m) => (m.body as { text?: string }).text), ['21 doubled is 42']);
      await transport.idle();
      const depths = await queueDepths(flow.consumers().map((c) => c.name), { client, prefix });
      assert.ok(depths.every((d) => d.waiting + d.inFlight + d.delayed + d.deadLetters === 0), JSON.stringify(depths));
    } finally {
      await runtime.stop();
    }
  });
});
