/**
 * `dataflow send --runtime aws` when nobody receives from the queue its message goes to (no host
 * runs that consumer and no Lambda function is mapped to it): it gives up after a short grace,
 * naming the queue and how to serve it, instead of waiting for ever; and when its timeout ends
 * while the queue is not idle (a host holds messages in flight), it says what it waited for and
 * which queue holds it.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { GetQueueUrlCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { startAwsWorld, type AwsWorld } from '../support/aws-weather.js';
import { skipWithoutMoto } from '../support/moto.js';

const flow = fileURLToPath(new URL('../../examples/doubling/flow.mjs', import.meta.url));
const skip = await skipWithoutMoto();
let world: AwsWorld | undefined;

before(async () => {
  if (skip) return;
  world = await startAwsWorld();
  const setup = await world.dataflow(['aws', 'setup', '--flow', flow]);
  assert.equal(setup.code, 0, setup.stderr);
});
after(async () => world?.stop());

describe('send --runtime aws to a queue nobody receives from, on moto', { skip }, () => {
  it('gives up after the grace, naming the queue and the host to start', { timeout: 120_000 }, async () => {
    const started = Date.now();
    const sent = await world!.dataflow(['send', '--runtime', 'aws', '--flow', flow, '-'], { input: '{"type":"please-double","n":1}\n', timeoutMs: 100_000 });
    const tookMs = Date.now() - started;
    assert.notEqual(sent.code, 0, sent.stdout);
    const queue = `${world!.env.DATAFLOW_AWS_PREFIX}-doubler`;
    assert.match(sent.stderr, new RegExp(`nobody receives from the SQS queue ${queue} \\(no host runs doubler, nor does a Lambda function on that queue\\): 1 message visible and none in flight at every look for over 30 s`));
    assert.match(sent.stderr, /start dataflow run --runtime aws --role worker:doubler/);
    assert.ok(tookMs < 75_000, `it told within the grace and a few looks, not after a long wait: ${tookMs} ms`);
  });

  it('given a timeout while a queue holds messages in flight, says what it waited for and where it is', { timeout: 60_000 }, async () => {
    const queue = `${world!.env.DATAFLOW_AWS_PREFIX}-doubler`;
    // A host that took the first test's message and died holding it: in flight for two minutes.
    const sqs = new SQSClient({});
    try {
      const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: queue }));
      const { Messages = [] } = await sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, VisibilityTimeout: 120, WaitTimeSeconds: 1 }));
      assert.equal(Messages.length, 1);
    } finally {
      sqs.destroy();
    }
    const sent = await world!.dataflow(['send', '--runtime', 'aws', '--flow', flow, '--timeout', '3s', '-'], { input: '{"type":"please-double","n":2}\n' });
    assert.notEqual(sent.code, 0, sent.stdout);
    assert.match(sent.stderr, new RegExp(`gave up after 3 s with 1 message\\(s\\) still pending; waited for please-double [^,;]+, in SQS queue ${queue}: 1 visible, 1 in flight, 0 delayed`));
  });
});
