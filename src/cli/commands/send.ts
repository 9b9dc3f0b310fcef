/**
 * `dataflow send <file|->`: injects messages, waits until everything they set off has settled
 * (done or dead), and prints every message that passed as JSON lines. On the embedded runtime it
 * runs the flow itself; on the cluster runtime other processes do the work.
 */
import { openApp } from '../app.js';
import { createOutput } from '../output.js';
import { readMessages } from './read-input.js';
import type { Settings } from '../settings.js';
import { SettleWaitError } from '../../index.js';

export async function sendCommand(settings: Settings, source: string, options: { verbose: boolean; flow?: string; /** Gives up waiting after this long. */ timeoutMs?: number }): Promise<number> {
  const inputs = await readMessages(source);
  const cluster = settings.runtime !== 'embedded';
  const app = await openApp(settings, { roles: cluster ? [] : ['all'], flow: options.flow });
  const { runtime } = app;
  const progress = createOutput({ human: true, verbose: options.verbose });
  runtime.on((event) => {
    if (process.stderr.isTTY || event.kind === 'dead' || event.kind === 'retry') progress.event(event);
  });
  try {
    await runtime.start();
    const { accepted, rejected } = await runtime.send(inputs);
    for (const r of rejected) progress.say(`message ${r.index + 1} of ${inputs.length} rejected (kept as dead letter ${r.id}): ${r.reason}`);
    const ids = accepted.map((m) => m.id);
    await runtime
      .settled(ids, {
        timeoutMs: options.timeoutMs,
        onWait: (pending) => progress.say(`waiting for ${pending} message(s) to settle${cluster ? ': are the workers running? (dataflow run --role …)' : ''}`),
      })
      .catch((error: unknown) => {
        if (!(error instanceof SettleWaitError)) throw error;
        const runtimeFlag = settings.runtime === 'aws' ? ' --runtime aws' : '';
        const start = error.unserved.map((u) => `dataflow run${runtimeFlag} --role ${u.queue === runtime.flow.mediator.name ? 'mediator' : `worker:${u.queue}`}`);
        throw new Error(`${error.message}${start.length > 0 ? `; start ${start.join(' and ')}` : ''}`);
      });
    let dead = 0;
    for (const message of await runtime.descendants(ids)) {
      if (message.status === 'done') process.stdout.write(`${JSON.stringify(message.body)}\n`);
      if (message.status === 'dead') {
        dead++;
        if (cluster) progress.say(`✗ ${message.type} ${message.id}: ${message.reason}`);
      }
    }
    return dead > 0 || rejected.length > 0 ? 2 : 0;
  } finally {
    await app.close();
  }
}
