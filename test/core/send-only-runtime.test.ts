/** A runtime on a transport that only sends: what `dataflow send` against a queue it does not consume needs. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { memoryBlobStore } from '../../src/adapters/memory/blob-store.js';
import { memoryStateStore } from '../../src/adapters/memory/state-store.js';
import { createRuntime, type Delivery, type Sender } from '../../src/index.js';
import { toyFlow } from '../support/toy-flow.js';

function sendOnly() {
  const sent: { queue: string; deliveries: Delivery[] }[] = [];
  const sender: Sender = { send: async (queue, deliveries) => void sent.push({ queue, deliveries }) };
  return { sender, sent };
}

describe('a runtime on a sender alone', () => {
  it('consumes nothing, records and sends what it is given, and re-drives', async () => {
    const { flow } = toyFlow();
    const { sender, sent } = sendOnly();
    const state = memoryStateStore();
    const runtime = createRuntime({ flow, state, blobs: memoryBlobStore(), transport: sender });
    await runtime.start();
    const { accepted, rejected } = await runtime.send([{ type: 'please-double', id: 'one', n: 1 }, { type: 'please-double', n: 'two' }]);
    assert.deepEqual(accepted.map((m) => m.id), ['one']);
    assert.equal(rejected.length, 1);
    assert.deepEqual(sent.map((s) => [s.queue, s.deliveries.map((d) => (d.message as { id: string }).id)]), [['doubler', ['one']]]);
    assert.equal((await state.get('one'))?.status, 'pending', 'recorded, for whichever process consumes the queue');

    await state.settle('one', { status: 'dead', attempts: 3, reason: 'broken' }, [], 2);
    await runtime.redrive(['one']);
    assert.equal(sent.length, 2, 're-driven through the sender');
    await assert.rejects(runtime.idle(), /cannot tell when the flow is idle/);
    await runtime.stop();
  });

  it('refuses to consume, naming the consumers it was asked for', async () => {
    const { flow } = toyFlow();
    const runtime = createRuntime({ flow, state: memoryStateStore(), blobs: memoryBlobStore(), transport: sendOnly().sender, consumers: ['doubler'] });
    await assert.rejects(runtime.start(), /this transport only sends, so it cannot consume doubler/);
    await runtime.stop();
  });
});
