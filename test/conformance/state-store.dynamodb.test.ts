/**
 * The DynamoDB state store against moto (an AWS emulator on loopback, see test/support/moto.ts):
 * the conformance suite unchanged, each store on a table of its own, plus what only DynamoDB asks
 * for: messages keyed by id (never by time), bounded items, settles over the 100-item
 * transaction limit, TTL instead of prune, and fan-in raced by separate clients.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DescribeTableCommand, DescribeTimeToLiveCommand, DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { NonRetriableError } from '../../src/core/errors.js';
import { createDynamoTable, openDynamoStateStore } from '../../src/aws.js';
import type { MessageBrowser, StateStore } from '../../src/index.js';
import { skipWithoutMoto, startMoto, type Moto } from '../support/moto.js';
import { serialDynamoProxy, type SerialDynamo } from '../support/moto-dynamodb.js';
import { messageBrowserConformance } from './message-browser.case.js';
import { message, stateStoreConformance } from './state-store.case.js';

Object.assign(process.env, { AWS_ACCESS_KEY_ID: 'testing', AWS_SECRET_ACCESS_KEY: 'testing', AWS_REGION: 'us-east-1' });

const skip = await skipWithoutMoto();
let moto: Moto | undefined;
/** moto's transactions are atomic only one request at a time: see the proxy. */
let serial: SerialDynamo | undefined;
let endpoint = '';
let client: DynamoDBClient;
let tables = 0;

before(async () => {
  if (skip) return;
  moto = await startMoto();
  serial = await serialDynamoProxy(moto);
  endpoint = serial.endpoint;
  client = new DynamoDBClient({ endpoint });
});
after(async () => {
  client?.destroy();
  await serial?.close();
  await moto?.stop();
});

/** A store on a fresh table, with a client of its own unless one is given. */
async function openFresh(options: { ttlDays?: number; table?: string } = {}): Promise<{ store: StateStore & MessageBrowser; table: string }> {
  const table = options.table ?? `state-${++tables}`;
  if (!options.table) await createDynamoTable({ client, table });
  // The suites record their messages at times near the epoch (1, 2, 3 ms): the store's clock is theirs, so no TTL has passed.
  return { store: openDynamoStateStore({ client: new DynamoDBClient({ endpoint }), table, ttlDays: options.ttlDays, clock: () => 0 }), table };
}

const rawItem = async (table: string, id: string) => (await client.send(new GetItemCommand({ TableName: table, Key: { pk: { S: `msg#${id}` }, sk: { S: '-' } }, ConsistentRead: true }))).Item;

describe('DynamoDB state store on moto', { skip }, () => {
  const noPrune = 'DynamoDB expires done messages by TTL (ttlDays) instead: see "sets a TTL on done messages only"';
  stateStoreConformance('DynamoDB', async () => (await openFresh()).store, { noPrune });
  messageBrowserConformance('DynamoDB', async () => (await openFresh()).store, { noPrune });

  it('creates its table idempotently, with the indexes its queries use, on demand, with TTL on', async () => {
    const table = 'state-created-twice';
    assert.deepEqual(await createDynamoTable({ client, table }), { created: true });
    assert.deepEqual(await createDynamoTable({ client, table }), { created: false });
    const { Table } = await client.send(new DescribeTableCommand({ TableName: table }));
    assert.equal(Table?.TableStatus, 'ACTIVE');
    assert.equal(Table?.BillingModeSummary?.BillingMode, 'PAY_PER_REQUEST');
    assert.deepEqual(Table?.GlobalSecondaryIndexes?.map((i) => i.IndexName).sort(), ['by-cause', 'by-type', 'by-type-key', 'dead', 'pending-root', 'recent', 'settled']);
    const ttl = await client.send(new DescribeTimeToLiveCommand({ TableName: table }));
    assert.equal(ttl.TimeToLiveDescription?.AttributeName, 'expiresAt');
    assert.equal(ttl.TimeToLiveDescription?.TimeToLiveStatus, 'ENABLED');
    await assert.rejects(createDynamoTable({ client, table: 'ab' }), /"ab" is not a valid DynamoDB table name/);
  });

  it('keeps two messages of one type recorded in the same millisecond (the 2017 table kept one)', async () => {
    const { store } = await openFresh();
    try {
      const sameTime = Date.UTC(2017, 5, 1, 16);
      const twins = [1, 2].map((n) => message(`frame-${n}`, { body: { type: 'did-fetch-amp-image', id: `frame-${n}`, dateCreated: sameTime }, validTime: sameTime }));
      assert.deepEqual(await store.save(twins, sameTime), ['frame-1', 'frame-2']);
      const found = await store.find({ type: 'did-fetch-amp-image', key: 'temps' });
      assert.deepEqual(found.map((m) => m.id), ['frame-1', 'frame-2'], 'both kept, in arrival order');
    } finally {
      await store.close();
    }
  });

  it('refuses a body too large for an item, naming the message and its size, and records nothing of it', async () => {
    const { store } = await openFresh();
    try {
      const huge = message('huge', { body: { type: 'did-fetch-amp-image', id: 'huge', dateCreated: 1, pixels: 'x'.repeat(400 * 1024) } });
      await assert.rejects(store.save([huge], 1), (error: Error) => {
        assert.ok(error instanceof NonRetriableError, 'no retry can make it fit');
        assert.match(error.message, /message huge \(did-fetch-amp-image\) is 409\d{3} bytes/);
        assert.match(error.message, /358400 bytes/);
        return true;
      });
      assert.equal(await store.get('huge'), undefined);
      await store.save([message('cause')], 1);
      await assert.rejects(store.settle('cause', { status: 'done', attempts: 1 }, [{ ...huge, causedBy: 'cause' }], 2), /message huge .* bytes/);
      assert.equal((await store.get('cause'))?.status, 'pending', 'the settle did not happen');
    } finally {
      await store.close();
    }
  });

  it('refuses a window whose members make its item too large, naming the group', async () => {
    const { store } = await openFresh();
    try {
      const big = 'x'.repeat(150 * 1024);
      assert.equal(await store.addToWindow('fat', { id: 'a', order: 1, value: big }, 5), undefined);
      assert.equal(await store.addToWindow('fat', { id: 'b', order: 2, value: big }, 5), undefined);
      await assert.rejects(store.addToWindow('fat', { id: 'c', order: 3, value: big }, 5), (error: Error) => error instanceof NonRetriableError && /group fat/.test(error.message));
      assert.equal((await store.openWindow('fat')).members.length, 2);
    } finally {
      await store.close();
    }
  });

  it('keeps the open window item under N members and small after 1,000 adds', async () => {
    const { store, table } = await openFresh();
    try {
      for (let i = 0; i < 1000; i++) await store.addToWindow('long', { id: `m${i}`, order: i, value: { location: { Bucket: 'dataflow', Key: `frames/${i}.png` } } }, 5);
      const open = await client.send(new GetItemCommand({ TableName: table, Key: { pk: { S: 'window#long' }, sk: { S: '-' } }, ConsistentRead: true }));
      assert.equal(open.Item?.closed?.N, '200');
      assert.deepEqual(JSON.parse(open.Item!.members!.S!), [], 'every window closed: none waiting');
      assert.ok(JSON.stringify(open.Item).length < 200, `the item stays small: ${JSON.stringify(open.Item)}`);
      await store.addToWindow('long', { id: 'm1000', order: 1000, value: null }, 5);
      assert.equal((await store.openWindow('long')).members.length, 1);
      assert.equal((await store.windowOf('long', 'm999'))?.index, 200);
    } finally {
      await store.close();
    }
  });

  it('settles with 250 caused messages, over the 100-item transaction limit, losing none, and again as a redelivery would', async () => {
    const { store } = await openFresh();
    try {
      await store.save([message('fan-out')], 1);
      const caused = Array.from({ length: 250 }, (_, i) => message(`effect-${i}`, { type: 'please-create-thumbnail', causedBy: 'fan-out', validTime: i }));
      assert.equal(await store.settle('fan-out', { status: 'done', attempts: 1 }, caused, 2), true);
      const found = await store.find({ causedBy: 'fan-out' });
      assert.equal(found.length, 250);
      assert.deepEqual(found.map((m) => m.id), caused.map((m) => m.id), 'every one, by valid time');
      assert.equal(await store.unsettled(['fan-out']), 250);
      assert.equal(await store.settle('fan-out', { status: 'done', attempts: 2 }, caused, 3), false, 'a redelivery finds it settled');
      assert.equal((await store.find({ type: 'please-create-thumbnail', limit: 1000 })).length, 250, 'nothing doubled');
    } finally {
      await store.close();
    }
  });

  it('finishes a settle a dead process left half-done: the caused messages already there are kept as they were', async () => {
    const { store } = await openFresh();
    try {
      await store.save([message('half')], 1);
      const caused = Array.from({ length: 120 }, (_, i) => message(`half-${i}`, { causedBy: 'half' }));
      // As if a first try wrote some caused messages and died before its transaction.
      await store.save(caused.slice(0, 30).map((m) => ({ ...m, body: { ...m.body, first: true } as never })), 1);
      assert.equal(await store.settle('half', { status: 'done', attempts: 2 }, caused, 2), true);
      const found = await store.find({ causedBy: 'half' });
      assert.equal(found.length, 120);
      assert.equal(found.filter((m) => (m.body as { first?: boolean }).first).length, 30, 'those written first are left as they were');
      assert.equal((await store.get('half'))?.status, 'done');
    } finally {
      await store.close();
    }
  });

  it('sets a TTL on done messages only, and takes it away on revive', async () => {
    const { store, table } = await openFresh({ ttlDays: 2 });
    try {
      const now = Date.UTC(2026, 0, 1);
      await store.save([message('done'), message('dead'), message('pending')], now);
      await store.settle('done', { status: 'done', attempts: 1 }, [], now);
      await store.settle('dead', { status: 'dead', attempts: 3, reason: 'broken' }, [], now);
      assert.equal((await rawItem(table, 'done'))?.expiresAt?.N, String(now / 1000 + 2 * 86_400));
      assert.equal((await rawItem(table, 'dead'))?.expiresAt, undefined, 'a dead letter waits for a re-drive');
      assert.equal((await rawItem(table, 'pending'))?.expiresAt, undefined);
      assert.equal(store.prune, undefined, 'nothing to prune by hand');
      assert.equal(store.enqueuesOnSettle, undefined, 'SQS cannot share the transaction: the runtime sends');
      assert.throws(() => openDynamoStateStore({ client, table, ttlDays: 0 }), /ttlDays must be a positive number of days, got 0/);
    } finally {
      await store.close();
    }
  });

  it('decides fan-in once across separate clients racing, as separate Lambdas would', async () => {
    const { table } = await openFresh();
    const stores = Array.from({ length: 4 }, () => openDynamoStateStore({ client: new DynamoDBClient({ endpoint }), table }));
    try {
      const frames = Array.from({ length: 20 }, (_, i) => i);
      const results = await Promise.all(frames.map((i) => stores[i % 4]!.addToWindow('image:1', { id: `frame-${i}`, order: 100 - i, value: { i } }, 5)));
      const batches = results.filter((b) => b !== undefined);
      assert.deepEqual(batches.map((b) => b.index).sort(), [1, 2, 3, 4], 'exactly four GIFs');
      const members = batches.flatMap((b) => b.members.map((m) => m.id));
      assert.equal(new Set(members).size, 20, 'no frame in two, none left out');

      const parts = ['gif', 'thumbnail:1', 'thumbnail:2', 'thumbnail:3'];
      const completions = await Promise.all(parts.flatMap((name, i) => [0, 1].map((copy) => stores[(i + copy) % 4]!.addPart('mail:1', parts, { name, value: copy }))));
      const complete = completions.filter((c) => c !== undefined);
      assert.ok(complete.length >= 1 && complete.length <= 2, `one completion and at most its replay, got ${complete.length}`);
      assert.equal(new Set(complete.map((c) => c.completedBy)).size, 1);
    } finally {
      await Promise.all(stores.map((s) => s.close()));
    }
  });

  it('lets one of two concurrent settles through, recording only what the winner caused', async () => {
    const { store } = await openFresh();
    try {
      await store.save([message('twice')], 1);
      const results = await Promise.all([1, 2].map((n) => store.settle('twice', { status: 'done', attempts: n }, [message(`effect-${n}`, { causedBy: 'twice' })], 2)));
      assert.deepEqual([...results].sort(), [false, true]);
      const winner = results.indexOf(true) + 1;
      assert.equal((await store.get('twice'))?.attempts, winner);
      assert.deepEqual((await store.find({ causedBy: 'twice' })).map((m) => m.id), [`effect-${winner}`], 'the loser\'s transaction wrote nothing');
      assert.equal(await store.unsettled(['twice']), 1);
    } finally {
      await store.close();
    }
  });

  it('answers the mediator\'s, the trace\'s and the dead letters\' queries along indexes, never by a scan', async () => {
    const { store } = await openFresh();
    try {
      await store.save([message('f1', { validTime: 10 }), message('f2', { validTime: 20 }), message('g1', { type: 'did-create-gif' })], 1);
      await store.settle('f1', { status: 'dead', attempts: 1, reason: 'x' }, [message('t1', { type: 'please-create-thumbnail', causedBy: 'f1' })], 2);
      const before = serial!.operations.length;
      assert.deepEqual((await store.find({ type: 'did-fetch-amp-image', key: 'temps', validTime: { from: 15 } })).map((m) => m.id), ['f2']);
      assert.deepEqual((await store.find({ type: 'did-create-gif' })).map((m) => m.id), ['g1']);
      assert.deepEqual((await store.find({ causedBy: 'f1' })).map((m) => m.id), ['t1']);
      assert.deepEqual((await store.find({ status: 'dead' })).map((m) => m.id), ['f1']);
      assert.equal(await store.unsettled(['f1']), 1, 'f1 is dead, t1 pending');
      assert.deepEqual((await store.revive('all', 3)).map((m) => m.id), ['f1']);
      const used = serial!.operations.slice(before);
      assert.ok(!used.includes('Scan'), `no scan: ${used.join(', ')}`);
      assert.ok(used.filter((o) => o === 'Query').length >= 6);
    } finally {
      await store.close();
    }
  });

  it('tells its own write from another\'s when an answer is lost and the SDK sends the call again', async () => {
    const { store } = await openFresh();
    try {
      serial!.loseAnswer('PutItem');
      assert.deepEqual(await store.save([message('put-once')], 1), ['put-once'], 'the retry finds the first try\'s item: inserted, not a duplicate');
      assert.deepEqual(await store.save([message('put-once')], 2), [], 'a real duplicate is still one');
      serial!.loseAnswer('TransactWriteItems');
      const before = serial!.operations.filter((o) => o === 'TransactWriteItems').length;
      assert.equal(await store.settle('put-once', { status: 'done', attempts: 1 }, [message('its-effect', { causedBy: 'put-once' })], 3), true, 'settled by this call, not by another delivery');
      assert.equal(serial!.operations.filter((o) => o === 'TransactWriteItems').length - before, 2, 'the transaction was sent again');
      assert.equal((await store.get('its-effect'))?.status, 'pending');
      assert.equal(await store.settle('put-once', { status: 'done', attempts: 2 }, [], 4), false, 'a later settle is still refused');
    } finally {
      await store.close();
    }
  });

  it('close() waits for running calls, refuses later ones, and leaves a given client to its owner', async () => {
    const { table } = await openFresh();
    const store = openDynamoStateStore({ client, table });
    const pending = store.save([message('late')], 1);
    await store.close();
    assert.deepEqual(await pending, ['late']);
    await assert.rejects(store.get('late'), /closed/);
    assert.ok(await rawItem(table, 'late'), 'the shared client still works');
  });
});
