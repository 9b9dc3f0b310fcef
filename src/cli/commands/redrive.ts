/** `dataflow redrive <id…|--all>`: sends dead letters again and runs the flow until it is idle. */
import { openApp } from '../app.js';
import { createOutput } from '../output.js';

export async function redriveCommand(ids: string[] | 'all', options: { verbose: boolean }): Promise<number> {
  const app = await openApp();
  const { runtime } = app;
  const output = createOutput({ verbose: options.verbose });
  let dead = 0;
  runtime.on(output.event);
  runtime.on((event) => void (event.kind === 'dead' && dead++));
  await runtime.start();
  const revived = await runtime.redrive(ids);
  const missing = ids === 'all' ? [] : ids.filter((id) => !revived.some((m) => m.id === id));
  for (const id of missing) output.say(`${id} is not a dead letter; left as it is`);
  output.say(`re-driving ${revived.length} message(s)`);
  await runtime.idle();
  await app.close();
  return dead > 0 || missing.length > 0 ? 2 : 0;
}
