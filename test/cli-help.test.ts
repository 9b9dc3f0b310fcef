/** The command line as a person finds their way in it: help for each command, suggestions for typos, exit codes. */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { runDataflow } from './support/cli.js';

let dir = '';
const dataflow = (...args: string[]) => runDataflow(args, { cwd: dir, env: { DATAFLOW_DIR: join(dir, '.dataflow') }, timeoutMs: 60_000 });

const commands = ['run', 'send', 'invoke', 'failed', 'redrive', 'trace', 'dashboard', 'migrate', 'prune', 'init'];

describe('dataflow --help', () => {
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'dataflow-help-'));
  });

  it('lists every command and the exit codes', async () => {
    const { code, stdout } = await dataflow('--help');
    assert.equal(code, 0);
    for (const name of commands) assert.match(stdout, new RegExp(`^  ${name}\\b`, 'm'), `${name} is listed`);
    assert.match(stdout, /Exit codes:\n {2}0 {3}done\n {2}1 .*\n {2}2 .*dead-lettered or rejected.*\n {2}64 {2}usage/);
  });

  it('gives each command its own help: its arguments, its options and the settings it reads', async () => {
    const expected: Record<string, RegExp[]> = {
      run: [/--once/, /--role <role>/, /--dashboard-port <port>/, /--flow <module>/, /DATAFLOW_RETENTION/, /DATAFLOW_DASHBOARD_TOKEN/, /DATABASE_URL/],
      send: [/Usage: dataflow send \[options\] <file>/, /--timeout <duration>/, /--flow <module>/, /DATAFLOW_FLOW/, /SMTP_URL/],
      invoke: [/<worker> <file>/, /--flow <module>/],
      failed: [/--limit <n>/, /DATAFLOW_DIR/],
      redrive: [/\[ids\.\.\.\]/, /--all/, /--flow <module>/],
      trace: [/<message-id>/, /DATAFLOW_SCHEMA/],
      dashboard: [/--port <port>/, /DATAFLOW_DASHBOARD_HOST/],
      migrate: [/DATABASE_URL/, /DATAFLOW_SCHEMA/],
      prune: [/--older-than <duration>/, /DATAFLOW_DIR/],
      init: [/\[dir\]/],
    };
    for (const name of commands) {
      const { code, stdout } = await dataflow(name, '--help');
      assert.equal(code, 0, name);
      assert.match(stdout, new RegExp(`^Usage: dataflow ${name}`), `${name} --help is its own, not the global one`);
      for (const pattern of expected[name]!) assert.match(stdout, pattern, `${name} --help: ${pattern}`);
    }
  });

  it('takes --flow on the commands that only read or change the state, checks it names a file, and loads nothing of it', async () => {
    for (const name of ['failed', 'trace', 'migrate', 'prune']) {
      const { stdout } = await dataflow(name, '--help');
      assert.match(stdout, /^ +--flow <module> +the flow module, as every command takes it; checked\s+to\s+exist,\s+not\s+loaded/m, name);
      assert.match(stdout, /DATAFLOW_FLOW/, name);
      assert.match(stdout, /the flow module is not loaded/, name);
    }
    const missing = await dataflow('failed', '--flow', './no-such-flow.mjs');
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /the flow module \.\/no-such-flow\.mjs \(--flow\): no such file .*no-such-flow\.mjs/);
    // A module that would throw when loaded: it exists, so `failed` runs, and never imports it.
    await writeFile(join(dir, 'throws.mjs'), "throw new Error('loaded');\n");
    const given = await dataflow('failed', '--flow', './throws.mjs');
    assert.equal(given.code, 0, given.stderr);
    assert.doesNotMatch(given.stderr, /loaded/);
  });

  it('suggests the command or option meant, and exits 64 pointing to the help', async () => {
    const command = await dataflow('sned', 'x.json');
    assert.equal(command.code, 64);
    assert.equal(command.stderr, 'dataflow: unknown command "sned" (did you mean send?)\nsee dataflow --help\n');
    const option = await dataflow('failed', '--limt', '3');
    assert.equal(option.code, 64);
    assert.equal(option.stderr, 'dataflow: unknown option "--limt" (did you mean --limit?)\nsee dataflow failed --help\n');
    const missing = await dataflow('invoke', 'doubler');
    assert.equal(missing.code, 64);
    assert.match(missing.stderr, /missing required argument "file"\nsee dataflow invoke --help/);
  });

  it('dataflow help <command> is that command\'s --help', async () => {
    const help = await dataflow('help', 'prune');
    assert.equal(help.code, 0);
    assert.equal(help.stdout, (await dataflow('prune', '--help')).stdout);
    assert.match(help.stdout, /^Usage: dataflow prune/);
  });

  it('alone, shows the help on stderr and exits 64; --version prints the version', async () => {
    const alone = await dataflow();
    assert.equal(alone.code, 64);
    assert.match(alone.stderr, /^Usage: dataflow /);
    const { version } = JSON.parse(await readFile(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
    const shown = await dataflow('--version');
    assert.equal(shown.code, 0);
    assert.equal(shown.stdout.trim(), version);
  });
});
