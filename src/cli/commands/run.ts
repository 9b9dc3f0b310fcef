/** `dataflow run [--once]`: the schedule, the mediator and the workers in one process. */
import { openApp } from '../app.js';
import { createOutput } from '../output.js';
import { fetchRound, startSchedule } from '../../flows/weather/schedule.js';
import { describeSummary, trackOutputs } from './summary.js';
import { runsSchedule, type Role } from '../roles.js';
import { dashboardPort, serveDashboard } from '../dashboard.js';
import { retentionFromEnv, startPruning } from '../retention.js';

export async function runCommand(options: { once: boolean; verbose: boolean; roles: Role[]; dashboardPort?: string }): Promise<number> {
  const retention = options.once ? undefined : retentionFromEnv();
  const app = await openApp({ roles: options.roles });
  const { runtime, config } = app;
  const output = createOutput({ verbose: options.verbose });
  const outputs = trackOutputs(runtime.blobs, app.outbox);
  runtime.on(output.event);
  runtime.on(outputs.listen);
  output.say(`dataflow: weather GIFs; state in ${app.stateSource}; maps from ${app.mapSource}; roles ${options.roles.join(', ')}`);
  await runtime.start();
  const scheduling = runsSchedule(options.roles);

  const round = async () => {
    if (!scheduling) return;
    const { rejected } = await runtime.send(fetchRound(config.schedule.maps));
    for (const r of rejected) output.say(`schedule: a configured map was rejected: ${r.reason}`);
  };

  if (options.once) {
    await round();
    await runtime.idle();
    await app.close();
    const summary = await outputs.summary();
    if (!output.human) output.record({ event: 'summary', ...summary });
    output.say(`\n${describeSummary(summary)}\n\nsee the flow, the GIFs and every message in the dashboard: npx dataflow dashboard`);
    return summary.dead.length > 0 ? 2 : 0;
  }

  const port = dashboardPort(options.dashboardPort);
  const dashboard =
    port === undefined
      ? undefined
      : await serveDashboard(
          { state: runtime.state, flow: runtime.flow, blobs: runtime.blobs, onEvent: runtime.on, seesEverything: !app.cluster, redrive: runtime.redrive },
          port,
          output.say,
        );
  const pruning = retention === undefined ? undefined : startPruning(runtime.state, retention, output.say);
  await round().catch((error: Error) => output.say(`schedule: ${error.message}`));
  const schedule = scheduling ? startSchedule(config.schedule, round, (error) => output.say(`schedule: ${error.message}`)) : undefined;
  if (schedule) output.say(`fetching ${config.schedule.maps.length} map(s) on "${config.schedule.cron}"; next round ${schedule.nextRun()?.toISOString() ?? 'never'}. Ctrl-C stops.`);
  else output.say('waiting for messages. Ctrl-C stops.');
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  output.say('stopping: letting running work finish…');
  schedule?.stop();
  await pruning?.stop();
  await dashboard?.close();
  await app.close();
  return 0;
}
