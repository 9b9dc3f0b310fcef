/** The transport's conformance suite: every adapter runs it unchanged. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { z } from 'zod';
import { memoryBlobStore } from '../../src/adapters/memory/blob-store.js';
import { memoryStateStore } from '../../src/adapters/memory/state-store.js';
import { createProcessor, defineFlow, defineMediator, defineMessage, defineWorker, derivedId, type Delivery, type Transport } from '../../src/index.js';

const msg = (id: string) => ({ message: { type: 'please-test', id, dateCreated: 0 }, attempt: 1 });
const idOf = (d: Delivery) => (d.message as { id: string }).id;

export function transportConformance(name: string, open: () => Promise<Transport & { idle(): Promise<void> }>): void {
  describe(`transport conformance: ${name}`, () => {
    it('delivers every message sent to a queue, and only to that queue', async () => {
      const transport = await open();
      const got: string[] = [];
      const other: string[] = [];
      transport.consume('a', async (d) => (got.push(idOf(d)), { kind: 'ack' }), { concurrency: 2 });
      transport.consume('b', async (d) => (other.push(idOf(d)), { kind: 'ack' }), { concurrency: 2 });
      await transport.send('a', [msg('1'), msg('2'), msg('3')]);
      await transport.idle();
      assert.deepEqual(got.sort(), ['1', '2', '3']);
      assert.deepEqual(other, []);
      await transport.close();
    });

    it('holds messages sent before anyone consumes', async () => {
      const transport = await open();
      await transport.send('late', [msg('early')]);
      const got: string[] = [];
      transport.consume('late', async (d) => (got.push(idOf(d)), { kind: 'ack' }), { concurrency: 1 });
      await transport.idle();
      assert.deepEqual(got, ['early']);
      await transport.close();
    });

    it('never runs more than `concurrency` handlers of a queue at once', async () => {
      const transport = await open();
      let running = 0;
      let peak = 0;
      transport.consume(
        'limited',
        async () => {
          peak = Math.max(peak, ++running);
          await new Promise((r) => setTimeout(r, 10));
          running--;
          return { kind: 'ack' };
        },
        { concurrency: 3 },
      );
      await transport.send('limited', Array.from({ length: 12 }, (_, i) => msg(String(i))));
      await transport.idle();
      assert.equal(peak, 3);
      await transport.close();
    });

    it('delivers again after the delay a retry asks for, counting attempts', async () => {
      const transport = await open();
      const attempts: number[] = [];
      const times: number[] = [];
      transport.consume(
        'flaky',
        async (d) => {
          attempts.push(d.attempt);
          times.push(Date.now());
          return d.attempt < 3 ? { kind: 'retry', delayMs: 30 } : { kind: 'ack' };
        },
        { concurrency: 1 },
      );
      await transport.send('flaky', [msg('x')]);
      await transport.idle();
      assert.deepEqual(attempts, [1, 2, 3]);
      assert.ok(times[1]! - times[0]! >= 25, 'the retry waited');
      await transport.close();
    });

    it('drops a dead delivery and goes on with the rest', async () => {
      const transport = await open();
      const got: string[] = [];
      transport.consume('mixed', async (d) => (got.push(idOf(d)), idOf(d) === 'poison' ? { kind: 'dead' } : { kind: 'ack' }), { concurrency: 1 });
      await transport.send('mixed', [msg('poison'), msg('fine')]);
      await transport.idle();
      assert.deepEqual(got, ['poison', 'fine']);
      await transport.close();
    });

    it('carries text that never parsed as it was sent', async () => {
      const transport = await open();
      const got: unknown[] = [];
      transport.consume('raw', async (d) => (got.push(d.message), { kind: 'ack' }), { concurrency: 1 });
      await transport.send('raw', [{ message: '{"type": "please-test", ', attempt: 1 }]);
      await transport.idle();
      assert.deepEqual(got, ['{"type": "please-test", ']);
      await transport.close();
    });

    // The transport may hand out copies of one id at once; the processor runs them one at a time.
    it('copies of one message id sent at once: the processor over it handles the message once, never two at once', async () => {
      const transport = await open();
      let running = 0;
      let overlap = false;
      let handled = 0;
      const PleaseTest = defineMessage('please-test', z.object({}));
      const DidTest = defineMessage('did-test', z.object({}));
      const worker = defineWorker({
        name: 'tester',
        accepts: PleaseTest,
        replies: DidTest,
        concurrency: 4,
        async handle() {
          if (++running > 1) overlap = true;
          handled++;
          await new Promise((r) => setTimeout(r, 20));
          running--;
          return {};
        },
      });
      const flow = defineFlow({ name: 'copies', workers: [worker], mediator: defineMediator({ name: 'mediator', rules: [] }), messages: [DidTest] });
      const state = memoryStateStore();
      const processor = createProcessor({ flow, state, blobs: memoryBlobStore(), sender: transport });
      for (const consumer of ['tester', 'mediator']) transport.consume(consumer, async (d) => (await processor.process(consumer, d)).outcome, { concurrency: 4 });
      await transport.send('tester', [msg('same'), msg('same'), msg('same')]);
      await transport.idle();
      assert.equal(overlap, false, 'never two at once');
      assert.equal(handled, 1, 'handled once; the copies were dropped');
      assert.equal((await state.get(derivedId('same', 0)))?.status, 'done', 'its reply went through, once');
      await transport.close();
    });
  });
}
