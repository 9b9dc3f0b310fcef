/** `dataflow run [--once]`: the flow's schedule, the mediator and the workers in one process. */
import { openApp } from '../app.js';
import { createOutput } from '../output.js';
import { countingReport } from './run-report.js';
import { runsSchedule, type Role } from '../roles.js';
import { serveDashboard } from '../dashboard.js';
import { startPruning } from '../retention.js';
import type { Settings } from '../settings.js';
import { startFlowSchedule } from '../../runtimes/flow-schedule.js';

export async function runCommand(
  settings: Settings,
  options: { once: boolean; verbose: boolean; roles: Role[]; /** undefined: no dashboard. */ dashboardPort: number | undefined; flow?: string },
): Promise<number> {
  const retention = options.once ? undefined : settings.retentionMs;
  const app = await openApp(settings, { roles: options.roles, flow: options.flow });
  const { runtime, provided } = app;
  const output = createOutput({ verbose: options.verbose });
  const report = (provided.report ?? countingReport)({ blobs: runtime.blobs, outbox: app.outbox });
  let dead = 0;
  runtime.on(output.event);
  runtime.on(report.listen);
  runtime.on((event) => void (event.kind === 'dead' && dead++));
  output.say(`dataflow: ${provided.about ?? runtime.flow.name}; state in ${app.stateSource}; roles ${options.roles.join(', ')}`);
  await runtime.start();
  const schedule = runsSchedule(options.roles) ? runtime.flow.schedule : undefined;

  const tick = async (inputs: unknown[]) => {
    const { rejected } = await runtime.send(inputs);
    for (const r of rejected) output.say(`schedule: an input was rejected: ${r.reason}`);
  };

  if (options.once) {
    if (schedule) await tick(schedule.inputs(Date.now()));
    await runtime.idle();
    await app.close();
    const { record, text } = await report.summary();
    if (!output.human) output.record({ event: 'summary', ...record });
    output.say(`\n${text}`);
    return dead > 0 ? 2 : 0;
  }

  const port = options.dashboardPort;
  const dashboard =
    port === undefined
      ? undefined
      : await serveDashboard(
          { state: runtime.state, flow: runtime.flow, views: provided.views, blobs: runtime.blobs, onEvent: runtime.on, seesEverything: !app.cluster, redrive: runtime.redrive },
          { ...settings.dashboard, port },
          output.say,
        );
  const pruning = retention === undefined ? undefined : startPruning(runtime.state, retention, output.say);
  if (schedule) await tick(schedule.inputs(Date.now())).catch((error: Error) => output.say(`schedule: ${error.message}`));
  const timer = schedule ? startFlowSchedule(schedule, tick, (error) => output.say(`schedule: ${error.message}`)) : undefined;
  if (timer) output.say(`schedule "${schedule!.cron}"; next tick ${timer.nextRun()?.toISOString() ?? 'never'}. Ctrl-C stops.`);
  else output.say('waiting for messages. Ctrl-C stops.');
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  output.say('stopping: letting running work finish…');
  timer?.stop();
  await pruning?.stop();
  await dashboard?.close();
  await app.close();
  return 0;
}
