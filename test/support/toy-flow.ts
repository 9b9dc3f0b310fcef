/** A small flow for testing the core: `please-double` asks a worker to double a number. */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { diskBlobStore } from '../../src/adapters/disk/blob-store.js';
import { inProcessTransport } from '../../src/adapters/in-process/transport.js';
import { openSqliteStateStore } from '../../src/adapters/sqlite/state-store.js';
import { NonRetriableError, createRuntime, defineFlow, defineMediator, defineMessage, defineWorker, message, when, type FlowEvent } from '../../src/index.js';

export const PleaseDouble = defineMessage('please-double', z.object({ n: z.number(), fail: z.enum(['never', 'twice', 'always', 'fatal', 'while-broken']).default('never'), raw: z.string().optional() }), {
  key: () => 'k',
  time: (m) => m.n,
});
export const DidDouble = defineMessage('did-double', z.object({ n: z.number(), result: z.number() }), { key: () => 'k', time: (m) => m.n });
export const PleaseReport = defineMessage('please-report', z.object({ text: z.string() }));
export const DidReport = defineMessage('did-report', z.object({ text: z.string() }));

/** The toy flow and the knobs its worker reads. */
export function toyFlow() {
  const calls = new Map<number, number>();
  /** Numbers whose `while-broken` messages fail, until a test mends them. */
  const broken = new Set<number>();
  const doubler = defineWorker({
    name: 'doubler',
    accepts: PleaseDouble,
    replies: DidDouble,
    retry: { maxAttempts: 3 },
    concurrency: 4,
    async handle(m, { blobs }) {
      const count = (calls.get(m.n) ?? 0) + 1;
      calls.set(m.n, count);
      if (m.fail === 'always' || (m.fail === 'twice' && count <= 2) || (m.fail === 'while-broken' && broken.has(m.n))) throw new Error(`flaky failure ${count}`);
      if (m.fail === 'fatal') throw new NonRetriableError('this input can never work');
      await blobs.put(`n-${m.n}.txt`, Buffer.from(String(m.n * 2)));
      return { n: m.n, result: m.n * 2 };
    },
  });
  const reporter = defineWorker({
    name: 'reporter',
    accepts: PleaseReport,
    replies: DidReport,
    async handle(m) {
      return { text: m.text };
    },
  });
  const mediator = defineMediator({
    name: 'mediator',
    rules: [when(DidDouble, async (m) => [message(PleaseReport, { text: `${m.n} doubled is ${m.result}` })])],
  });
  const flow = defineFlow({ name: 'toy', workers: [doubler, reporter], mediator, messages: [DidReport] });
  return { flow, calls, broken };
}

export async function toyRuntime() {
  const { flow, calls, broken } = toyFlow();
  const dir = await mkdtemp(join(tmpdir(), 'dataflow-toy-'));
  const runtime = createRuntime({
    flow,
    state: openSqliteStateStore(':memory:'),
    blobs: diskBlobStore(dir),
    transport: inProcessTransport(),
    retry: { baseDelayMs: 5, maxDelayMs: 20 },
  });
  const events: FlowEvent[] = [];
  runtime.on((e) => events.push(e));
  await runtime.start();
  return { runtime, events, calls, broken, dir };
}
