/** The parts of `--help` that are the same for every command: the settings each reads, and the exit codes. */
import { runtimeDefaults, runtimeEnv } from '../runtimes/env.js';

export type SettingKey = keyof typeof runtimeEnv;

const d = runtimeDefaults;

/** One line per setting: what it does and its default, as `--help` shows it. */
const settingHelp: Record<SettingKey, string> = {
  flow: "the flow module (a .js/.mjs path or a package); default the config file's \"flow\", else the weather flow",
  config: 'the config file (JSON); default ./dataflow.config.json when it exists',
  dir: `the embedded runtime's data folder; default ./${d.dir}`,
  smtpUrl: 'send mail over SMTP (smtp://, smtps://); default .eml files in <DATAFLOW_DIR>/outbox',
  databaseUrl: 'a postgres:// URL: the cluster runtime; default the embedded runtime',
  runtime: 'embedded, cluster or aws, as --runtime; default cluster when DATABASE_URL is set, else embedded (aws: see dataflow aws setup --help)',
  blobs: 'files on the cluster: file:///folder or s3://bucket/prefix; default <DATAFLOW_DIR>/blobs',
  linkExpiresSeconds: `seconds presigned links in mails stay valid (S3); default ${d.linkExpiresSeconds}`,
  schema: `the PostgreSQL schema for state (the queue's is <schema>_queue); default ${d.schema}`,
  leaseSeconds: `seconds a job may go without its lease renewed before another process takes it; default ${d.leaseSeconds}`,
  retry: 'retry policies, e.g. maxAttempts=20,email-sender.maxAttempts=40; default each worker\'s own',
  retention: 'how long run keeps done messages (30d, 12h, 90m, 45s); default forever',
  concurrency: "handlers per consumer in this process, e.g. thumbnail-creator=4,mediator=8; default each worker's own",
  logLevel: `debug, info, warn, error or silent; default ${d.logLevel}`,
  log: 'where JSON logs go: stderr or a file; default stderr, or <DATAFLOW_DIR>/dataflow.log on a terminal',
  dashboardPort: `the dashboard's port, 0 for any, off for none; default ${d.dashboardPort}`,
  dashboardHost: `the dashboard's address; default ${d.dashboardHost}`,
  dashboardToken: 'required to serve the dashboard off loopback (16 characters at least)',
};

/** What a command that loads the flow module reads. */
export const flowSettings: SettingKey[] = ['flow', 'config', 'dir', 'runtime', 'databaseUrl', 'blobs', 'smtpUrl', 'schema', 'leaseSeconds', 'linkExpiresSeconds', 'retry', 'concurrency', 'logLevel', 'log'];
/** What a command that only reads or changes state reads. */
export const stateSettings: SettingKey[] = ['flow', 'config', 'dir', 'runtime', 'databaseUrl', 'schema'];

/** The "Environment:" section of a command's help. */
export function environmentHelp(keys: readonly SettingKey[], loadsFlow: boolean): string {
  const lines = keys.map((k) => `  ${runtimeEnv[k]}\n${wrap(settingHelp[k], 6, 80)}`);
  const flow = loadsFlow
    ? wrap("The flow module may read settings of its own: see its documentation (the built-in weather flow's are in the README).", 0, 80)
    : wrap('This command only reads or changes the state, so the flow module is not loaded: --flow and DATAFLOW_FLOW are taken, as by every command, and only checked to name a file that exists.', 0, 80);
  return `\nEnvironment:\n${lines.join('\n')}\n\n${flow}\n`;
}

export const exitCodes = `
Exit codes:
  0   done
  1   the command failed: an error, a setting that cannot work, a message trace cannot find
  2   the work ran, but a message was dead-lettered or rejected (run --once, send, redrive)
  64  usage: an unknown command or option, a missing or malformed argument
`;

/** The text in lines of at most `width` characters, each indented by `indent`. */
function wrap(text: string, indent: number, width: number): string {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line && indent + line.length + 1 + word.length > width) (lines.push(line), (line = word));
    else line = line ? `${line} ${word}` : word;
  }
  lines.push(line);
  return lines.map((l) => `${' '.repeat(indent)}${l}`).join('\n');
}
