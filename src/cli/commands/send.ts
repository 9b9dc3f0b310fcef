/**
 * `dataflow send <file|->`: injects messages, runs the flow until it is idle, and prints every
 * message that passed as JSON lines.
 */
import { openApp } from '../app.js';
import { createOutput } from '../output.js';
import { readMessages } from './read-input.js';

export async function sendCommand(source: string, options: { verbose: boolean }): Promise<number> {
  const inputs = await readMessages(source);
  const app = await openApp();
  const { runtime } = app;
  const progress = createOutput({ human: true, verbose: options.verbose });
  let dead = 0;
  runtime.on((event) => {
    if (event.kind === 'done') process.stdout.write(`${JSON.stringify(event.message)}\n`);
    if (event.kind === 'dead') dead++;
    if (process.stderr.isTTY || event.kind === 'dead' || event.kind === 'retry') progress.event(event);
  });
  await runtime.start();
  const { rejected } = await runtime.send(inputs);
  for (const r of rejected) progress.say(`message ${r.index + 1} of ${inputs.length} rejected (kept as dead letter ${r.id}): ${r.reason}`);
  await runtime.idle();
  await app.close();
  return dead > 0 || rejected.length > 0 ? 2 : 0;
}
