/**
 * The code asset the stack ships, run as Lambda would run it, on moto: the weather flow's bundle,
 * in a folder of its own outside the project (so nothing resolves from the project's
 * node_modules), loaded by a plain `node` with the thumbnail-creator's function environment and
 * called with the SQS event of a real please-create-thumbnail. The thumbnail is made by the sharp
 * copied into the asset, stored under the worker's prefix, and its reply reaches the mediator's queue.
 */
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { GetQueueUrlCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import sharp from 'sharp';
import { recordOf } from '../../src/adapters/sqs/event-records.js';
import { emptyBucket } from '../../src/deploy/aws/empty-bucket.js';
import { bundleForLambda, type LambdaBundle } from '../../src/deploy/aws/lambda-bundle.js';
import { openAwsRuntime, type AwsRuntime } from '../../src/runtimes/aws/runtime.js';
import { readAwsSettings } from '../../src/runtimes/aws/settings.js';
import { setUpAws } from '../../src/runtimes/aws/setup.js';
import { startAwsWorld, T0, type AwsWorld } from '../support/aws-weather.js';
import { skipWithoutMoto } from '../support/moto.js';
import { WEATHER_MODULE, weatherDeployment } from './weather-stack.js';

const skip = await skipWithoutMoto();

describe('the functions’ code asset', { skip }, () => {
  let world: AwsWorld;
  let bundle: LambdaBundle;
  let sender: AwsRuntime;
  const dir = mkdtempSync(join(tmpdir(), 'dataflow-asset-'));

  before(async () => {
    world = await startAwsWorld();
    bundle = bundleForLambda({ flowModule: WEATHER_MODULE, outDir: join(dir, 'task') });
    const settings = readAwsSettings({ ...process.env, ...world.env });
    const { flow } = await weatherDeployment();
    await setUpAws({ settings, consumers: flow.consumers() });
    sender = await openAwsRuntime({ settings, consumers: () => [] });
  });
  after(async () => {
    await sender?.stop();
    await world?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('holds sharp with its linux-x64 binary, copied rather than installed', () => {
    assert.deepEqual(bundle.nativePackages, ['sharp']);
  });

  it('makes a thumbnail from a please-create-thumbnail event, with the flow bundled in and sharp from the asset', async () => {
    const prefix = world.env.DATAFLOW_AWS_PREFIX!;
    const bucket = `${prefix}-blobs`;
    const s3 = new S3Client({ forcePathStyle: true });
    const sqs = new SQSClient({});
    const frame = await sharp({ create: { width: 64, height: 48, channels: 3, background: { r: 10, g: 90, b: 200 } } }).png().toBuffer();
    const Key = 'amp-image-fetcher/test/frame.png';
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key, Body: frame, ContentType: 'image/png' }));
    const { accepted, rejected } = await sender.send([{ type: 'please-create-thumbnail', imageId: 'asset-test', location: { Bucket: bucket, Key }, width: 16, height: 12, validTime: T0 }]);
    assert.deepEqual(rejected, []);
    assert.equal(accepted.length, 1);

    const queueName = `${prefix}-thumbnail-creator`;
    const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: queueName }));
    const { Messages = [] } = await sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 1, WaitTimeSeconds: 10, AttributeNames: ['All'], MessageAttributeNames: ['All'] }));
    assert.equal(Messages.length, 1, `nothing came to ${queueName}`);
    const event = { Records: [recordOf(Messages[0]!, { arn: `arn:aws:sqs:us-east-1:123456789012:${queueName}`, region: 'us-east-1' })] };

    // As Lambda: a plain node in the task folder, the function's environment, the module's handler.
    const code = `const { handler } = await import(${JSON.stringify(pathToFileURL(join(bundle.dir, 'consumer.mjs')).href)});
process.stdout.write(JSON.stringify(await handler(JSON.parse(process.env.EVENT))));
process.exit(0);`;
    const env = { PATH: process.env.PATH, ...world.env, DATAFLOW_CONSUMER: 'thumbnail-creator', EVENT: JSON.stringify(event) };
    const ran = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) =>
      execFile(process.execPath, ['--input-type=module', '-e', code], { cwd: bundle.dir, env, timeout: 120_000 }, (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr })),
    );
    assert.equal(ran.code, 0, ran.stderr);
    assert.deepEqual(JSON.parse(ran.stdout), { batchItemFailures: [] });

    const listed = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: 'thumbnail-creator/' }));
    assert.equal(listed.Contents?.length, 1, 'no thumbnail under the worker’s prefix');
    const stored = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: listed.Contents![0]!.Key! }));
    const meta = await sharp(Buffer.from(await stored.Body!.transformToByteArray())).metadata();
    assert.deepEqual([meta.width, meta.height], [16, 12]);

    const mediator = await sqs.send(new GetQueueUrlCommand({ QueueName: `${prefix}-mediator` }));
    const replies = await sqs.send(new ReceiveMessageCommand({ QueueUrl: mediator.QueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 10 }));
    assert.ok(replies.Messages?.some((m) => m.Body?.includes('"did-create-thumbnail"')), 'no did-create-thumbnail reached the mediator’s queue');
    s3.destroy();
    sqs.destroy();
  });

  it('is emptied out of its bucket before the stack goes (destroy aws): every object, a missing bucket none', async () => {
    const bucket = `${world.env.DATAFLOW_AWS_PREFIX}-blobs`;
    const s3 = new S3Client({ forcePathStyle: true });
    const before = (await s3.send(new ListObjectsV2Command({ Bucket: bucket }))).KeyCount ?? 0;
    assert.ok(before >= 2, `the bucket holds ${before} objects`);
    assert.equal(await emptyBucket(bucket, s3), before);
    assert.equal((await s3.send(new ListObjectsV2Command({ Bucket: bucket }))).KeyCount, 0);
    assert.equal(await emptyBucket(`${bucket}-none`, s3), 0);
    s3.destroy();
  });
});
