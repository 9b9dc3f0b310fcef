/** `dataflow run [--once]`: the schedule, the mediator and the workers in one process. */
import { openApp } from '../app.js';
import { createOutput } from '../output.js';
import { fetchRound, startSchedule } from '../../flows/weather/schedule.js';
import { describeSummary, trackOutputs } from './summary.js';

export async function runCommand(options: { once: boolean; verbose: boolean }): Promise<number> {
  const app = await openApp();
  const { runtime, config } = app;
  const output = createOutput({ verbose: options.verbose });
  const outputs = trackOutputs(runtime.paths);
  runtime.on(output.event);
  runtime.on(outputs.listen);
  output.say(`dataflow: weather GIFs; data in ${runtime.paths.dir}; maps from ${app.mapSource}`);
  await runtime.start();

  const round = async () => {
    const { rejected } = await runtime.send(fetchRound(config.schedule.maps));
    for (const r of rejected) output.say(`schedule: a configured map was rejected: ${r.reason}`);
  };

  if (options.once) {
    await round();
    await runtime.idle();
    await app.close();
    const summary = await outputs.summary();
    if (!output.human) output.record({ event: 'summary', ...summary });
    output.say(`\n${describeSummary(summary)}`);
    return summary.dead.length > 0 ? 2 : 0;
  }

  await round();
  const schedule = startSchedule(config.schedule, round, (error) => output.say(`schedule: ${error.message}`));
  output.say(`fetching ${config.schedule.maps.length} map(s) on "${config.schedule.cron}"; next round ${schedule.nextRun()?.toISOString() ?? 'never'}. Ctrl-C stops.`);
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  output.say('stopping: letting running work finish…');
  schedule.stop();
  await app.close();
  return 0;
}
