/**
 * Messages per second through the embedded runtime, beside the same hops on fastq (a plain
 * in-process work queue with no validation, no message log and no dedupe): the ratio is what
 * the runtime's guarantees cost. And beside the SQLite floor (`./sqlite-floor.ts`): the row writes
 * of as many messages, with nothing else, taking turns with ours in the same run.
 */
import fastq from 'fastq';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { z } from 'zod';
import { diskBlobStore } from '../src/adapters/disk/blob-store.js';
import { inProcessTransport } from '../src/adapters/in-process/transport.js';
import { openSqliteStateStore } from '../src/adapters/sqlite/state-store.js';
import { createRuntime, defineFlow, defineMediator, defineMessage, defineWorker, message, when } from '../src/index.js';
import { sqliteFloorSeconds } from './sqlite-floor.js';
import { median, timeMedian } from './timing.js';

/** Ours at least this share of the SQLite floor's messages per second. */
const FLOOR_GOAL = 0.5;

const PleaseWork = defineMessage('please-work', z.object({ n: z.number().int() }), { key: () => 'bench', time: (m) => m.n });
const DidWork = defineMessage('did-work', z.object({ n: z.number().int() }), { key: () => 'bench', time: (m) => m.n });
const PleaseFinish = defineMessage('please-finish', z.object({ n: z.number().int() }));
const DidFinish = defineMessage('did-finish', z.object({ n: z.number().int() }));

function benchFlow() {
  const work = defineWorker({ name: 'work', accepts: PleaseWork, replies: DidWork, concurrency: 8, handle: async (m) => ({ n: m.n }) });
  const finish = defineWorker({ name: 'finish', accepts: PleaseFinish, replies: DidFinish, concurrency: 8, handle: async (m) => ({ n: m.n }) });
  const mediator = defineMediator({ name: 'mediator', concurrency: 8, rules: [when(DidWork, async (m) => [message(PleaseFinish, { n: m.n })])] });
  return defineFlow({ name: 'bench', workers: [work, finish], mediator, messages: [DidFinish] });
}

/** Each input makes 4 hops: please-work, did-work, please-finish, did-finish. */
const HOPS = 4;

async function throughEmbedded(count: number): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'dataflow-bench-'));
  const runtime = createRuntime({
    flow: benchFlow(),
    state: openSqliteStateStore(join(dir, 'state.db')),
    blobs: diskBlobStore(join(dir, 'blobs')),
    transport: inProcessTransport(),
  });
  await runtime.start();
  await runtime.send(Array.from({ length: count }, (_, n) => ({ type: 'please-work', n })));
  await runtime.idle();
  await runtime.stop();
  await rm(dir, { recursive: true, force: true });
}

async function throughFastq(count: number): Promise<void> {
  let finished = 0;
  let done!: () => void;
  const all = new Promise<void>((resolve) => (done = resolve));
  const finishQ = fastq.promise(async (m: { n: number }) => {
    if (++finished === count) done();
    return m;
  }, 8);
  const mediatorQ = fastq.promise(async (m: { n: number }) => void finishQ.push({ n: m.n }), 8);
  const workQ = fastq.promise(async (m: { n: number }) => void mediatorQ.push({ n: m.n }), 8);
  for (let n = 0; n < count; n++) void workQ.push({ n });
  await all;
}

/** Seconds of `runs` turns each of ours and the floor, after a warm-up of both. */
async function againstFloor(count: number, runs: number): Promise<{ ours: number[]; floor: number[] }> {
  const dir = await mkdtemp(join(tmpdir(), 'dataflow-bench-floor-'));
  const turns = { ours: [] as number[], floor: [] as number[] };
  try {
    await throughEmbedded(count);
    await sqliteFloorSeconds(join(dir, 'warm-up.db'), count * HOPS);
    for (let i = 0; i < runs; i++) {
      const started = performance.now();
      await throughEmbedded(count);
      turns.ours.push((performance.now() - started) / 1000);
      turns.floor.push(await sqliteFloorSeconds(join(dir, `floor-${i}.db`), count * HOPS));
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  return turns;
}

export async function runtimeBench(): Promise<void> {
  const count = 2000;
  const turns = await againstFloor(count, 5);
  const ours = { seconds: median(turns.ours) };
  const plain = await timeMedian(3, () => throughFastq(count), { warmup: true });
  const rate = (seconds: number) => Math.round((count * HOPS) / seconds);
  console.log(`\n## Runtime: ${count} inputs x ${HOPS} hops (worker -> mediator -> worker -> mediator)\n`);
  console.log('| runtime | seconds | messages/s | ratio |');
  console.log('|---|---:|---:|---:|');
  console.log(`| dataflow embedded (validated, logged in SQLite, deduped) | ${ours.seconds.toFixed(3)} | ${rate(ours.seconds)} | 1.00 |`);
  console.log(`| fastq, same hops, nothing recorded | ${plain.seconds.toFixed(3)} | ${rate(plain.seconds)} | ${(ours.seconds / plain.seconds).toFixed(1)}x faster than ours |`);
  const floor = median(turns.floor);
  console.log(`| SQLite floor: per message a lookup, a settle and an insert, each its own transaction, nothing else | ${floor.toFixed(3)} | ${rate(floor)} | ${(ours.seconds / floor).toFixed(1)}x faster than ours |`);
  const paired = turns.ours.map((seconds, i) => turns.floor[i]! / seconds);
  const ratio = median(paired);
  console.log(
    `\n  goal: ours at least ${FLOOR_GOAL} of the SQLite floor's messages/s: ${ratio.toFixed(2)} (${ratio >= FLOOR_GOAL ? 'met' : 'not met'}), the median of ${paired.length} turns ` +
      `(${paired.map((r) => r.toFixed(2)).join(', ')}), each run of ours followed by the floor.`,
  );
}

if (import.meta.url === `file://${process.argv[1]}`) await runtimeBench();
