/**
 * TTL on the DynamoDB state store, on moto: done messages expire, and neither the counts nor a
 * dead letter's explanation may suffer for it. The counts leave out every done message whose TTL
 * has passed; a dead letter's causes are kept (as copies, held by the dead letters that need them)
 * for `trace` as long as it is dead, even once DynamoDB has deleted the causes themselves, and its
 * re-drive lets them expire again once no dead letter holds them.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DeleteItemCommand, DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { ancestors } from '../../src/core/causal-chain.js';
import { createDynamoTable, openDynamoStateStore } from '../../src/aws.js';
import { message } from '../conformance/state-store.case.js';
import { serialDynamoProxy, type SerialDynamo } from '../support/moto-dynamodb.js';
import { skipWithoutMoto, startMoto, type Moto } from '../support/moto.js';

Object.assign(process.env, { AWS_ACCESS_KEY_ID: 'testing', AWS_SECRET_ACCESS_KEY: 'testing', AWS_REGION: 'us-east-1' });

const DAY = 86_400_000;
const T = Date.UTC(2026, 2, 1, 12);
const skip = await skipWithoutMoto();
let moto: Moto | undefined;
let proxy: SerialDynamo | undefined;
let client: DynamoDBClient;

before(async () => {
  if (skip) return;
  moto = await startMoto();
  proxy = await serialDynamoProxy(moto);
  client = new DynamoDBClient({ endpoint: proxy.endpoint });
});
after(async () => {
  client?.destroy();
  await proxy?.close();
  await moto?.stop();
});

const msg = (id: string, causedBy?: string) => message(id, { causedBy });
const raw = async (table: string, pk: string) => (await client.send(new GetItemCommand({ TableName: table, Key: { pk: { S: pk }, sk: { S: '-' } }, ConsistentRead: true }))).Item;
/** What DynamoDB's TTL does to an expired item: deletes it, with no transaction. */
const expire = (table: string, id: string) => client.send(new DeleteItemCommand({ TableName: table, Key: { pk: { S: `msg#${id}` }, sk: { S: '-' } } }));

describe('TTL on the DynamoDB state store, on moto', { skip }, () => {
  it('counts leave out done messages once their TTL has passed, and keep pending and dead ones', async () => {
    const table = 'ttl-counts';
    await createDynamoTable({ client, table });
    let now = T;
    const store = openDynamoStateStore({ client, table, ttlDays: 1, clock: () => now });
    try {
      await store.save([msg('a'), msg('b'), msg('c')], T);
      await store.settle('a', { status: 'done', attempts: 1 }, [msg('a-reply', 'a')], T);
      await store.settle('b', { status: 'dead', attempts: 3, reason: 'broken' }, [], T);
      const counted = async () => (await store.counts()).map((c) => [c.status, c.count]);
      assert.deepEqual(await counted(), [['dead', 1], ['done', 1], ['pending', 2]]);
      now = T + 2 * DAY; // a's TTL (T + 1 day) has passed, whether or not DynamoDB has deleted it yet
      assert.deepEqual(await counted(), [['dead', 1], ['pending', 2]], 'the expired done message is not counted');
      await store.settle('c', { status: 'done', attempts: 1 }, [], now);
      assert.deepEqual(await counted(), [['dead', 1], ['done', 1], ['pending', 1]], 'a message done since is');
    } finally {
      await store.close();
    }
  });

  it('keeps what trace needs to explain a dead letter while it is dead, and lets it expire after its re-drive', async () => {
    const table = 'ttl-dead-letters';
    await createDynamoTable({ client, table });
    const store = openDynamoStateStore({ client, table, ttlDays: 1, clock: () => T });
    try {
      await store.save([msg('root')], T);
      await store.settle('root', { status: 'done', attempts: 1 }, [msg('mid', 'root')], T);
      await store.settle('mid', { status: 'done', attempts: 1 }, [msg('leaf', 'mid'), msg('leaf-2', 'mid')], T);
      await store.settle('leaf', { status: 'dead', attempts: 3, reason: 'broken' }, [], T);
      await store.settle('leaf-2', { status: 'dead', attempts: 3, reason: 'broken too' }, [], T);

      // A day and more later, DynamoDB deletes the done causes; the dead letters stay.
      await expire(table, 'root');
      await expire(table, 'mid');
      assert.deepEqual((await ancestors(store, 'leaf')).map((m) => [m.id, m.status]), [['root', 'done'], ['mid', 'done'], ['leaf', 'dead']], 'trace still explains the dead letter');
      assert.deepEqual((await store.get('mid'))?.body, msg('mid').body);
      assert.equal((await store.find({ type: 'did-fetch-amp-image' })).length, 2, 'the copies are in no index: only the two dead letters are found');
      const kept = await raw(table, 'kept#mid');
      assert.equal(kept?.expiresAt, undefined, 'no TTL while a dead letter needs it');
      assert.deepEqual(kept?.keptFor?.SS?.sort(), ['leaf', 'leaf-2']);

      const later = T + 3 * DAY;
      await store.revive(['leaf'], later);
      assert.equal((await raw(table, 'kept#mid'))?.expiresAt, undefined, 'the other dead letter still needs it');
      await store.revive(['leaf-2'], later);
      for (const id of ['root', 'mid']) {
        const copy = await raw(table, `kept#${id}`);
        assert.equal(copy?.keptFor, undefined);
        assert.equal(copy?.expiresAt?.N, String(later / 1000 + 86_400), `${id}'s copy expires a TTL after the last re-drive`);
      }
    } finally {
      await store.close();
    }
  });
});
