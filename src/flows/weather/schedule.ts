/** Asks for the configured maps on a cron schedule (the talk fetched every 7 minutes). */
import { Cron } from 'croner';
import type { MapRequest, WeatherConfig } from './config.js';

/** The `please-fetch-amp-image` messages of one round: one per map and valid time. */
export function fetchRound(maps: MapRequest[]): Record<string, unknown>[] {
  return maps.flatMap(({ validTimes, ...map }) => validTimes.map((validTime) => ({ type: 'please-fetch-amp-image', ...map, validTime })));
}

export interface Schedule {
  stop(): void;
  nextRun(): Date | null;
}

/** Runs `send(round)` on the config's cron expression; errors go to `onError` and the schedule goes on. */
export function startSchedule(
  config: WeatherConfig['schedule'],
  send: (messages: Record<string, unknown>[]) => Promise<unknown>,
  onError: (error: Error) => void,
): Schedule {
  const job = new Cron(config.cron, { protect: true, catch: (error) => onError(error as Error) }, async () => {
    await send(fetchRound(config.maps));
  });
  return { stop: () => job.stop(), nextRun: () => job.nextRun() };
}
