/**
 * The CloudWatch metrics and logs of the AWS handlers, on moto (which stores EMF lines but
 * extracts no metric from them): the lines are read back as CloudWatch would read them, and the
 * numbers compared with what the flow did.
 *
 * - The local host (`dataflow run --runtime aws`) with DATAFLOW_EMF naming a file: a whole flow,
 *   a poison frame among it.
 * - The deployment's Lambda entry in a process of its own, with a Lambda environment and a context
 *   object per invocation: EMF on standard output, Powertools' JSON logs, no secret in either.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { HeadObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { Location, Message } from '../../src/index.js';
import { openAwsRuntime } from '../../src/runtimes/aws/runtime.js';
import { readAwsSettings } from '../../src/runtimes/aws/settings.js';
import { T0, framesOf, startAwsWorld, type AwsWorld } from '../support/aws-weather.js';
import { runDataflow } from '../support/cli.js';
import { readEmf, sumOf, valuesOf } from '../support/emf.js';
import { skipWithoutMoto } from '../support/moto.js';

const skip = await skipWithoutMoto();
let world: AwsWorld | undefined;
const AERIS = { AERIS_CLIENT_ID: 'aeris-client-id-7f3a', AERIS_CLIENT_SECRET: 'aeris-Secret/9b2e+c' };

before(async () => {
  if (skip) return;
  world = await startAwsWorld();
  const setup = await runDataflow(['aws', 'setup'], { cwd: world.cwd, env: { ...world.env, ...AERIS } });
  assert.equal(setup.code, 0, setup.stderr);
  assert.match(setup.stdout, new RegExp(`secret settings AERIS_CLIENT_ID, AERIS_CLIENT_SECRET stored in SSM parameter /${world.env.DATAFLOW_AWS_PREFIX}/secrets`));
});
after(async () => {
  await world?.stop();
});

describe('CloudWatch metrics and logs of the AWS handlers, on moto', { skip, timeout: 240_000 }, () => {
  it('the local host writes EMF to the file DATAFLOW_EMF names: messages, durations, dead letters and GIF sizes match what the flow did', async () => {
    const file = join(world!.cwd, 'metrics', 'emf.jsonl');
    const settings = readAwsSettings({ ...process.env, ...world!.env, DATAFLOW_EMF: file });
    const runtime = await openAwsRuntime({ settings, waitTimeSeconds: 1, batchSize: 2, retry: { baseDelayMs: 200, maxDelayMs: 400 } });
    const s3 = new S3Client({ forcePathStyle: true });
    try {
      await runtime.start();
      const frames = await framesOf(runtime, 'emf', 10);
      const poison = { Bucket: settings.names.bucket, Key: 'amp-image-fetcher/emf-poison/0.png' };
      await s3.send(new PutObjectCommand({ ...poison, Body: 'this is no image' }));
      const { accepted } = await runtime.send([...frames, { type: 'did-fetch-amp-image', imageId: 'emf-poison', validTime: T0, location: poison }]);
      await runtime.settled(accepted.map((m) => m.id), { timeoutMs: 120_000 });
      await runtime.idle();
      const messages = await runtime.descendants(accepted.map((m) => m.id));
      const emf = readEmf(await readFile(file, 'utf8'));
      assert.ok(emf.length > 0, 'EMF lines were written');
      assert.ok(emf.every((d) => d.namespace === 'Dataflow' && d.dimensions.service === settings.names.prefix));

      const done = messages.filter((m) => m.status === 'done');
      assert.equal(sumOf(emf, 'Messages', { outcome: 'done' }), done.length, `a flow of ${done.length} handled messages gives Messages done = ${done.length}`);
      for (const consumer of runtime.flow.consumers().map((c) => c.name)) {
        const handled = done.filter((m) => runtime.flow.route(m.type) === consumer).length;
        assert.equal(sumOf(emf, 'Messages', { consumer, outcome: 'done' }), handled, consumer);
        assert.equal(valuesOf(emf, 'HandlerDuration', { consumer }).length, handled, `one duration per handling by ${consumer}`);
      }
      for (const type of new Set(done.map((m) => m.type))) {
        assert.equal(sumOf(emf, 'MessagesByType', { type, outcome: 'done' }), done.filter((m) => m.type === type).length, type);
      }

      const dead = messages.filter((m) => m.status === 'dead');
      assert.deepEqual(dead.map((m) => m.type), ['please-create-thumbnail']);
      const thumbnailer = runtime.flow.route('please-create-thumbnail')!;
      assert.equal(sumOf(emf, 'DeadLetters'), 1);
      assert.equal(sumOf(emf, 'DeadLetters', { consumer: thumbnailer }), 1, 'the poison frame dead-lettered by the thumbnail worker');
      assert.equal(sumOf(emf, 'Messages', { consumer: thumbnailer, outcome: 'dead' }), 1);
      assert.equal(sumOf(emf, 'Messages', { consumer: thumbnailer, outcome: 'retry' }), dead[0]!.attempts - 1, 'each attempt before the last was a retry');

      const gifs = done.filter((m) => m.type === 'did-create-gif').map((m) => (m.body as Message).location as Location);
      assert.equal(gifs.length, 2, '10 frames make 2 GIFs');
      const sizes = await Promise.all(gifs.map(async (l) => (await s3.send(new HeadObjectCommand(l))).ContentLength!));
      assert.deepEqual([...valuesOf(emf, 'GifBytes')].sort(), [...sizes].sort(), 'GifBytes is each stored GIF\'s size');
    } finally {
      s3.destroy();
      await runtime.stop();
    }
  });

  const SESSION_TOKEN = 'session-token-5f1c0a9e7b3d';
  it('the Lambda entry prints EMF and Powertools JSON logs on its output, each line with its invocation, and no secret in any', async () => {
    const invocations = join(world!.cwd, 'invocations.jsonl');
    const functionName = `${world!.env.DATAFLOW_AWS_PREFIX}-mediator`;
    const child = spawn(process.execPath, ['--conditions=source', '--import', import.meta.resolve('tsx'), fileURLToPath(new URL('../support/lambda-function.ts', import.meta.url))], {
      env: { ...process.env, ...world!.env, AWS_LAMBDA_FUNCTION_NAME: functionName, DATAFLOW_CONSUMER: 'mediator', DATAFLOW_LOG_LEVEL: 'info', DATAFLOW_TEST_INVOCATIONS: invocations, AWS_SESSION_TOKEN: SESSION_TOKEN },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const sender = await openAwsRuntime({ settings: readAwsSettings({ ...process.env, ...world!.env }), consumers: () => [] });
    try {
      await sender.start();
      // One frame's id carries the function's session token, a secret every Lambda function holds
      // in its environment (the mediator never reads the Aeris secret: only the fetcher declares
      // it): the processor logs message ids, so only the scrubbing keeps it out of the lines.
      const frames = (await framesOf(sender, 'lambda', 7)).map((f, i) => ({ ...f, id: i === 0 ? `frame-${SESSION_TOKEN}` : `frame-${i}` }));
      const { accepted } = await sender.send(frames);
      assert.equal(accepted.length, 7);
      const ids = accepted.map((m) => m.id);
      const deadline = Date.now() + 60_000;
      while ((await sender.state.find({ type: 'did-fetch-amp-image' })).filter((m) => ids.includes(m.id) && m.status === 'done').length < ids.length) {
        assert.ok(Date.now() < deadline, `the mediator function did not handle the frames in time\n${stderr}`);
        await new Promise((resolve) => setTimeout(resolve, 300));
      }
    } finally {
      child.kill('SIGTERM');
      await once(child, 'exit');
      await sender.stop();
    }
    const ran = (await readFile(invocations, 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as { requestId: string; ids: string[] });
    const invocationOf = new Map(ran.flatMap((r) => r.ids.map((id) => [id, r.requestId] as const)));

    const emf = readEmf(stdout);
    assert.equal(sumOf(emf, 'Messages', { consumer: 'mediator', outcome: 'done' }), 7);
    for (const { requestId, ids } of ran) {
      const own = emf.filter((d) => d.line.requestId === requestId);
      assert.equal(sumOf(own, 'Messages'), ids.length, `invocation ${requestId} counts its own ${ids.length} message(s), no more`);
    }

    const logs = `${stdout}\n${stderr}`.split('\n').filter((l) => l.startsWith('{') && !l.includes('"_aws"')).map((l) => JSON.parse(l) as Record<string, unknown>);
    const handled = logs.filter((l) => l.message === 'handled');
    assert.equal(handled.length, 7, stdout + stderr);
    for (const line of handled) {
      assert.equal(line.level, 'INFO');
      assert.equal(line.service, world!.env.DATAFLOW_AWS_PREFIX);
      assert.equal(line.function_name, functionName);
      assert.equal(line.consumer, 'mediator');
      assert.equal(line.type, 'did-fetch-amp-image');
      assert.equal(line.attempt, 1);
      assert.equal(typeof line.messageId, 'string');
    }
    const scrubbed = handled.find((l) => l.messageId === 'frame-[redacted]');
    assert.ok(scrubbed, 'the id carrying the secret was logged, scrubbed');
    for (const line of handled) {
      const id: string = line === scrubbed ? `frame-${SESSION_TOKEN}` : (line.messageId as string);
      assert.equal(line.function_request_id, invocationOf.get(id), `the request id of the invocation that handled ${String(line.messageId)}`);
    }
    for (const secret of [SESSION_TOKEN, ...Object.values(AERIS)]) {
      assert.ok(!stdout.includes(secret) && !stderr.includes(secret), `${secret} reached the function's output`);
      assert.ok(!stdout.includes(encodeURIComponent(secret)) && !stderr.includes(encodeURIComponent(secret)));
    }
  });
});
