/**
 * The `dataflow` command's grammar, with commander: each command its arguments, its options, the
 * settings it reads (in its `--help`) and the function that runs it. Commander gives every command
 * its own help, and a mistyped command or option a suggestion.
 */
import { Command, Option } from 'commander';
import { checkChosenFlow } from './app.js';
import { dashboardCommand } from './commands/dashboard.js';
import { failedCommand } from './commands/failed.js';
import { initCommand } from './commands/init.js';
import { invokeCommand } from './commands/invoke.js';
import { migrateCommand } from './commands/migrate.js';
import { pruneCommand } from './commands/prune.js';
import { redriveCommand } from './commands/redrive.js';
import { runCommand } from './commands/run.js';
import { sendCommand } from './commands/send.js';
import { traceCommand } from './commands/trace.js';
import { parseDuration } from './duration.js';
import { environmentHelp, exitCodes, flowSettings, stateSettings, type SettingKey } from './help-text.js';
import { parseRoles } from './roles.js';
import { parsePort, withRuntime, type Settings } from './settings.js';
import { awsSetupCommand, awsSetupHelp } from './commands/aws-setup.js';
import { deployAwsCommand, deployAwsHelp, destroyAwsCommand, synthAwsCommand } from './commands/deploy-aws.js';
import { checkedStageBase, STAGES } from '../deploy/aws/stages.js';
import { runtimeDefaults } from '../runtimes/env.js';

/** A command used wrongly: the exit code is 64, and the command's help is pointed to. */
export class UsageError extends Error {
  override name = 'UsageError';
}

export interface ProgramContext {
  version: string;
  /** The settings, read and checked when a command first needs them. */
  settings(): Settings;
  /** Where a command's exit code goes. */
  exit(code: number): void;
}

const flowOption = () => new Option('--flow <module>', 'the flow module to run (see Environment: DATAFLOW_FLOW)');
/** For a command that reads or changes only the state: the same option, checked, never loaded. */
const checkedFlowOption = () => new Option('--flow <module>', 'the flow module, as every command takes it; checked to exist, not loaded');
const runtimeOption = () => new Option('--runtime <runtime>', 'embedded, cluster or aws (see Environment: DATAFLOW_RUNTIME)').choices(['embedded', 'cluster', 'aws']);
const verboseOption = () => new Option('-v, --verbose', 'also show each message as it is received');

export function buildProgram(context: ProgramContext): Command {
  const { settings } = context;
  const run = async (work: () => Promise<number>) => context.exit(await work());
  const program = new Command('dataflow')
    .description('Runs a Data Flow: a smart mediator leads dumb, stateless workers; state in a database, files in shared storage.')
    .version(context.version, '-V, --version', 'print the version')
    .helpOption('-h, --help', 'show help (every command has its own: dataflow <command> --help)')
    .helpCommand('help [command]', 'show the help of a command')
    .addHelpText('after', `${exitCodes}\nEvery setting is an environment variable: each command's --help lists those it reads.\n`);

  const command = (name: string, summary: string, env: readonly SettingKey[], loadsFlow: boolean) =>
    program
      .command(name)
      .summary(summary)
      .description(summary)
      .helpOption('-h, --help', 'show this help')
      .addHelpText('after', env.length ? environmentHelp(env, loadsFlow) : '');

  command('run', 'run the schedule, the mediator and the workers, and serve the dashboard, until Ctrl-C', [...flowSettings, 'retention', 'dashboardPort', 'dashboardHost', 'dashboardToken'], true)
    .option('--once', 'one round: fire the schedule once and exit when the flow is idle')
    .addOption(
      new Option('--role <role>', 'what this process runs: mediator, scheduler, worker:<name> or all (repeatable; other than all, the cluster or the aws runtime)')
        .default([] as string[], 'all')
        .argParser((value: string, all: string[]) => [...all, value]),
    )
    .option('--dashboard-port <port>', `the dashboard's port, 0 for any, off for none (default DATAFLOW_DASHBOARD_PORT, else ${runtimeDefaults.dashboardPort})`)
    .addOption(flowOption())
    .addOption(runtimeOption())
    .addOption(verboseOption())
    .action((options: { once?: boolean; role: string[]; dashboardPort?: string; flow?: string; verbose?: boolean; runtime?: string }) =>
      run(async () => {
        const settings = () => withRuntime(context.settings(), options.runtime);
        const roles = usage(() => parseRoles(options.role));
        const dashboardPort = options.dashboardPort === undefined ? settings().dashboard.port : usage(() => parsePort(options.dashboardPort, '--dashboard-port'));
        return runCommand(settings(), { once: Boolean(options.once), verbose: Boolean(options.verbose), roles, dashboardPort, flow: options.flow });
      }),
    );

  command('send', 'inject messages, run until everything they set off settled, and print every message that passed as JSON lines', flowSettings, true)
    .argument('<file>', 'one JSON message, a JSON array of them, or JSON lines; - for stdin')
    .option('--timeout <duration>', 'give up waiting after this long (90s, 10m, 1h); on the cluster also when work waits 30 s in a queue no process consumes')
    .addOption(flowOption())
    .addOption(runtimeOption())
    .addOption(verboseOption())
    .action((file: string, options: { timeout?: string; flow?: string; verbose?: boolean; runtime?: string }) =>
      run(async () => {
        const settings = () => withRuntime(context.settings(), options.runtime);
        const timeoutMs = options.timeout === undefined ? undefined : usage(() => parseDuration(options.timeout!, '--timeout'));
        return sendCommand(settings(), file, { verbose: Boolean(options.verbose), flow: options.flow, timeoutMs });
      }),
    );

  command('invoke', 'run one worker on one message and print its reply', flowSettings, true)
    .argument('<worker>', "the worker's name")
    .argument('<file>', 'one JSON message; - for stdin')
    .addOption(flowOption())
    .action((worker: string, file: string, options: { flow?: string }) => run(() => invokeCommand(settings(), worker, file, { flow: options.flow })));

  command('failed', 'list the dead-lettered messages with their reasons', stateSettings, false)
    .option('--limit <n>', 'the most to list', '100')
    .addOption(checkedFlowOption())
    .addOption(runtimeOption())
    .action((options: { limit: string; flow?: string; runtime?: string }) =>
      run(async () => {
        const settings = () => withRuntime(context.settings(), options.runtime);
        const limit = Number(options.limit);
        if (!/^\d+$/.test(options.limit) || limit < 1) throw new UsageError(`--limit must be a positive whole number, got ${options.limit}`);
        checkChosenFlow(settings(), options.flow);
        return failedCommand(settings(), { limit });
      }),
    );

  command('redrive', 'send dead letters again and run until everything they set off settled', flowSettings, true)
    .argument('[ids...]', 'the dead letters to send again')
    .option('--all', 'every dead letter')
    .addOption(flowOption())
    .addOption(runtimeOption())
    .addOption(verboseOption())
    .action((ids: string[], options: { all?: boolean; flow?: string; verbose?: boolean; runtime?: string }) =>
      run(async () => {
        const settings = () => withRuntime(context.settings(), options.runtime);
        if (Boolean(options.all) === ids.length > 0) throw new UsageError('redrive needs message ids, or --all');
        return redriveCommand(settings(), options.all ? 'all' : ids, { verbose: Boolean(options.verbose), flow: options.flow });
      }),
    );

  command('trace', 'print the causal tree a message belongs to, from its root cause down', stateSettings, false)
    .argument('<message-id>', "the message's id")
    .addOption(checkedFlowOption())
    .addOption(runtimeOption())
    .action((id: string, options: { flow?: string; runtime?: string }) =>
      run(async () => {
        const settings = () => withRuntime(context.settings(), options.runtime);
        checkChosenFlow(settings(), options.flow);
        return traceCommand(settings(), id);
      }),
    );

  command('dashboard', "serve the dashboard alone, on the flow's state", ['flow', 'config', 'dir', 'databaseUrl', 'blobs', 'schema', 'linkExpiresSeconds', 'logLevel', 'log', 'dashboardPort', 'dashboardHost', 'dashboardToken'], true)
    .option('--port <port>', `the port, 0 for any (default DATAFLOW_DASHBOARD_PORT, else ${runtimeDefaults.dashboardPort})`)
    .addOption(flowOption())
    .addOption(runtimeOption())
    .action((options: { port?: string; flow?: string; runtime?: string }) =>
      run(async () => {
        const settings = () => withRuntime(context.settings(), options.runtime);
        const port = options.port === undefined ? undefined : usage(() => parsePort(options.port, '--port'));
        if (options.port === 'off') throw new UsageError('--port must be a port from 0 to 65535: dataflow dashboard only serves the dashboard');
        return dashboardCommand(settings(), { port, flow: options.flow });
      }),
    );

  command('migrate', "bring the cluster's PostgreSQL schema up to date (processes also do it when they start)", ['flow', 'config', 'databaseUrl', 'schema'], false)
    .addOption(checkedFlowOption())
    .action((options: { flow?: string }) =>
      run(async () => {
        checkChosenFlow(settings(), options.flow);
        return migrateCommand(settings());
      }),
    );

  command('prune', 'remove the done messages settled longer ago than --older-than; pending and dead ones, their causes and what open fan-ins need stay', stateSettings, false)
    .option('--older-than <duration>', 'a duration: 45s, 90m, 12h, 30d (required)')
    .addOption(checkedFlowOption())
    .action((options: { olderThan?: string; flow?: string }) =>
      run(async () => {
        if (options.olderThan === undefined) throw new UsageError('dataflow prune needs --older-than, e.g. --older-than 30d');
        checkChosenFlow(settings(), options.flow);
        const olderThanMs = usage(() => parseDuration(options.olderThan!, '--older-than'));
        return pruneCommand(settings(), { olderThanMs });
      }),
    );

  const aws = program.command('aws').summary('the AWS runtime: make what its stack makes').description('the AWS runtime: make what its stack makes').helpOption('-h, --help', 'show this help');
  aws
    .command('setup')
    .summary('create the queues and their dead-letter queues, the DynamoDB table, the private bucket and the SES sender, and store the secret settings the flow declares; safe to repeat')
    .description('create the queues and their dead-letter queues, the DynamoDB table, the private bucket and the SES sender, and store the secret settings the flow declares; safe to repeat')
    .helpOption('-h, --help', 'show this help')
    .addHelpText('after', awsSetupHelp)
    .addOption(flowOption())
    .action((options: { flow?: string }) => run(() => awsSetupCommand(settings(), { flow: options.flow })));

  const stageOption = () => new Option('--stage <stage>', 'the stage: its own stack and resources, named <name>-<stage>').choices(STAGES).default('dev');
  const nameOption = () => new Option('--name <name>', 'what the stack and its resources are named from, with the stage').default('dataflow');
  const deployGroup = program.command('deploy').summary('deploy the flow as code').description('deploy the flow as code').helpOption('-h, --help', 'show this help');
  deployGroup
    .command('aws')
    .summary("deploy the flow's AWS stack with the CDK toolkit, or with --synth write its CloudFormation template (no account, no network)")
    .description("deploy the flow's AWS stack with the CDK toolkit, or with --synth write its CloudFormation template (no account, no network)")
    .helpOption('-h, --help', 'show this help')
    .addHelpText('after', deployAwsHelp)
    .addOption(stageOption())
    .addOption(nameOption())
    .option('--synth', 'only synthesize: write the cloud assembly (template and code) into --out')
    .option('--out <dir>', 'where --synth writes')
    .option('--bootstrap', 'first bootstrap the account and region for the CDK (once for each)')
    .addOption(flowOption())
    .action((options: { stage: string; name: string; synth?: boolean; out?: string; bootstrap?: boolean; flow?: string }) =>
      run(async () => {
        if (options.out !== undefined && !options.synth) throw new UsageError('--out goes with --synth (deploying writes no template of its own)');
        if (options.bootstrap && options.synth) throw new UsageError('--bootstrap goes with deploying, not with --synth (which needs no account)');
        if (options.synth && (options.out === undefined || options.out.trim() === '')) throw new UsageError('--synth needs --out <dir>, the folder to write the template into');
        const common = { stage: options.stage, name: usage(() => checkedStageBase(options.name, '--name')), flow: options.flow };
        return options.synth ? synthAwsCommand(settings(), { ...common, out: options.out! }) : deployAwsCommand(settings(), { ...common, bootstrap: Boolean(options.bootstrap) });
      }),
    );
  const destroyGroup = program.command('destroy').summary('take a deployed flow down').description('take a deployed flow down').helpOption('-h, --help', 'show this help');
  destroyGroup
    .command('aws')
    .summary("delete the flow's AWS stack for a stage (dev and staging first empty their bucket; prod keeps its table and bucket)")
    .description("delete the flow's AWS stack for a stage (dev and staging first empty their bucket; prod keeps its table and bucket)")
    .helpOption('-h, --help', 'show this help')
    .addHelpText('after', deployAwsHelp)
    .addOption(stageOption())
    .addOption(nameOption())
    .addOption(flowOption())
    .action((options: { stage: string; name: string; flow?: string }) =>
      run(() => destroyAwsCommand(settings(), { stage: options.stage, name: usage(() => checkedStageBase(options.name, '--name')), flow: options.flow })),
    );

  command('init', 'write a starter flow, its config file and its test into a folder', [], false)
    .argument('[dir]', 'the folder; made when missing', '.')
    .action((dir: string) => run(() => initCommand(dir)));

  return program;
}

/** A flag that does not parse is a usage error: the help is pointed to. */
function usage<T>(parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}
