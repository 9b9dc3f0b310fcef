/** `dataflow failed`: the dead letters, each with its reason. */
import { openState } from '../app.js';
import { createOutput } from '../output.js';
import type { Settings } from '../settings.js';

export async function failedCommand(settings: Settings, options: { limit: number }): Promise<number> {
  const state = await openState(settings);
  const output = createOutput();
  try {
    const dead = await state.find({ status: 'dead', limit: options.limit });
    if (dead.length === 0) output.say('no dead letters');
    for (const m of dead) {
      output.record(
        { id: m.id, type: m.type, reason: m.reason, attempts: m.attempts, causedBy: m.causedBy, failedAt: new Date(m.updatedAt).toISOString(), message: m.body },
        `${m.id}  ${m.type}  ${new Date(m.updatedAt).toISOString()}  tries ${m.attempts}\n  ${m.reason}`,
      );
    }
    return 0;
  } finally {
    await state.close();
  }
}
