/**
 * `--flow`: a user's own flow, in a folder of its own, importing `dataflow` by name, run by the
 * command on the embedded runtime; chosen by the flag, by DATAFLOW_FLOW or by the config file.
 */
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { runDataflow } from './support/cli.js';
import { doublingFlow, userProject } from './support/user-flow.js';

function dataflow(cwd: string, args: string[], options: { input?: string; env?: NodeJS.ProcessEnv } = {}) {
  return runDataflow(args, { cwd, env: { DATAFLOW_DIR: join(cwd, '.dataflow'), ...options.env }, input: options.input, timeoutMs: 60_000 });
}

const lines = (text: string) => text.trim().split('\n').filter(Boolean).map((line) => JSON.parse(line) as Record<string, unknown>);
const double = (n: number) => JSON.stringify({ type: 'please-double', n });

/** A factory: it reads its factor from the config file and says, in a file, that it was closed. */
const factoryFlow = `
import { writeFileSync } from 'node:fs';
import { defineFlow, defineMediator } from 'dataflow';
import { doubler } from './flow.mjs';

export const flow = async ({ mailer, blobs, settings }) => {
  if (typeof mailer.send !== 'function' || typeof blobs.put !== 'function') throw new Error('no ports');
  return {
    flow: defineFlow({ name: 'tripling', workers: [doubler(settings.config.factor)], mediator: defineMediator({ name: 'mediator', rules: [] }) }),
    close: async () => writeFileSync('closed.txt', 'closed by ' + settings.configFile),
  };
};
`;

describe('dataflow --flow', () => {
  it('send --flow ./flow.mjs - runs a flow that imports dataflow by name, and prints what passed', async () => {
    const dir = await userProject({ 'flow.mjs': doublingFlow });
    const { code, stdout, stderr } = await dataflow(dir, ['send', '--flow', './flow.mjs', '-'], { input: `${double(21)}\n${double(2)}` });
    assert.equal(code, 0, stderr);
    const passed = lines(stdout);
    assert.deepEqual(passed.filter((m) => m.type === 'did-double').map((m) => m.result).sort(), [4, 42]);
    const blob = await readFile(join(dir, '.dataflow', 'blobs', 'dataflow', 'doubler', 'n-21-times-2.txt'), 'utf8');
    assert.equal(blob, '42', 'the worker wrote through the runtime blob store');
  });

  it('takes the module from DATAFLOW_FLOW, hands a factory the ports and the config file, and closes what it opened', async () => {
    const dir = await userProject({ 'flow.mjs': doublingFlow, 'factory.mjs': factoryFlow, 'settings.json': JSON.stringify({ factor: 3 }) });
    const { code, stdout, stderr } = await dataflow(dir, ['send', '-'], { input: double(21), env: { DATAFLOW_FLOW: './factory.mjs', DATAFLOW_CONFIG: 'settings.json' } });
    assert.equal(code, 0, stderr);
    assert.equal(lines(stdout).find((m) => m.type === 'did-double')?.result, 63);
    assert.equal(await readFile(join(dir, 'closed.txt'), 'utf8'), 'closed by settings.json');
  });

  it('takes the module from the config file, and --flow beats it', async () => {
    const dir = await userProject({ 'flow.mjs': doublingFlow, 'factory.mjs': factoryFlow, 'dataflow.config.json': JSON.stringify({ flow: './flow.mjs', factor: 5 }) });
    const fromFile = await dataflow(dir, ['send', '-'], { input: double(1) });
    assert.equal(fromFile.code, 0, fromFile.stderr);
    assert.equal(lines(fromFile.stdout).find((m) => m.type === 'did-double')?.result, 2);
    const fromFlag = await dataflow(dir, ['send', '--flow', 'factory.mjs', '-'], { input: double(1) });
    assert.equal(fromFlag.code, 0, fromFlag.stderr);
    assert.equal(lines(fromFlag.stdout).find((m) => m.type === 'did-double')?.result, 5);
  });

  it('run --once --flow sums up any flow by message type; invoke runs one of its workers', async () => {
    const dir = await userProject({ 'flow.mjs': doublingFlow });
    const run = await dataflow(dir, ['run', '--once', '--flow', './flow.mjs']);
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(lines(run.stdout).find((r) => r.event === 'summary'), { event: 'summary', done: {}, dead: [] }, 'a flow without a schedule does nothing on its own');
    await writeFile(join(dir, 'in.json'), double(4));
    const invoked = await dataflow(dir, ['invoke', 'doubler', 'in.json', '--flow', './flow.mjs']);
    assert.equal(invoked.code, 0, invoked.stderr);
    const reply = JSON.parse(invoked.stdout) as Record<string, unknown>;
    assert.deepEqual([reply.type, reply.n, reply.result], ['did-double', 4, 8]);
  });

  it('runs a .ts flow where node has a TypeScript loader (here tsx, as with NODE_OPTIONS="--import tsx")', async () => {
    const typed = "import { defineFlow, defineMediator, type Flow } from 'dataflow';\nimport { doubler } from './flow.mjs';\nconst flow: Flow = defineFlow({ name: 'typed', workers: [doubler(10)], mediator: defineMediator({ name: 'mediator', rules: [] }) });\nexport default flow;\n";
    const dir = await userProject({ 'flow.mjs': doublingFlow, 'flow.ts': typed });
    const { code, stdout, stderr } = await dataflow(dir, ['send', '--flow', 'flow.ts', '-'], { input: double(3) });
    assert.equal(code, 0, stderr);
    assert.equal(lines(stdout).find((m) => m.type === 'did-double')?.result, 30);
  });

  it('names the module and what is wrong with it', async () => {
    const dir = await userProject({
      'flow.mjs': doublingFlow,
      'none.mjs': 'export const x = 1; export const y = 2;',
      'number.mjs': 'export default 42;',
      'bad-factory.mjs': 'export default async () => ({ nope: true });',
      'broken.mjs': 'export default {',
    });
    const cases: [string[], RegExp][] = [
      [['--flow', './missing.mjs'], /dataflow: the flow module \.\/missing\.mjs \(--flow\): no such file .*missing\.mjs/],
      [['--flow', './none.mjs'], /the flow module \.\/none\.mjs \(--flow\) has no default export and no export named flow \(it exports x, y\)/],
      [['--flow', './number.mjs'], /the flow module \.\/number\.mjs \(--flow\) exports a number, not a flow \(defineFlow\) or a function that returns one/],
      [['--flow', './bad-factory.mjs'], /the flow module \.\/bad-factory\.mjs \(--flow\): its function returned an object with keys nope, not a flow/],
      [['--flow', './broken.mjs'], /cannot load the flow module \.\/broken\.mjs \(--flow\): .*Unexpected end of input/],
    ];
    for (const [args, expected] of cases) {
      const { code, stderr } = await dataflow(dir, ['send', ...args, '-'], { input: double(1) });
      assert.equal(code, 1, `${args.join(' ')}: ${stderr}`);
      assert.match(stderr, expected);
    }
    const fromEnv = await dataflow(dir, ['run', '--once'], { env: { DATAFLOW_FLOW: './missing.mjs' } });
    assert.match(fromEnv.stderr, /the flow module \.\/missing\.mjs \(DATAFLOW_FLOW\): no such file/);
    await writeFile(join(dir, 'dataflow.config.json'), JSON.stringify({ flow: 7 }));
    const badKey = await dataflow(dir, ['send', '-'], { input: double(1) });
    assert.match(badKey.stderr, /the config file dataflow\.config\.json: "flow" must name a module/);
  });
});
