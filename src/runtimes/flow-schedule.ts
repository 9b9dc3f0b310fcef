/** Fires a flow's schedule in a long-lived process: croner's timer, in UTC. */
import { Cron } from 'croner';
import type { FlowSchedule } from '../core/flow.js';

export interface RunningSchedule {
  stop(): void;
  nextRun(): Date | null;
}

/**
 * Calls `send` with the inputs of each tick; an error goes to `onError` and the schedule goes on.
 * A tick that is still sending when the next is due is not run twice (croner's `protect`).
 */
export function startFlowSchedule(schedule: FlowSchedule, send: (inputs: unknown[]) => Promise<unknown>, onError: (error: Error) => void): RunningSchedule {
  const job = new Cron(schedule.cron, { timezone: 'UTC', protect: true, catch: (error) => onError(error as Error) }, async () => {
    await send(schedule.inputs(Date.now()));
  });
  return { stop: () => job.stop(), nextRun: () => job.nextRun() };
}
