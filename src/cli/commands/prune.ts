/**
 * `dataflow prune --older-than 30d`: removes the done messages settled longer ago than that, on
 * whichever runtime the environment chooses. What is still needed stays (see `StateStore.prune`).
 */
import { openState } from '../app.js';
import { createOutput } from '../output.js';
import type { Settings } from '../settings.js';

export async function pruneCommand(settings: Settings, options: { olderThanMs: number; now?: number }): Promise<number> {
  const state = await openState(settings);
  const output = createOutput();
  try {
    if (!state.prune) throw new Error('this state store cannot prune');
    const before = (options.now ?? Date.now()) - options.olderThanMs;
    const removed = await state.prune(before);
    output.record(
      { event: 'pruned', removed, before: new Date(before).toISOString() },
      `removed ${removed} done message(s) settled before ${new Date(before).toISOString()}; kept pending and dead messages, their causes, and what open fan-ins need`,
    );
    return 0;
  } finally {
    await state.close();
  }
}
