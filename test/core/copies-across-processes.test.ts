/**
 * What holds for copies of one message id handled at once by two processes on one PostgreSQL
 * store (an SQS queue may hand both out; each processor keeps copies apart only within itself):
 * the handler may run in both, but the conditional settle records one outcome, one `done`, and
 * what it caused once, under the ids derived from the cause.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { z } from 'zod';
import { memoryBlobStore } from '../../src/adapters/memory/blob-store.js';
import { migrate } from '../../src/adapters/postgres/migrations.js';
import { openPostgresStateStore } from '../../src/adapters/postgres/state-store.js';
import { createProcessor, defineFlow, defineMediator, defineMessage, defineWorker, derivedId, type FlowEvent, type Sender } from '../../src/index.js';
import { freshSchema, skipWithoutPostgres } from '../support/postgres.js';

const PleaseSlow = defineMessage('please-slow', z.object({}));
const DidSlow = defineMessage('did-slow', z.object({}));

describe('copies of one message id in two processes at once, on PostgreSQL', { skip: await skipWithoutPostgres() }, () => {
  it('both run the handler; one outcome is recorded, and what it caused once', async () => {
    const db = await freshSchema();
    try {
      await migrate(db.pool);
      let runs = 0;
      const worker = defineWorker({
        name: 'slow',
        accepts: PleaseSlow,
        replies: DidSlow,
        async handle() {
          runs++;
          await new Promise((r) => setTimeout(r, 100)); // long enough for both copies to be under way
          return {};
        },
      });
      const flow = defineFlow({ name: 'copies', workers: [worker], mediator: defineMediator({ name: 'mediator', rules: [] }), messages: [DidSlow] });
      const events: FlowEvent[] = [];
      const sent: string[] = [];
      const sender: Sender = { send: async (_queue, deliveries) => void sent.push(...deliveries.map((d) => (d.message as { id: string }).id)) };
      // Two processes: a store and a processor each, one database.
      const [one, two] = [1, 2].map(() => {
        const state = openPostgresStateStore({ pool: db.pool });
        return { state, processor: createProcessor({ flow, state, blobs: memoryBlobStore(), sender, onEvent: (e) => events.push(e) }) };
      });
      const delivery = { message: { type: 'please-slow', id: 'twice' }, attempt: 1 };
      const results = await Promise.all([one!.processor.process('slow', delivery), two!.processor.process('slow', delivery)]);

      assert.deepEqual(results.map((r) => r.outcome.kind), ['ack', 'ack']);
      assert.equal(runs, 2, 'no guard spans processes: both ran the handler');
      assert.equal(events.filter((e) => e.kind === 'done').length, 1, 'one outcome recorded');
      assert.equal(events.filter((e) => e.kind === 'duplicate').length, 1, 'the other settle found it settled');
      assert.equal((await one!.state.get('twice'))?.status, 'done');
      assert.deepEqual((await one!.state.find({ causedBy: 'twice' })).map((m) => m.id), [derivedId('twice', 0)]);
      assert.deepEqual(sent, [derivedId('twice', 0)], 'sent by the process whose settle won');
      await Promise.all([one!.state.close(), two!.state.close()]);
    } finally {
      await db.drop();
    }
  });
});
