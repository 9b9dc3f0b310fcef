/**
 * `dataflow redrive <id…|--all>`: sends dead letters again and waits until everything they set off
 * has settled. On the embedded runtime it runs the flow itself; on the cluster, other processes do.
 */
import type { Settings } from '../settings.js';
import { openApp } from '../app.js';
import { createOutput } from '../output.js';

export async function redriveCommand(settings: Settings, ids: string[] | 'all', options: { verbose: boolean; flow?: string }): Promise<number> {
  const cluster = settings.runtime !== 'embedded';
  const app = await openApp(settings, { roles: cluster ? [] : ['all'], flow: options.flow });
  const { runtime } = app;
  const output = createOutput({ verbose: options.verbose });
  runtime.on(output.event);
  try {
    await runtime.start();
    const revived = await runtime.redrive(ids);
    const missing = ids === 'all' ? [] : ids.filter((id) => !revived.some((m) => m.id === id));
    for (const id of missing) output.say(`${id} is not a dead letter; left as it is`);
    output.say(`re-driving ${revived.length} message(s)`);
    const revivedIds = revived.map((m) => m.id);
    await runtime.settled(revivedIds, { onWait: (pending) => output.say(`waiting for ${pending} message(s) to settle`) });
    const dead = (await runtime.descendants(revivedIds)).filter((m) => m.status === 'dead');
    for (const m of dead) if (cluster) output.say(`✗ ${m.type} ${m.id}: ${m.reason}`);
    return dead.length > 0 || missing.length > 0 ? 2 : 0;
  } finally {
    await app.close();
  }
}
