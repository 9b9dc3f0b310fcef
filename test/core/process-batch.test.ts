/**
 * The processor as a serverless host calls it: a batch of deliveries for one consumer in, one
 * result per delivery out, what they caused sent before any is acked.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { z } from 'zod';
import { memoryBlobStore } from '../../src/adapters/memory/blob-store.js';
import { memoryStateStore } from '../../src/adapters/memory/state-store.js';
import {
  NonRetriableError,
  RetryableError,
  createProcessor,
  defineFlow,
  defineMediator,
  defineMessage,
  defineWorker,
  derivedId,
  message,
  when,
  type Delivery,
  type Message,
  type Sender,
  type StateStore,
} from '../../src/index.js';

const PleaseWork = defineMessage('please-work', z.object({ n: z.number(), fail: z.enum(['never', 'retry', 'fatal']).default('never') }));
const DidWork = defineMessage('did-work', z.object({ n: z.number() }));
const PleaseTell = defineMessage('please-tell', z.object({ n: z.number() }));
const DidTell = defineMessage('did-tell', z.object({ n: z.number() }));

/** A sender that keeps what it is given, per call, and fails while `down` names the queue. */
function keepingSender() {
  const calls: { queue: string; ids: string[] }[] = [];
  const down = new Set<string>();
  const sender: Sender = {
    async send(queue, deliveries) {
      if (down.has(queue)) throw new Error(`queue ${queue} is unreachable`);
      calls.push({ queue, ids: deliveries.map((d) => (d.message as Message).id) });
    },
  };
  return { sender, calls, down, sentTo: (queue: string) => calls.filter((c) => c.queue === queue).flatMap((c) => c.ids) };
}

/**
 * A worker that works on `n`, and a mediator that asks for a `please-tell` about each result,
 * naming as its cause the work request rather than the result (as a GIF's mail names the GIF).
 */
function setUp(options: { state?: StateStore; workerConcurrency?: number } = {}) {
  let running = 0;
  const stats = { peak: 0, runs: new Map<number, number>() };
  const worker = defineWorker({
    name: 'worker',
    accepts: PleaseWork,
    replies: DidWork,
    concurrency: options.workerConcurrency ?? 4,
    retry: { maxAttempts: 3, baseDelayMs: 100, maxDelayMs: 100 },
    async handle(m) {
      stats.peak = Math.max(stats.peak, ++running);
      stats.runs.set(m.n, (stats.runs.get(m.n) ?? 0) + 1);
      try {
        await new Promise((r) => setTimeout(r, 10));
        if (m.fail === 'retry') throw new RetryableError('the server is busy', 250);
        if (m.fail === 'fatal') throw new NonRetriableError('this can never work');
        return { n: m.n };
      } finally {
        running--;
      }
    },
  });
  const teller = defineWorker({ name: 'teller', accepts: PleaseTell, replies: DidTell, handle: async (m) => ({ n: m.n }) });
  const mediator = defineMediator({
    name: 'mediator',
    rules: [when(DidWork, async (m) => [message(PleaseTell, { n: m.n }, { causedBy: `work-${m.n}` })])],
  });
  const flow = defineFlow({ name: 'batches', workers: [worker, teller], mediator, messages: [DidTell] });
  const state = options.state ?? memoryStateStore();
  const sending = keepingSender();
  const processor = createProcessor({ flow, state, blobs: memoryBlobStore(), sender: sending.sender });
  return { processor, state, stats, ...sending };
}

const work = (n: number, extra: object = {}, attempt = 1): Delivery => ({ message: { type: 'please-work', id: `work-${n}`, n, ...extra }, attempt });

describe('processBatch', () => {
  it('answers one result per delivery, in the order given', async () => {
    const { processor } = setUp();
    const results = await processor.processBatch('worker', [work(1), { message: '{"type": "please-work", ', attempt: 1 }, work(2, { fail: 'retry' }), work(3, { fail: 'fatal' }), work(4)]);
    assert.deepEqual(
      results.map((r) => r.outcome),
      [{ kind: 'ack' }, { kind: 'dead' }, { kind: 'retry', delayMs: 100 }, { kind: 'dead' }, { kind: 'ack' }],
      'the retry waits what the error asked for, capped by the policy',
    );
    assert.deepEqual(results[0]!.sent.map((s) => [s.queue, s.message.type, s.message.id]), [['mediator', 'did-work', derivedId('work-1', 0)]]);
    assert.deepEqual(results[2]!.sent, []);
  });

  it('runs at most the consumer\'s concurrency at once, or the one asked for', async () => {
    const batch = Array.from({ length: 10 }, (_, i) => work(i));
    const defaults = setUp({ workerConcurrency: 3 });
    await defaults.processor.processBatch('worker', batch);
    assert.equal(defaults.stats.peak, 3, 'the worker\'s own concurrency');
    const asked = setUp({ workerConcurrency: 3 });
    await asked.processor.processBatch('worker', batch, { concurrency: 5 });
    assert.equal(asked.stats.peak, 5);
    await assert.rejects(asked.processor.processBatch('worker', batch, { concurrency: 0 }), /concurrency must be a positive integer, got 0/);
  });

  it('never runs two deliveries of one message id at once: the later copy finds it done', async () => {
    const { processor, stats, sentTo } = setUp();
    const results = await processor.processBatch('worker', [work(7), work(8), work(7), work(7)], { concurrency: 4 });
    assert.deepEqual(results.map((r) => r.outcome.kind), ['ack', 'ack', 'ack', 'ack']);
    assert.equal(stats.runs.get(7), 1, 'handled once');
    assert.deepEqual(sentTo('mediator').sort(), [derivedId('work-7', 0), derivedId('work-8', 0)].sort(), 'each reply sent once for the batch');
  });

  it('knows copies of one id in JSON text, as an SQS body brings them', async () => {
    const { processor, stats } = setUp();
    const text = JSON.stringify({ type: 'please-work', id: 'work-9', n: 9 });
    const results = await processor.processBatch('worker', [text, text, '{"type": "please-work", '].map((message) => ({ message, attempt: 1 })), { concurrency: 3 });
    assert.deepEqual(results.map((r) => r.outcome.kind), ['ack', 'ack', 'dead']);
    assert.equal(stats.runs.get(9), 1);
    assert.equal(stats.peak, 1, 'the copies never ran at once');
  });

  it('sends what the batch caused once per queue, before answering', async () => {
    const { processor, calls } = setUp();
    await processor.processBatch('worker', [work(1), work(2), work(3)]);
    assert.deepEqual(calls.map((c) => [c.queue, c.ids.length]), [['mediator', 3]]);
  });

  it('answers retry for a delivery whose messages were not sent; its redelivery sends them, and they run once', async () => {
    const { processor, state, down, sentTo } = setUp();
    down.add('mediator');
    const [first, other] = await processor.processBatch('worker', [work(1), work(2, { fail: 'fatal' })]);
    assert.equal(first!.outcome.kind, 'retry', 'not acked: what it caused is not on its way');
    assert.ok(first!.outcome.kind === 'retry' && first!.outcome.delayMs > 0);
    assert.equal(other!.outcome.kind, 'dead', 'a delivery that sent nothing is not held back');
    assert.equal((await state.get('work-1'))?.status, 'done', 'handled and settled, only the send failed');
    const reply = derivedId('work-1', 0);
    assert.equal((await state.get(reply))?.status, 'pending');

    down.delete('mediator');
    const [again] = await processor.processBatch('worker', [work(1, {}, 2)]);
    assert.equal(again!.outcome.kind, 'ack');
    assert.deepEqual(again!.sent.map((s) => s.message.id), [reply], 'the copy sends what its first handling caused');
    const results = await processor.processBatch('mediator', sentTo('mediator').map((id) => ({ message: { type: 'did-work', id, n: 1 }, attempt: 1 })));
    assert.deepEqual(results.map((r) => r.outcome.kind), ['ack']);
    assert.equal((await state.get(reply))?.status, 'done');
  });

  it('a copy of a message already done sends again what it caused that is still pending, even what names another cause', async () => {
    const { processor, state, sentTo } = setUp();
    await processor.processBatch('worker', [work(5)]);
    const reply = derivedId('work-5', 0);
    await processor.processBatch('mediator', [{ message: { type: 'did-work', id: reply, n: 5 }, attempt: 1 }]);
    const tell = derivedId(reply, 0);
    assert.equal((await state.get(tell))?.causedBy, 'work-5', 'the request names the work, not the reply that caused it');
    assert.equal((await state.get(tell))?.status, 'pending');

    const [copy] = await processor.processBatch('mediator', [{ message: { type: 'did-work', id: reply, n: 5 }, attempt: 1 }]);
    assert.deepEqual(copy!.sent.map((s) => [s.queue, s.message.id]), [['teller', tell]]);
    await processor.processBatch('teller', [{ message: (await state.get(tell))!.body, attempt: 1 }]);
    const [late] = await processor.processBatch('mediator', [{ message: { type: 'did-work', id: reply, n: 5 }, attempt: 1 }]);
    assert.deepEqual(late!.sent, [], 'nothing once what it caused is done');
    assert.deepEqual(sentTo('teller'), [tell, tell]);
  });

  it('a copy does not send again what was delivered already: its attempts are counted, so the transport has it', async () => {
    const { processor, state } = setUp();
    await processor.processBatch('worker', [work(6)]);
    const reply = derivedId('work-6', 0);
    await state.recordAttempt(reply); // delivered to a mediator, which is on it, or retrying it
    const [copy] = await processor.processBatch('worker', [work(6, {}, 2)]);
    assert.deepEqual([copy!.outcome.kind, copy!.sent], ['ack', []]);
  });

  it('names the consumers a flow has when asked for one it has not', async () => {
    const { processor } = setUp();
    await assert.rejects(processor.processBatch('gif-maker', [work(1)]), /no consumer named gif-maker in flow batches; it has mediator, worker, teller/);
    assert.deepEqual(await processor.processBatch('worker', []), []);
  });
});
