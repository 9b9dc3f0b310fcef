/**
 * The embedded runtime in a process of its own, for the attempt-counting test: one worker, one
 * message at a time, and a handler that kills its own process (SIGKILL, as the OOM killer does)
 * when the message asks for it. Every start re-delivers what is still pending.
 *
 * argv: dir [send]. With `send`, sends a killer message first, then three ordinary ones. Prints
 * `idle` when the flow has nothing left to do.
 */
import { z } from 'zod';
import { defineFlow, defineMediator, defineMessage, defineWorker } from '../../src/index.js';
import { openEmbeddedRuntime } from '../../src/embedded.js';

const [dir, send] = process.argv.slice(2);
if (!dir) throw new Error('usage: killer-child <dir> [send]');

const PleaseWork = defineMessage('please-work', z.object({ n: z.number(), kill: z.boolean() }));
const DidWork = defineMessage('did-work', z.object({ n: z.number() }));
const worker = defineWorker({
  name: 'worker',
  accepts: PleaseWork,
  replies: DidWork,
  concurrency: 1,
  async handle(m) {
    if (m.kill) process.kill(process.pid, 'SIGKILL');
    return { n: m.n };
  },
});
const flow = () => defineFlow({ name: 'killer', workers: [worker], mediator: defineMediator({ name: 'mediator', rules: [] }), messages: [DidWork] });

const runtime = openEmbeddedRuntime(flow, { dir, retry: { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 2 } });
await runtime.start();
if (send) {
  await runtime.send([
    { type: 'please-work', id: 'killer', n: 0, kill: true },
    ...[1, 2, 3].map((n) => ({ type: 'please-work', id: `ordinary-${n}`, n, kill: false })),
  ]);
}
await runtime.idle();
await runtime.stop();
process.stdout.write('idle\n');
