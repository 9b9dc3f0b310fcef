/**
 * A re-drive revives a dead letter, then sends it. When the send fails, or the process dies before
 * it, the message must not stay pending with nobody to send it: a send its queue refused leaves
 * it a dead letter again, with the reason, for the next re-drive (`--all` too); one revived and
 * never sent is sent when it is named again. On SQLite, and on DynamoDB (moto) when it is there.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createDynamoTable, openDynamoStateStore } from '../../src/aws.js';
import { memoryBlobStore } from '../../src/adapters/memory/blob-store.js';
import { inProcessTransport } from '../../src/adapters/in-process/transport.js';
import { openSqliteStateStore } from '../../src/adapters/sqlite/state-store.js';
import { createRuntime, type Runtime, type StateStore, type Transport } from '../../src/index.js';
import { serialDynamoProxy, type SerialDynamo } from '../support/moto-dynamodb.js';
import { skipWithoutMoto, startMoto, type Moto } from '../support/moto.js';
import { toyFlow } from '../support/toy-flow.js';

Object.assign(process.env, { AWS_ACCESS_KEY_ID: 'testing', AWS_SECRET_ACCESS_KEY: 'testing', AWS_REGION: 'us-east-1' });

/** An in-process transport whose next send to a named queue fails, as an unreachable queue would. */
function refusingTransport() {
  const inner = inProcessTransport();
  const refuse = new Set<string>();
  const transport: Transport & { idle(): Promise<void> } = {
    ...inner,
    async send(queue, deliveries) {
      if (refuse.delete(queue)) throw new Error(`queue ${queue} is unreachable`);
      return inner.send(queue, deliveries);
    },
  };
  return { transport, refuseNext: (queue: string) => refuse.add(queue) };
}

async function deadLetterOf(open: () => Promise<StateStore>) {
  const { flow, broken } = toyFlow();
  const { transport, refuseNext } = refusingTransport();
  const runtime = createRuntime({ flow, state: await open(), blobs: memoryBlobStore(), transport, retry: { baseDelayMs: 5, maxDelayMs: 20 } });
  await runtime.start();
  broken.add(4);
  await runtime.send([{ type: 'please-double', id: 'poison', n: 4, fail: 'while-broken' }]);
  await runtime.idle();
  assert.equal((await runtime.state.get('poison'))?.status, 'dead');
  broken.delete(4); // mended: a re-drive that reaches the doubler completes it
  return { runtime, refuseNext };
}

/** The re-driven message ran to the end, once. */
async function assertCompleted(runtime: Runtime) {
  await runtime.settled(['poison'], { timeoutMs: 30_000 });
  await runtime.idle();
  assert.equal((await runtime.state.get('poison'))?.status, 'done');
  assert.equal((await runtime.state.find({ type: 'did-report' })).length, 1);
}

function redriveCases(name: string, open: () => Promise<StateStore>) {
  describe(`a re-drive whose send does not happen, on ${name}`, () => {
    it('a send its queue refused leaves a dead letter with the reason, and the next re-drive completes it', { timeout: 60_000 }, async () => {
      const { runtime, refuseNext } = await deadLetterOf(open);
      try {
        refuseNext('doubler');
        await assert.rejects(runtime.redrive(['poison']), /could not send 1 re-driven message\(s\), now dead letters again to re-drive later: please-double poison: (Error: )?queue doubler is unreachable/);
        const again = await runtime.state.get('poison');
        assert.equal(again?.status, 'dead', 'not left pending with nobody to send it');
        assert.match(again!.reason!, /^re-driven, but queue doubler did not take it: .*queue doubler is unreachable; re-drive it again$/);
        assert.deepEqual((await runtime.redrive('all')).map((m) => m.id), ['poison']);
        await assertCompleted(runtime);
      } finally {
        await runtime.stop();
      }
    });

    it('a message revived and never sent (the re-drive died in between) is sent when it is named again', { timeout: 60_000 }, async () => {
      const { runtime } = await deadLetterOf(open);
      try {
        // What a re-drive does before it sends; its process dies there.
        assert.deepEqual((await runtime.state.revive(['poison'], Date.now())).map((m) => m.id), ['poison']);
        assert.equal((await runtime.state.get('poison'))?.status, 'pending');
        assert.deepEqual((await runtime.redrive(['poison'])).map((m) => m.id), ['poison']);
        await assertCompleted(runtime);
      } finally {
        await runtime.stop();
      }
    });
  });
}

redriveCases('SQLite', async () => openSqliteStateStore(':memory:'));

const skipDynamo = await skipWithoutMoto();
let moto: Moto | undefined;
let proxy: SerialDynamo | undefined;
let tables = 0;
before(async () => {
  if (skipDynamo) return;
  moto = await startMoto();
  proxy = await serialDynamoProxy(moto);
});
after(async () => {
  await proxy?.close();
  await moto?.stop();
});
describe('on DynamoDB (moto)', { skip: skipDynamo }, () => {
  redriveCases('DynamoDB', async () => {
    const client = new DynamoDBClient({ endpoint: proxy!.endpoint });
    const table = `redrive-${++tables}`;
    await createDynamoTable({ client, table });
    return openDynamoStateStore({ client, table });
  });
});
