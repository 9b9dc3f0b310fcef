/** Asks for the configured maps on a cron schedule (the talk fetched every 7 minutes). */
import type { FlowSchedule } from 'dataflow';
import type { MapRequest, WeatherConfig } from './config.js';

/** The `please-fetch-amp-image` messages of one round: one per map and valid time. */
export function fetchRound(maps: MapRequest[]): Record<string, unknown>[] {
  return maps.flatMap(({ validTimes, ...map }) => validTimes.map((validTime) => ({ type: 'please-fetch-amp-image', ...map, validTime })));
}

/** The flow's schedule: one round of the configured maps on the config's cron expression. */
export function weatherSchedule(config: WeatherConfig['schedule']): FlowSchedule {
  return { cron: config.cron, inputs: () => fetchRound(config.maps) };
}
