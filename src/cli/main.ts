#!/usr/bin/env node
/** The `dataflow` command. */
import { parseArgs } from 'node:util';
import { dashboardCommand } from './commands/dashboard.js';
import { failedCommand } from './commands/failed.js';
import { invokeCommand } from './commands/invoke.js';
import { migrateCommand } from './commands/migrate.js';
import { pruneCommand } from './commands/prune.js';
import { redriveCommand } from './commands/redrive.js';
import { runCommand } from './commands/run.js';
import { sendCommand } from './commands/send.js';
import { traceCommand } from './commands/trace.js';
import { parseDuration } from './duration.js';
import { parseRoles } from './roles.js';
import { checkUrlSettings } from './url-settings.js';

const usage = `Usage: dataflow <command>

  run [--once] [--role r]  run the schedule, the mediator and the workers, and serve the
                           dashboard (--dashboard-port n|0|off, default 7070); --once does one
                           round and exits when the flow is idle; --role (repeatable) picks
                           mediator, scheduler, worker:<name> or all (cluster runtime)
  dashboard [--port n]     the dashboard alone, on the flow's state
  send <file|->            inject a message, an array or JSON lines; run until idle; print
                           every message that passed as JSON lines; --timeout 10m gives up
                           after that long (on the cluster it also gives up when work waits
                           30 s in a queue no process consumes)
  invoke <worker> <file>   run one worker on one message and print its reply
  failed [--limit n]       list dead-lettered messages with their reasons
  redrive <id…|--all>      send dead letters again and run until idle
  trace <message-id>       the causal tree the message belongs to, from its root cause
  migrate                  bring the cluster's PostgreSQL schema up to date (processes also
                           do it when they start)
  prune --older-than 30d   remove done messages settled longer ago (s, m, h or d); pending and
                           dead ones, their causes and what open fan-ins need stay

Options: --flow <module> (every command: the flow to run, a .js/.mjs file whose default export
or export named flow is a flow or a function of the ports that returns one; default the weather
flow), --verbose, --help
Environment: DATAFLOW_FLOW (the flow module, also the config file's "flow" key), DATAFLOW_DIR (data folder, default ./.dataflow), DATABASE_URL (a postgres:// URL:
the cluster runtime), DATAFLOW_BLOBS (file:///folder or s3://bucket/prefix), SMTP_URL,
AERIS_CLIENT_ID, AERIS_CLIENT_SECRET, AERIS_MAPS_URL, DATAFLOW_CONFIG, DATAFLOW_RETENTION (e.g. 30d:
run prunes done messages older than that) (see the README).`;

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      once: { type: 'boolean', default: false },
      all: { type: 'boolean', default: false },
      verbose: { type: 'boolean', short: 'v', default: false },
      limit: { type: 'string', default: '100' },
      role: { type: 'string', multiple: true, default: [] },
      port: { type: 'string' },
      'dashboard-port': { type: 'string' },
      'older-than': { type: 'string' },
      timeout: { type: 'string' },
      flow: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const [command, ...rest] = positionals;
  if (values.help || !command) {
    process.stdout.write(`${usage}\n`);
    return command || values.help ? 0 : 1;
  }
  const need = (count: number, what: string) => {
    if (rest.length !== count) throw new UsageError(`dataflow ${command} needs ${what}`);
  };
  checkUrlSettings();
  // Every command takes --flow, so one setting fits all; those that only read or change state
  // (failed, trace, migrate, prune) need no flow to do it.
  const flow = values.flow;
  switch (command) {
    case 'run':
      need(0, 'no arguments');
      return runCommand({ once: values.once, verbose: values.verbose, roles: parseRoles(values.role), dashboardPort: values['dashboard-port'], flow });
    case 'dashboard':
      need(0, 'no arguments');
      return dashboardCommand({ port: values.port, flow });
    case 'send':
      need(1, 'a file, or - for stdin');
      return sendCommand(rest[0]!, { verbose: values.verbose, flow, timeoutMs: values.timeout === undefined ? undefined : parseOrUsage(() => parseDuration(values.timeout!, '--timeout')) });
    case 'invoke':
      need(2, 'a worker name and a message file');
      return invokeCommand(rest[0]!, rest[1]!, { flow });
    case 'failed': {
      const limit = Number(values.limit);
      if (!Number.isInteger(limit) || limit < 1) throw new UsageError(`--limit must be a positive whole number, got ${values.limit}`);
      return failedCommand({ limit });
    }
    case 'migrate':
      need(0, 'no arguments');
      return migrateCommand();
    case 'prune': {
      need(0, 'no arguments, and --older-than');
      if (values['older-than'] === undefined) throw new UsageError('dataflow prune needs --older-than, e.g. --older-than 30d');
      return pruneCommand({ olderThanMs: parseOrUsage(() => parseDuration(values['older-than']!, '--older-than')) });
    }
    case 'trace':
      need(1, 'a message id');
      return traceCommand(rest[0]!);
    case 'redrive':
      if (values.all === rest.length > 0) throw new UsageError('dataflow redrive needs message ids, or --all');
      return redriveCommand(values.all ? 'all' : rest, { verbose: values.verbose, flow });
    default:
      throw new UsageError(`unknown command ${JSON.stringify(command)}`);
  }
}

class UsageError extends Error {}

/** A flag that does not parse is a usage error: the help follows the message. */
function parseOrUsage<T>(parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

main(process.argv.slice(2))
  .then(
    (code) => {
      process.exitCode = code;
    },
    (error: Error) => {
      process.stderr.write(`dataflow: ${error.message}\n`);
      if (error instanceof UsageError) process.stderr.write(`\n${usage}\n`);
      process.exitCode = error instanceof UsageError ? 64 : 1;
    },
  )
  .finally(() => {
    // Whatever a failed start left open (a pool, a server), the command is over: output has a
    // moment to drain, then the process ends.
    setTimeout(() => process.exit(), 2000).unref();
  });
