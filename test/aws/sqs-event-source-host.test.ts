/**
 * The local host of the SQS event source mapping, on moto: real SQS events, batch sizes and
 * windows, concurrent batches, partial batch responses, whole-batch failures, retry delays set
 * through visibility, and SQS's own redrive to the dead-letter queue.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { batchHandlerOf, deliveryBatchHandler } from '../../src/adapters/sqs/delivery-handler.js';
import { hostEventSources, type EventSourceHost, type EventSourceMapping } from '../../src/adapters/sqs/event-source-host.js';
import { deliveryOf } from '../../src/adapters/sqs/message-body.js';
import { queueUrls } from '../../src/adapters/sqs/queue-names.js';
import { queueDepths, setUpQueues } from '../../src/adapters/sqs/queues.js';
import { sqsSender } from '../../src/adapters/sqs/sender.js';
import { sqsVisibility } from '../../src/adapters/sqs/visibility.js';
import { skipWithoutMoto, startMoto, type Moto } from '../support/moto.js';

Object.assign(process.env, { AWS_ACCESS_KEY_ID: 'testing', AWS_SECRET_ACCESS_KEY: 'testing', AWS_REGION: 'us-east-1' });

const skip = await skipWithoutMoto();
let moto: Moto | undefined;
let client: SQSClient;
const hosts: EventSourceHost[] = [];

before(async () => {
  if (skip) return;
  moto = await startMoto();
  client = new SQSClient({ endpoint: moto.endpoint });
});
after(async () => {
  await Promise.all(hosts.map((host) => host.stop()));
  client?.destroy();
  await moto?.stop();
});

const delivery = (id: string, attempt = 1) => ({ message: { type: 'please-test', id, dateCreated: 0 }, attempt });
const idOf = (record: SQSEvent['Records'][number]) => (JSON.parse(record.body) as { id: string }).id;

async function waitFor(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** A queue of its own, with its sender, for one test. */
async function queue(settings: { maxAttempts?: number; extraReceives?: number; visibilityTimeoutSeconds?: number } = {}) {
  const prefix = `h${randomBytes(4).toString('hex')}`;
  const [setup] = await setUpQueues([{ name: 'worker', retry: { maxAttempts: settings.maxAttempts ?? 12 } }], {
    client,
    prefix,
    extraReceives: settings.extraReceives,
    visibilityTimeoutSeconds: settings.visibilityTimeoutSeconds ?? 60,
  });
  const urls = queueUrls(client);
  const send = (deliveries: ReturnType<typeof delivery>[]) => sqsSender({ client, prefix, urls }).send('worker', deliveries);
  const host = (mapping: Omit<EventSourceMapping, 'queueName'>) => {
    const running = hostEventSources([{ queueName: setup!.queueName, ...mapping }], { client, urls, waitTimeSeconds: 1 });
    hosts.push(running);
    return running;
  };
  const depth = async () => (await queueDepths(['worker'], { client, prefix }))[0]!;
  return { setup: setup!, urls, send, host, depth };
}

describe('the local SQS event source mapping on moto', { skip }, () => {
  it('stopping during a long poll hands back what that poll got: another host takes it at once, not after its visibility timeout', async () => {
    const q = await queue({ visibilityTimeoutSeconds: 600 });
    const handled: string[] = [];
    const first = hostEventSources([{ queueName: q.setup.queueName, handler: async (event) => void handled.push(...event.Records.map(idOf)) }], { client, urls: q.urls, waitTimeSeconds: 3 });
    await new Promise((resolve) => setTimeout(resolve, 500)); // its first long poll is open
    const stopping = first.stop();
    await q.send([delivery('late')]); // reaches the queue while that poll is still open
    await stopping;
    assert.equal(handled.length, 0, 'a stopping host starts nothing new');
    q.host({ handler: async (event) => void handled.push(...event.Records.map(idOf)) });
    await waitFor('another host to take the message', () => handled.includes('late'), 10_000);
  });

  it('hands the handler real SQS events', async () => {
    const q = await queue();
    const events: SQSEvent[] = [];
    // Typed with @types/aws-lambda, as a deployed function is: the host's own event types fit it.
    const lambdaHandler: (event: SQSEvent) => Promise<void> = async (event) => void events.push(event);
    q.host({ handler: lambdaHandler });
    await q.send([delivery('first', 3)]);
    await waitFor('the event', () => events.length > 0);
    const [record] = events[0]!.Records;
    const { QueueArn } = (await client.send(new GetQueueAttributesCommand({ QueueUrl: q.setup.queueUrl, AttributeNames: ['QueueArn'] }))).Attributes!;
    assert.equal(record!.eventSource, 'aws:sqs');
    assert.equal(record!.eventSourceARN, QueueArn);
    assert.equal(record!.awsRegion, 'us-east-1');
    assert.match(record!.messageId, /^[0-9a-f-]{36}$/);
    assert.ok(record!.receiptHandle.length > 10);
    assert.equal(record!.md5OfBody, createHash('md5').update(record!.body).digest('hex'));
    assert.equal(record!.attributes.ApproximateReceiveCount, '1');
    assert.match(record!.attributes.SentTimestamp, /^\d{13}$/);
    assert.deepEqual(record!.messageAttributes['dataflow-first-attempt'], { dataType: 'Number', stringValue: '3', binaryValue: undefined, stringListValues: [], binaryListValues: [] });
    assert.deepEqual(deliveryOf(record!), { message: { type: 'please-test', id: 'first', dateCreated: 0 }, attempt: 3 });
    await waitFor('the message to be deleted', async () => (await q.depth()).inFlight === 0);
    assert.deepEqual(await q.depth(), { consumer: 'worker', queueName: q.setup.queueName, waiting: 0, inFlight: 0, delayed: 0, deadLetters: 0 });
  });

  it('runs batches of at most batchSize, at most maxConcurrency at once, and deletes what succeeded', async () => {
    const q = await queue();
    const sizes: number[] = [];
    const handled = new Set<string>();
    let running = 0;
    let peak = 0;
    q.host({
      batchSize: 4,
      maxConcurrency: 3,
      handler: async (event) => {
        peak = Math.max(peak, ++running);
        sizes.push(event.Records.length);
        for (const record of event.Records) handled.add(idOf(record));
        await new Promise((resolve) => setTimeout(resolve, 150));
        running--;
      },
    });
    await q.send(Array.from({ length: 30 }, (_, i) => delivery(`m${i}`)));
    await waitFor('every message', () => handled.size === 30);
    await waitFor('every message deleted', async () => { const d = await q.depth(); return d.waiting + d.inFlight === 0; });
    assert.ok(sizes.every((size) => size >= 1 && size <= 4), `batch sizes ${sizes}`);
    assert.equal(peak, 3, 'three batches at once, no more');
    assert.equal(sizes.reduce((a, b) => a + b, 0), 30, 'each message handled once');
  });

  it('gathers a batch over 10 records within its batching window', async () => {
    const q = await queue();
    const sizes: number[] = [];
    await q.send(Array.from({ length: 25 }, (_, i) => delivery(`w${i}`)));
    q.host({ batchSize: 25, maxBatchingWindowMs: 2000, handler: async (event) => void sizes.push(event.Records.length) });
    await waitFor('the batch', () => sizes.length > 0);
    assert.deepEqual(sizes, [25]);
  });

  it('leaves the records a partial batch response names to come back, and deletes the rest', async () => {
    const q = await queue({ visibilityTimeoutSeconds: 1 });
    const seen: { id: string; count: string }[] = [];
    q.host({
      handler: async (event): Promise<SQSBatchResponse> => {
        seen.push(...event.Records.map((record) => ({ id: idOf(record), count: record.attributes.ApproximateReceiveCount })));
        return { batchItemFailures: event.Records.filter((record) => idOf(record) === 'bad' && record.attributes.ApproximateReceiveCount === '1').map((record) => ({ itemIdentifier: record.messageId })) };
      },
    });
    await q.send([delivery('good'), delivery('bad'), delivery('fine')]);
    await waitFor('the failed record again', () => seen.some((s) => s.id === 'bad' && s.count === '2'));
    await waitFor('all deleted', async () => { const d = await q.depth(); return d.waiting + d.inFlight === 0; });
    assert.deepEqual(seen.map((s) => `${s.id}#${s.count}`).sort(), ['bad#1', 'bad#2', 'fine#1', 'good#1']);
  });

  it('takes a response naming an unknown record, or a handler that throws, as the whole batch failed', async () => {
    for (const failing of [
      async (): Promise<SQSBatchResponse> => ({ batchItemFailures: [{ itemIdentifier: 'not-in-this-batch' }] }),
      async (): Promise<SQSBatchResponse> => ({ batchItemFailures: [{ itemIdentifier: '' }] }),
      async (): Promise<SQSBatchResponse> => {
        throw new Error('handler crashed');
      },
    ]) {
      const q = await queue({ visibilityTimeoutSeconds: 1 });
      const counts: string[] = [];
      q.host({ batchSize: 10, handler: async (event) => { counts.push(...event.Records.map((r) => `${idOf(r)}#${r.attributes.ApproximateReceiveCount}`)); return event.Records[0]!.attributes.ApproximateReceiveCount === '1' ? failing() : undefined; } });
      await q.send([delivery('a'), delivery('b')]);
      await waitFor('both again', () => counts.includes('a#2') && counts.includes('b#2'));
      await waitFor('all deleted', async () => { const d = await q.depth(); return d.waiting + d.inFlight === 0; });
    }
  });

  it('brings a retried record back after the delay its handler set through visibility, not the queue\'s timeout', async () => {
    const q = await queue({ visibilityTimeoutSeconds: 60 });
    const times: number[] = [];
    const attempts: number[] = [];
    const handler = deliveryBatchHandler(async (d) => {
      attempts.push(d.attempt);
      times.push(Date.now());
      return d.attempt === 1 ? { kind: 'retry', delayMs: 2000 } : { kind: 'ack' };
    }, sqsVisibility(client, q.urls));
    q.host({ handler });
    await q.send([delivery('flaky')]);
    await waitFor('the second attempt', () => attempts.length === 2, 20_000);
    const waited = times[1]! - times[0]!;
    assert.deepEqual(attempts, [1, 2]);
    assert.ok(waited >= 1900 && waited < 30_000, `came back after about 2 s, not 60 (${waited} ms)`);
  });

  it('leaves a delivery whose handler throws to come back after the queue\'s visibility timeout, and settles the rest of its batch', async () => {
    const q = await queue({ visibilityTimeoutSeconds: 1 });
    const seen: string[] = [];
    const handler = deliveryBatchHandler(((d: { message: { id: string }; attempt: number }) => {
      seen.push(`${d.message.id}#${d.attempt}`);
      if (d.message.id === 'buggy' && d.attempt === 1) throw new Error('a bug, thrown before any promise'); // not even async
      return Promise.resolve({ kind: 'ack' as const });
    }) as unknown as Parameters<typeof deliveryBatchHandler>[0], sqsVisibility(client, q.urls));
    await q.send([delivery('buggy'), delivery('fine')]);
    q.host({ handler });
    await waitFor('the second attempt', () => seen.includes('buggy#2'));
    await waitFor('deleted', async () => { const d = await q.depth(); return d.waiting + d.inFlight === 0; });
    assert.deepEqual(seen.sort(), ['buggy#1', 'buggy#2', 'fine#1'], 'the record beside it was deleted, not delivered again');
  });

  it('answers a batch decided as a whole, one outcome per record in order: ack and dead deleted, retry back after its delay', async () => {
    const q = await queue({ visibilityTimeoutSeconds: 60 });
    const decided: string[][] = [];
    const outcomes = { ok: { kind: 'ack' }, later: { kind: 'retry', delayMs: 1000 }, poison: { kind: 'dead' } } as const;
    const handler = batchHandlerOf(async (deliveries) => {
      const ids = deliveries.map((d) => `${(d.message as { id: string }).id}#${d.attempt}`);
      decided.push(ids);
      return deliveries.map((d) => (d.attempt > 1 ? { kind: 'ack' } : outcomes[(d.message as { id: keyof typeof outcomes }).id]));
    }, sqsVisibility(client, q.urls));
    await q.send([delivery('ok'), delivery('later'), delivery('poison')]);
    q.host({ handler });
    await waitFor('the retried record', () => decided.flat().includes('later#2'), 20_000);
    await waitFor('all deleted', async () => { const d = await q.depth(); return d.waiting + d.inFlight === 0; });
    assert.deepEqual(decided.flat().sort(), ['later#1', 'later#2', 'ok#1', 'poison#1']);
  });

  it('leaves a message received more than maxReceiveCount to SQS, which moves it to the dead-letter queue', async () => {
    // maxAttempts 2 + 1 + 0 extra: SQS redrives on the 4th receive.
    const q = await queue({ maxAttempts: 2, extraReceives: 0, visibilityTimeoutSeconds: 0 });
    assert.equal(q.setup.maxReceiveCount, 3);
    const counts: string[] = [];
    q.host({ handler: async (event) => ({ batchItemFailures: event.Records.map((record) => (counts.push(record.attributes.ApproximateReceiveCount), { itemIdentifier: record.messageId })) }) });
    await q.send([delivery('poison')]);
    await waitFor('the dead letter', async () => (await q.depth()).deadLetters === 1);
    assert.deepEqual(counts, ['1', '2', '3']);
    assert.deepEqual(await q.depth(), { consumer: 'worker', queueName: q.setup.queueName, waiting: 0, inFlight: 0, delayed: 0, deadLetters: 1 });
  });

  it('waits for a queue that does not exist yet, and polls it once it does', async () => {
    const prefix = `h${randomBytes(4).toString('hex')}`;
    const handled: string[] = [];
    const host = hostEventSources([{ queueName: `${prefix}-late`, handler: async (event) => void handled.push(...event.Records.map(idOf)) }], { client, waitTimeSeconds: 1, pauseAfterErrorMs: 100 });
    hosts.push(host);
    await new Promise((resolve) => setTimeout(resolve, 300));
    await setUpQueues([{ name: 'late' }], { client, prefix });
    await sqsSender({ client, prefix, urls: queueUrls(client) }).send('late', [delivery('made-late')]);
    await waitFor('the message', () => handled.length > 0);
    assert.deepEqual(handled, ['made-late']);
  });

  it('stops polling, after the batches it holds have run and been settled', async () => {
    const q = await queue();
    let started = 0;
    let finished = 0;
    const host = q.host({ handler: async () => { started++; await new Promise((resolve) => setTimeout(resolve, 300)); finished++; } });
    await q.send([delivery('last')]);
    await waitFor('the batch to start', () => host.busy() === 1);
    await host.stop();
    assert.equal(finished, 1);
    assert.equal(host.busy(), 0);
    assert.equal((await q.depth()).inFlight, 0, 'deleted before stop resolved');
    await q.send([delivery('after')]);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    // moto, like SQS, may still hand it to the long poll the stop cut short: it is then in flight
    // until its visibility timeout ends, and comes back to whoever polls next.
    const { waiting, inFlight } = await q.depth();
    assert.equal(waiting + inFlight, 1);
    assert.equal(started, 1, 'no handler ran after the stop');
  });
});
