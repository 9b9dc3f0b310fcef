/**
 * The weather flow on the AWS runtime against moto, for tests: moto behind the proxy that hands it
 * DynamoDB calls in turn (see moto-dynamodb.ts), the resources made by `dataflow aws setup`
 * itself, and the runtime that hosts the handlers with 4 batches at once per queue.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { simpleParser, type ParsedMail } from 'mailparser';
import { openAwsRuntime, type AwsRuntime, type AwsRuntimeOptions } from '../../src/runtimes/aws/runtime.js';
import { readAwsSettings } from '../../src/runtimes/aws/settings.js';
import type { FlowEvent } from '../../src/index.js';
import { runDataflow, type Ran } from './cli.js';
import { serialDynamoProxy, type SerialDynamo } from './moto-dynamodb.js';
import { startMoto, type Moto } from './moto.js';

export const T0 = Date.UTC(2017, 5, 1, 16);

export interface AwsWorld {
  moto: Moto;
  proxy: SerialDynamo;
  /** The environment the resources are named and reached with: give it to `dataflow` and the runtime. */
  env: Record<string, string>;
  cwd: string;
  dataflow(args: string[], options?: { input?: string; timeoutMs?: number }): Promise<Ran>;
  stop(): Promise<void>;
}

export async function startAwsWorld(): Promise<AwsWorld> {
  const moto = await startMoto();
  const proxy = await serialDynamoProxy(moto);
  const env = {
    AWS_ACCESS_KEY_ID: 'testing',
    AWS_SECRET_ACCESS_KEY: 'testing',
    AWS_REGION: 'us-east-1',
    AWS_ENDPOINT_URL: proxy.endpoint,
    DATAFLOW_AWS_PREFIX: `t${randomBytes(3).toString('hex')}`,
    DATAFLOW_SES_FROM: 'dataflow@example.com',
    DATAFLOW_EMAIL_TO: 'forecast@example.com',
    DATAFLOW_THUMBNAIL_SIZE: '16x16',
    DATAFLOW_RETRY: 'baseDelayMs=1000,maxDelayMs=2000',
    DATAFLOW_LOG_LEVEL: 'warn',
    NODE_NO_WARNINGS: '1',
  };
  // The SDK clients the runtime makes in this process read these.
  Object.assign(process.env, env);
  const cwd = await mkdtemp(join(tmpdir(), 'dataflow-aws-'));
  return {
    moto,
    proxy,
    env,
    cwd,
    dataflow: (args, options = {}) => runDataflow(args, { cwd, env, ...options }),
    async stop() {
      await proxy.close();
      await moto.stop();
    },
  };
}

export async function openWeatherOnAws(world: AwsWorld, options: Partial<Omit<AwsRuntimeOptions, 'settings'>> = {}): Promise<{ runtime: AwsRuntime; events: FlowEvent[]; heardAt: Map<FlowEvent, number> }> {
  const runtime = await openAwsRuntime({
    settings: readAwsSettings({ ...process.env, ...world.env }),
    waitTimeSeconds: 1,
    batchSize: 2,
    retry: { baseDelayMs: 1000, maxDelayMs: 2000 },
    ...options,
  });
  const events: FlowEvent[] = [];
  const heardAt = new Map<FlowEvent, number>();
  runtime.on((event) => {
    events.push(event);
    heardAt.set(event, Date.now());
  });
  await runtime.start();
  return { runtime, events, heardAt };
}

/** 20 frames of one imageId, their valid times shuffled, put in the bucket: did-fetch-amp-image messages to send. */
export async function framesOf(runtime: AwsRuntime, imageId: string, count = 20) {
  const bucket = runtime.context.settings.names.bucket;
  const minutes = Array.from({ length: count }, (_, i) => (i * 7) % count);
  return Promise.all(
    minutes.map(async (m) => {
      const location = { Bucket: bucket, Key: `amp-image-fetcher/${imageId}/${m}.png` };
      const png = await sharp({ create: { width: 32, height: 24, channels: 3, background: { r: m * 12, g: 80, b: 200 - m * 8 } } }).png().toBuffer();
      await runtime.blobs.put(location, png);
      return { type: 'did-fetch-amp-image', imageId, validTime: T0 + m * 600_000, location };
    }),
  );
}

/** The mails SES sent, read back from moto and parsed. */
export async function sentMails(moto: Moto): Promise<ParsedMail[]> {
  const raw = ((await moto.data()).ses?.RawMessage ?? []) as { raw_data: string }[];
  return Promise.all(raw.map((message) => simpleParser(message.raw_data, { keepCidLinks: true })));
}

/** The most handlings of one consumer that ran at the same time, from the done events. */
export function mostAtOnce(events: FlowEvent[], consumer: string, ends: Map<FlowEvent, number>): number {
  const spans = events.filter((e) => e.kind === 'done' && e.consumer === consumer).map((e) => [ends.get(e)! - (e as { durationMs: number }).durationMs, ends.get(e)!] as const);
  let most = 0;
  for (const [start] of spans) most = Math.max(most, spans.filter(([s, end]) => s <= start && start < end).length);
  return most;
}
