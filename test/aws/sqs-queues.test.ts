/** Queue set-up, names and sending on SQS, on moto: what `dataflow aws setup` and every send rely on. */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { GetQueueAttributesCommand, ReceiveMessageCommand, SQSClient, SetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { awsPrefix } from '../../src/adapters/aws/prefix.js';
import { deadLetterQueueNameOf, queueNameOf, queueUrls } from '../../src/adapters/sqs/queue-names.js';
import { queueDepths, setUpQueues } from '../../src/adapters/sqs/queues.js';
import { delaySecondsOf, sqsSender } from '../../src/adapters/sqs/sender.js';
import { visibilitySecondsOf } from '../../src/adapters/sqs/visibility.js';
import { skipWithoutMoto, startMoto, type Moto } from '../support/moto.js';

Object.assign(process.env, { AWS_ACCESS_KEY_ID: 'testing', AWS_SECRET_ACCESS_KEY: 'testing', AWS_REGION: 'us-east-1' });

const skip = await skipWithoutMoto();
let moto: Moto | undefined;
let client: SQSClient;
/** The name of every command the client sent, in order. */
const commands: string[] = [];

before(async () => {
  if (skip) return;
  moto = await startMoto();
  client = new SQSClient({ endpoint: moto.endpoint });
  client.middlewareStack.add((next, context) => (args) => (commands.push(context.commandName as string), next(args)), { step: 'initialize' });
});
after(async () => {
  client?.destroy();
  await moto?.stop();
});

const newPrefix = () => `q${randomBytes(4).toString('hex')}`;
const attributesOf = async (QueueUrl: string) => (await client.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['All'] }))).Attributes!;
const receiveAll = async (QueueUrl: string, waitSeconds = 1) => {
  const bodies: string[] = [];
  for (;;) {
    const { Messages = [] } = await client.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: waitSeconds, VisibilityTimeout: 60 }));
    if (Messages.length === 0) return bodies;
    bodies.push(...Messages.map((m) => m.Body!));
  }
};
const delivery = (id: string, extra: Record<string, unknown> = {}) => ({ message: { type: 'please-test', id, dateCreated: 0, ...extra }, attempt: 1 });

describe('SQS queue set-up on moto', { skip }, () => {
  it('makes each consumer a queue and a dead-letter queue, redriving after maxAttempts + 1 + 4 receives', async () => {
    const prefix = newPrefix();
    const consumers = [{ name: 'mediator', retry: { maxAttempts: 12 }, timeoutMs: 30_000 }, { name: 'gif-creator', retry: { maxAttempts: 3 }, timeoutMs: 120_000 }];
    const [mediator, gif] = await setUpQueues(consumers, { client, prefix });
    assert.equal(mediator!.queueName, `${prefix}-mediator`);
    assert.equal(gif!.deadLetterQueueName, `${prefix}-gif-creator-dlq`);
    assert.deepEqual([mediator!.maxReceiveCount, gif!.maxReceiveCount], [17, 8]);
    assert.deepEqual([mediator!.visibilityTimeoutSeconds, gif!.visibilityTimeoutSeconds], [180, 720], 'six times the consumer\'s timeout');
    assert.ok(mediator!.created && gif!.created);
    const attributes = await attributesOf(gif!.queueUrl);
    const dlqArn = (await attributesOf(gif!.deadLetterQueueUrl)).QueueArn;
    assert.deepEqual(JSON.parse(attributes.RedrivePolicy!), { deadLetterTargetArn: dlqArn, maxReceiveCount: 8 });
    assert.equal(attributes.VisibilityTimeout, '720');
    assert.equal(attributes.MaximumMessageSize, '262144');
    assert.equal((await attributesOf(gif!.deadLetterQueueUrl)).MessageRetentionPeriod, String(14 * 24 * 3600));
  });

  it('is idempotent: run again, it finds the queues and brings changed settings back', async () => {
    const prefix = newPrefix();
    const consumers = [{ name: 'thumbnail-creator', retry: { maxAttempts: 5 } }];
    const [first] = await setUpQueues(consumers, { client, prefix });
    await client.send(new SetQueueAttributesCommand({ QueueUrl: first!.queueUrl, Attributes: { VisibilityTimeout: '5' } }));
    const [second] = await setUpQueues(consumers, { client, prefix, extraReceives: 0 });
    assert.equal(second!.created, false);
    assert.equal(second!.queueUrl, first!.queueUrl);
    assert.equal(second!.deadLetterQueueUrl, first!.deadLetterQueueUrl);
    const attributes = await attributesOf(second!.queueUrl);
    assert.equal(attributes.VisibilityTimeout, '360');
    assert.equal(JSON.parse(attributes.RedrivePolicy!).maxReceiveCount, 6);
    // Both at once, as two set-ups racing: neither fails.
    const raced = await Promise.all([setUpQueues(consumers, { client, prefix: `${prefix}r` }), setUpQueues(consumers, { client, prefix: `${prefix}r` })]);
    assert.equal(raced[0][0]!.queueUrl, raced[1][0]!.queueUrl);
  });

  it('reads the depths of each queue and its dead letters', async () => {
    const prefix = newPrefix();
    const [setup] = await setUpQueues([{ name: 'email-sender' }], { client, prefix });
    const urls = queueUrls(client);
    const sender = sqsSender({ client, prefix, urls });
    await sender.send('email-sender', [delivery('a'), delivery('b'), delivery('c')]);
    await sender.send('email-sender', [delivery('later')], { delayMs: 60_000 });
    await client.send(new ReceiveMessageCommand({ QueueUrl: setup!.queueUrl, MaxNumberOfMessages: 1, VisibilityTimeout: 60 }));
    const dead = sqsSender({ client, prefix, urls: { urlOf: async () => setup!.deadLetterQueueUrl, urlOfArn: async () => setup!.deadLetterQueueUrl } });
    await dead.send('email-sender', [delivery('dead')]);
    assert.deepEqual(await queueDepths(['email-sender'], { client, prefix }), [{ consumer: 'email-sender', queueName: `${prefix}-email-sender`, waiting: 2, inFlight: 1, delayed: 1, deadLetters: 1 }]);
  });
});

describe('SQS sending on moto', { skip }, () => {
  it('sends 10 to a call, resolving the queue URL once', async () => {
    const prefix = newPrefix();
    const [setup] = await setUpQueues([{ name: 'mediator' }], { client, prefix });
    const sender = sqsSender({ client, prefix, urls: queueUrls(client) });
    commands.length = 0;
    await sender.send('mediator', Array.from({ length: 23 }, (_, i) => delivery(`m${i}`)));
    await sender.send('mediator', [delivery('m23')]);
    assert.deepEqual(commands, ['GetQueueUrlCommand', 'SendMessageBatchCommand', 'SendMessageBatchCommand', 'SendMessageBatchCommand', 'SendMessageBatchCommand']);
    const ids = (await receiveAll(setup!.queueUrl)).map((body) => JSON.parse(body).id).sort();
    assert.deepEqual(ids, Array.from({ length: 24 }, (_, i) => `m${i}`).sort());
  });

  it('keeps each call under 256 KiB, and refuses a message over it, naming it, before sending any', async () => {
    const prefix = newPrefix();
    const [setup] = await setUpQueues([{ name: 'gif-creator' }], { client, prefix });
    const sender = sqsSender({ client, prefix, urls: queueUrls(client) });
    const big = 'x'.repeat(150 * 1024);
    commands.length = 0;
    await sender.send('gif-creator', [delivery('big-1', { pad: big }), delivery('big-2', { pad: big })]);
    assert.equal(commands.filter((name) => name === 'SendMessageBatchCommand').length, 2, 'two calls: together they are over 256 KiB');
    assert.equal((await receiveAll(setup!.queueUrl)).length, 2);

    await assert.rejects(
      sender.send('gif-creator', [delivery('fine'), delivery('huge', { pad: 'x'.repeat(256 * 1024) })]),
      new RegExp(`message huge \\(please-test\\) for queue ${prefix}-gif-creator is \\d+ bytes, over SQS's limit of 262144`),
    );
    assert.deepEqual(await receiveAll(setup!.queueUrl, 0), [], 'nothing of that call was sent');
  });

  it('holds back a delayed send, and carries the message as its JSON body', async () => {
    const prefix = newPrefix();
    const [setup] = await setUpQueues([{ name: 'mediator' }], { client, prefix });
    const sender = sqsSender({ client, prefix, urls: queueUrls(client) });
    const sentAt = Date.now();
    await sender.send('mediator', [delivery('delayed', { text: 'snow \u2603 \uFFFF \uD800' })], { delayMs: 1500 });
    assert.equal((await attributesOf(setup!.queueUrl)).ApproximateNumberOfMessagesDelayed, '1');
    const { Messages = [] } = await client.send(new ReceiveMessageCommand({ QueueUrl: setup!.queueUrl, WaitTimeSeconds: 5 }));
    assert.ok(Date.now() - sentAt >= 1900, `held back for the delay, rounded up to 2 s (${Date.now() - sentAt} ms)`);
    assert.doesNotMatch(Messages[0]!.Body!, /[\uFFFF\uD800]/, 'characters SQS refuses in a body travel escaped');
    assert.deepEqual(JSON.parse(Messages[0]!.Body!), { type: 'please-test', id: 'delayed', dateCreated: 0, text: 'snow \u2603 \uFFFF \uD800' });
  });

  it('names a queue that does not exist, and how it comes to exist', async () => {
    const sender = sqsSender({ client, prefix: newPrefix(), urls: queueUrls(client) });
    await assert.rejects(sender.send('mediator', [delivery('x')]), /SQS queue q[0-9a-f]+-mediator does not exist: create the queues first \(dataflow aws setup, or setUpQueues\)/);
  });
});

describe('SQS names and limits', () => {
  it('names queues from the prefix, DATAFLOW_AWS_PREFIX, or dataflow', () => {
    assert.equal(queueNameOf(awsPrefix(undefined, {}), 'gif-creator'), 'dataflow-gif-creator');
    assert.equal(queueNameOf(awsPrefix(undefined, { DATAFLOW_AWS_PREFIX: 'staging' }), 'mediator'), 'staging-mediator');
    assert.equal(deadLetterQueueNameOf(awsPrefix('prod'), 'mediator'), 'prod-mediator-dlq');
    assert.throws(() => queueNameOf('dataflow', 'gif.creator'), /consumer "gif\.creator" cannot name an SQS queue: "dataflow-gif\.creator-dlq" must be at most 80 letters/);
    assert.throws(() => queueNameOf('dataflow', 'x'.repeat(72)), /must be at most 80/);
    assert.throws(() => awsPrefix('-bad'), /the AWS prefix must be 1 to 40 letters/);
  });

  it('clamps delays to SQS\'s limits: 15 minutes for a send, 11 h 45 min for a retry, in whole seconds', () => {
    assert.deepEqual([0, 1, 999, 1000, 1001, 900_000, 3_600_000].map(delaySecondsOf), [0, 1, 1, 1, 2, 900, 900]);
    assert.deepEqual([0, -5, 30, 1000, 300_000, 12 * 3_600_000].map(visibilitySecondsOf), [0, 0, 1, 1, 300, 42_300]);
  });
});
