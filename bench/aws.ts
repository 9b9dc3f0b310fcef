/**
 * The AWS runtime, on moto: each Lambda function's bundle (built with esbuild as a deployment
 * would) and its cold start in a fresh `node` (module load plus the first handler call, one SQS
 * message), beside a fresh process doing the same message on the embedded runtime; then messages
 * per second through the local AWS host (openAwsRuntime) beside the embedded runtime, on the
 * doubling example flow, in the same run. Skipped, with the reason, when `moto_server` is missing.
 *
 * Bundles: ESM (Lambda's nodejs22.x runs `.mjs` handlers), platform node, target node22, minified.
 * The AWS SDK v3 is bundled, not left to the one Lambda's runtime ships: its version is then the
 * lock file's, and only the clients used are loaded. sharp stays external (a native module, shipped
 * in node_modules or a layer); so does better-sqlite3 for the embedded entry. The flow module is
 * its own bundle beside the handler, as the flow-module contract loads it at the cold start.
 */
import { DeleteMessageCommand, GetQueueUrlCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { build, type Plugin } from 'esbuild';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { diskBlobStore } from '../src/adapters/disk/blob-store.js';
import { recordOf } from '../src/adapters/sqs/event-records.js';
import { inProcessTransport } from '../src/adapters/in-process/transport.js';
import { openSqliteStateStore } from '../src/adapters/sqlite/state-store.js';
import { createRuntime, type Flow } from '../src/index.js';
import { openAwsRuntime } from '../src/runtimes/aws/runtime.js';
import { readAwsSettings } from '../src/runtimes/aws/settings.js';
import { setUpAws } from '../src/runtimes/aws/setup.js';
import { serialDynamoProxy } from '../test/support/moto-dynamodb.js';
import { motoUnavailable, startMoto } from '../test/support/moto.js';
import { formatBytes, printTable } from './table.js';
import { median, runNodeSnippet, timeMedian } from './timing.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const doublingFlow = join(root, 'examples/doubling/flow.mjs');
const REGION = 'us-east-1';

/** Bundled with esbuild as a Lambda deployment would be. */
interface Bundle {
  label: string;
  file: string;
  bytes: number;
}

/**
 * The built-in weather flow is found with `import.meta.resolve('dataflow/examples/weather')`, which
 * a bundle outside the package cannot answer: point it at the weather flow's own bundle beside it.
 */
const weatherBesideTheBundle: Plugin = {
  name: 'weather-beside-the-bundle',
  setup(b) {
    b.onLoad({ filter: /src[\\/]cli[\\/]load-flow\.ts$/ }, (args) => ({
      contents: readFileSync(args.path, 'utf8').replace("import.meta.resolve('dataflow/examples/weather')", "new URL('./weather-flow.mjs', import.meta.url).href"),
      loader: 'ts',
    }));
  },
};

async function bundle(label: string, entry: string, out: string, external: string[]): Promise<Bundle> {
  await build({
    entryPoints: [entry],
    outfile: out,
    bundle: true,
    platform: 'node',
    target: 'node22',
    format: 'esm',
    minify: true,
    conditions: ['source'],
    external,
    plugins: [weatherBesideTheBundle],
    // Bundled CommonJS (parts of the SDK, zod's peers) calls require: give ESM one.
    banner: { js: "import{createRequire as __cr}from'node:module';const require=__cr(import.meta.url);" },
    logLevel: 'error',
  });
  return { label, file: out, bytes: statSync(out).size };
}

/** The embedded runtime in a fresh process, as a handler: one message in, handled with its reply, then out. */
function embeddedEntrySource(dir: string): string {
  const src = (path: string) => JSON.stringify(join(root, path));
  return `
import { createRuntime } from ${src('src/index.ts')};
import { openSqliteStateStore } from ${src('src/adapters/sqlite/state-store.ts')};
import { diskBlobStore } from ${src('src/adapters/disk/blob-store.ts')};
import { inProcessTransport } from ${src('src/adapters/in-process/transport.ts')};
import flow from ${JSON.stringify(doublingFlow)};
export async function handler() {
  const runtime = createRuntime({ flow, state: openSqliteStateStore(${JSON.stringify(join(dir, 'embedded.db'))}), blobs: diskBlobStore(${JSON.stringify(join(dir, 'blobs'))}), transport: inProcessTransport() });
  await runtime.start();
  const { accepted } = await runtime.send([{ type: 'please-double', n: Number(process.env.BENCH_N) }]);
  if (accepted.length !== 1) throw new Error('the message was rejected');
  await runtime.idle();
  await runtime.stop();
}
`;
}

interface ColdStart {
  /** From spawn to exit. */
  wallMs: number;
  /** From the process's start to the bundle imported (node's own start-up included). */
  loadMs: number;
  /** The first handler call. */
  callMs: number;
}

/** A fresh `node` that imports the bundle and calls its handler once with the event. */
async function coldStartOnce(file: string, event: unknown, env: Record<string, string>): Promise<ColdStart> {
  const code = `const { handler } = await import(${JSON.stringify(pathToFileURL(file).href)});
const loaded = performance.now();
const answer = await handler(JSON.parse(process.env.BENCH_EVENT));
if (answer?.batchItemFailures?.length) throw new Error('the handler failed the message: ' + JSON.stringify(answer));
process.stdout.write(JSON.stringify({ loadMs: loaded, callMs: performance.now() - loaded }));
process.exit(0);`;
  const run = await runNodeSnippet(code, { cwd: root, env: { ...process.env, ...env, BENCH_EVENT: JSON.stringify(event ?? null) } });
  if (run.exit !== 0) throw new Error(`the cold start of ${file} failed (exit ${run.exit}): ${run.stderr.trim()}`);
  return { wallMs: run.wallMs, ...(JSON.parse(run.stdout) as { loadMs: number; callMs: number }) };
}

/**
 * A fresh please-double sent to the doubler's queue and received back as the SQS event Lambda
 * would build, with what deletes it once handled (as the event source mapping does on success).
 */
async function doublerEvent(sqs: SQSClient, queueName: string, send: (n: number) => Promise<void>, n: number) {
  await send(n);
  const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: queueName }));
  const { Messages } = await sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 1, WaitTimeSeconds: 5, AttributeNames: ['All'], MessageAttributeNames: ['All'] }));
  const received = Messages?.[0];
  if (!received) throw new Error(`no message came to ${queueName}`);
  return {
    event: { Records: [recordOf(received, { arn: `arn:aws:sqs:${REGION}:123456789012:${queueName}`, region: REGION })] },
    handled: async () => void (await sqs.send(new DeleteMessageCommand({ QueueUrl, ReceiptHandle: received.ReceiptHandle }))),
  };
}

/** The doubling flow: each pair of inputs makes 2 please-double, 2 did-double, 1 please-sum, 1 did-sum. */
const MESSAGES_PER_INPUT = 3;

async function embeddedThroughput(flow: Flow, count: number): Promise<number> {
  const dir = await mkdtemp(join(tmpdir(), 'dataflow-bench-aws-embedded-'));
  const runtime = createRuntime({ flow, state: openSqliteStateStore(join(dir, 'state.db')), blobs: diskBlobStore(join(dir, 'blobs')), transport: inProcessTransport() });
  await runtime.start();
  const started = performance.now();
  await runtime.send(Array.from({ length: count }, (_, n) => ({ type: 'please-double', n })));
  await runtime.idle();
  const seconds = (performance.now() - started) / 1000;
  const sums = (await runtime.state.find({ type: 'did-sum' })).length;
  await runtime.stop();
  await rm(dir, { recursive: true, force: true });
  if (sums !== count / 2) throw new Error(`the embedded runtime made ${sums} sums of ${count / 2}`);
  return seconds;
}

/** Inputs through the local AWS host until idle: the seconds, and the DynamoDB calls it took (from the proxy's log). */
async function hostThroughput(settings: ReturnType<typeof readAwsSettings>, flow: Flow, count: number, operations: string[]): Promise<{ seconds: number; calls: string[] }> {
  await setUpAws({ settings, consumers: flow.consumers() });
  const host = await openAwsRuntime({ settings, flow: doublingFlow, waitTimeSeconds: 1 });
  try {
    await host.start();
    const callsBefore = operations.length;
    const started = performance.now();
    await host.send(Array.from({ length: count }, (_, i) => ({ type: 'please-double', n: i })));
    await host.idle();
    const seconds = (performance.now() - started) / 1000;
    const calls = operations.slice(callsBefore);
    const sums = (await host.state.find({ type: 'did-sum' })).length;
    if (sums !== count / 2) throw new Error(`the AWS host made ${sums} sums of ${count / 2}`);
    return { seconds, calls };
  } finally {
    await host.stop();
  }
}

export async function awsBench(options: { runs?: number; inputs?: number[] } = {}): Promise<void> {
  const runs = Math.max(3, options.runs ?? 5);
  const inputs = options.inputs ?? [10, 60];
  const missing = await motoUnavailable();
  if (missing) {
    console.log(`\n  skipping the aws section: ${missing}`);
    return;
  }
  const moto = await startMoto();
  const proxy = await serialDynamoProxy(moto);
  const dir = mkdtempSync(join(tmpdir(), 'dataflow-bench-aws-'));
  // sharp and better-sqlite3 stay external: the bundles find them as a deployment's node_modules.
  symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'), 'dir');
  const saved = { ...process.env };
  try {
    const env: Record<string, string> = {
      AWS_ACCESS_KEY_ID: 'testing',
      AWS_SECRET_ACCESS_KEY: 'testing',
      AWS_REGION: REGION,
      AWS_ENDPOINT_URL: proxy.endpoint,
      DATAFLOW_AWS_PREFIX: `b${randomBytes(3).toString('hex')}`,
      DATAFLOW_LOG_LEVEL: 'warn',
      NODE_NO_WARNINGS: '1',
    };
    Object.assign(process.env, env);
    const external = ['sharp', 'better-sqlite3'];
    const flowBundle = await bundle('doubling flow module (DATAFLOW_FLOW)', doublingFlow, join(dir, 'doubling-flow.mjs'), external);
    const weatherBundle = await bundle('weather flow module (the default)', join(root, 'examples/weather/index.ts'), join(dir, 'weather-flow.mjs'), external);
    const consumerBundle = await bundle('consumer handler (one per consumer)', join(root, 'src/runtimes/aws/handlers/consumer.ts'), join(dir, 'consumer.mjs'), external);
    const scheduleBundle = await bundle('schedule handler', join(root, 'src/runtimes/aws/handlers/schedule.ts'), join(dir, 'schedule.mjs'), external);
    writeFileSync(join(dir, 'embedded-entry.mjs'), embeddedEntrySource(dir));
    const embeddedBundle = await bundle('embedded runtime, same flow bundled in', join(dir, 'embedded-entry.mjs'), join(dir, 'embedded.mjs'), external);

    // `aws setup` on a fresh prefix, for the doubling flow.
    const flow = (await import(pathToFileURL(doublingFlow).href)).default as Flow;
    const settings = readAwsSettings({ ...process.env, DATAFLOW_FLOW: flowBundle.file });
    await setUpAws({ settings, consumers: flow.consumers() });
    const sender = await openAwsRuntime({ settings, flow: doublingFlow, consumers: () => [] });
    const sqs = new SQSClient({});
    const lambdaEnv = { ...env, DATAFLOW_FLOW: flowBundle.file };
    const send = async (n: number) => void (await sender.send([{ type: 'please-double', n }]));
    const times = { consumer: [] as ColdStart[], schedule: [] as ColdStart[], embedded: [] as ColdStart[] };
    let n = 1000;
    try {
      // Warm the file cache once each, then round-robin so a slow moment falls on all alike.
      for (let run = 0; run <= runs; run++) {
        const delivery = await doublerEvent(sqs, settings.names.queueOf('doubler'), send, n++);
        const consumer = await coldStartOnce(consumerBundle.file, delivery.event, { ...lambdaEnv, DATAFLOW_CONSUMER: 'doubler' });
        await delivery.handled();
        const schedule = await coldStartOnce(scheduleBundle.file, { time: new Date(Date.UTC(2026, 0, 1, run)).toISOString(), resources: ['bench'] }, lambdaEnv);
        const embedded = await coldStartOnce(embeddedBundle.file, null, { BENCH_N: String(n++) });
        if (run === 0) continue;
        times.consumer.push(consumer);
        times.schedule.push(schedule);
        times.embedded.push(embedded);
      }
    } finally {
      await sender.stop();
      sqs.destroy();
    }
    const of = (runs: ColdStart[], part: keyof ColdStart) => median(runs.map((r) => r[part]));
    const base = of(times.embedded, 'wallMs');
    console.log(`\n## AWS: each Lambda function's bundle and its cold start (a fresh node: load plus first call), median of ${runs} runs, on moto\n`);
    const row = (b: Bundle, runs?: ColdStart[]) => [
      b.label,
      formatBytes(b.bytes),
      ...(runs ? [of(runs, 'loadMs').toFixed(0), of(runs, 'callMs').toFixed(0), of(runs, 'wallMs').toFixed(0), `${(of(runs, 'wallMs') / base).toFixed(2)}x`] : ['', '', '', '']),
    ];
    printTable(['bundle (esbuild, ESM, node22, minified)', 'size', 'load ms', 'first call ms', 'to exit ms', 'vs embedded'], [
      row(consumerBundle, times.consumer),
      row(scheduleBundle, times.schedule),
      row(flowBundle),
      row(weatherBundle),
      row(embeddedBundle, times.embedded),
    ]);
    console.log(
      '\nconsumer: the doubler function, one SQS event of one please-double; schedule: one EventBridge tick (two inputs sent);' +
        ' embedded: a fresh process that handles the same message and its reply on SQLite. @aws-sdk/* is bundled (pinned by the lock file,' +
        ' only the clients used); sharp and better-sqlite3 stay external (native modules). load: from node\'s start to the bundle imported' +
        ' (a Lambda bundle begins its cold start there, unawaited); first call: the handler until it answers (for Lambda, the cold start\'s' +
        ' SDK clients and flow module, then the message against moto on loopback); to exit: wall clock from spawn.',
    );

    // Messages per second: the host on moto beside the embedded runtime, same flow, same inputs,
    // at a few input counts, so a cost that grows with the work shows as a falling rate.
    const rows: string[][] = [];
    const calls: string[] = [];
    for (const count of inputs) {
      // On a prefix (and so a table) of its own: the cold starts and the other counts left theirs.
      const hostSettings = readAwsSettings({ ...process.env, DATAFLOW_AWS_PREFIX: `${env.DATAFLOW_AWS_PREFIX}h${count}` });
      const run = await hostThroughput(hostSettings, flow, count, proxy.operations);
      const embeddedSeconds = (await timeMedian(3, () => embeddedThroughput(flow, count), { warmup: true })).seconds;
      const messages = count * MESSAGES_PER_INPUT;
      rows.push(
        [`${count}`, 'embedded (SQLite, in-process)', embeddedSeconds.toFixed(2), String(Math.round(messages / embeddedSeconds)), '', '1.00'],
        [`${count}`, 'AWS host on moto (SQS, DynamoDB, S3)', run.seconds.toFixed(2), String(Math.round(messages / run.seconds)), (run.calls.length / messages).toFixed(1), `${(run.seconds / embeddedSeconds).toFixed(1)}x slower`],
      );
      const byOperation = new Map<string, number>();
      for (const operation of run.calls) byOperation.set(operation, (byOperation.get(operation) ?? 0) + 1);
      calls.push(`${count} inputs: ${run.calls.length} (${[...byOperation].sort((x, y) => y[1] - x[1]).map(([op, n]) => `${op} ${n}`).join(', ')})`);
    }
    console.log(`\n## AWS: the doubling flow (${MESSAGES_PER_INPUT} messages per input), all inputs at once, until idle\n`);
    printTable(['inputs', 'runtime', 'seconds', 'messages/s', 'DynamoDB calls per message', 'ratio'], rows);
    console.log(`\nDynamoDB calls on the host's runs, each one at a time through the proxy: ${calls.join('; ')}.`);
    console.log(
      'moto is not AWS: it runs every service in one Python process on loopback, and the DynamoDB proxy the tests use hands it one' +
        ' call at a time (its transactions are not atomic between threads). Its TransactWriteItems also copies the whole table once per' +
        ' item of the transaction before it begins, so each one takes longer as the table fills: the rate falls with the inputs on moto even' +
        ' at a constant number of calls per message. The ratio is the host\'s overhead on an emulator, not AWS\'s speed.' +
        ' The host\'s idle check polls queue depths every 300 ms and waits for two quiet looks.',
    );
  } finally {
    for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
    Object.assign(process.env, saved);
    await proxy.close();
    await moto.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await awsBench();
