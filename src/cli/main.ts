#!/usr/bin/env node
/**
 * The `dataflow` command: reads the settings once (see settings.ts), parses the command line (see
 * program.ts) and runs the command. Exit codes: 0 done, 1 failed, 2 dead letters or rejected
 * messages, 64 a usage error (see help-text.ts).
 */
import { readFileSync } from 'node:fs';
import { CommanderError, type Command } from 'commander';
import { secretsFromEnvironment, textScrubber } from '../observability/secrets.js';
import { buildProgram, UsageError } from './program.js';
import { readSettings, type Settings } from './settings.js';

const EXIT_USAGE = 64;

async function main(argv: string[]): Promise<number> {
  let code = 0;
  let settings: Settings | undefined;
  const program = buildProgram({
    version: (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version,
    settings: () => (settings ??= readSettings(process.env, { terminal: Boolean(process.stderr.isTTY) })),
    exit: (exitCode) => void (code = exitCode),
  });
  // Commander reports its own usage errors; they are said as ours are, below.
  // Every command, nested ones too (`aws setup`, `deploy aws`).
  const quiet = (command: Command): void => {
    command.exitOverride().configureOutput({ outputError: () => {} });
    command.commands.forEach(quiet);
  };
  quiet(program);
  try {
    await program.parseAsync(argv, { from: 'user' });
    return code;
  } catch (error) {
    if (!(error instanceof CommanderError)) throw error;
    if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version') return 0;
    // `dataflow help <command>` (0), or `dataflow` alone, which printed the help to stderr.
    if (error.code === 'commander.help') return error.exitCode === 0 ? 0 : EXIT_USAGE;
    throw new UsageError(commanderText(error.message), { cause: error });
  }
}

/** `error: unknown command 'sned'\n(Did you mean send?)` → `unknown command "sned" (did you mean send?)`. */
function commanderText(message: string): string {
  return message
    .replace(/^error: /, '')
    .replace(/'([^']*)'/g, '"$1"')
    .replace(/\s*\(Did you mean/, ' (did you mean');
}

/** The command a usage error is about, for the pointer to its help. */
function commandOf(argv: string[]): string {
  const known = ['run', 'send', 'invoke', 'failed', 'redrive', 'trace', 'dashboard', 'migrate', 'prune', 'init', 'aws', 'deploy', 'destroy'];
  const [name, sub] = argv.filter((arg) => !arg.startsWith('-'));
  if (!name || !known.includes(name)) return 'dataflow';
  const nested: Record<string, string[]> = { aws: ['setup'], deploy: ['aws'], destroy: ['aws'] };
  return sub && nested[name]?.includes(sub) ? `dataflow ${name} ${sub}` : `dataflow ${name}`;
}

// `dataflow trace … | head`: a reader that went away is no error; the command ends as Unix tools do.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code !== 'EPIPE') throw error;
  process.exit(process.exitCode ?? 0);
});

const argv = process.argv.slice(2);
main(argv)
  .then(
    (code) => {
      process.exitCode = code;
    },
    (error: Error) => {
      // An error may quote a setting: what the host knows to be secret never reaches the terminal.
      const scrub = textScrubber(secretsFromEnvironment(process.env));
      process.stderr.write(`dataflow: ${scrub(error.message)}\n`);
      if (error instanceof UsageError) process.stderr.write(`see ${commandOf(argv)} --help\n`);
      process.exitCode = error instanceof UsageError ? EXIT_USAGE : 1;
    },
  )
  .finally(() => {
    // Whatever a failed start left open (a pool, a server), the command is over: output has a
    // moment to drain, then the process ends.
    setTimeout(() => process.exit(), 2000).unref();
  });
