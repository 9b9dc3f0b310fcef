/**
 * `dataflow init`: the starter it writes works as printed. `dataflow` is installed in a parent
 * folder's node_modules (a link to this repository, run with the `source` condition and tsx, as
 * every CLI test runs the sources), then the printed test command and `dataflow send` run there.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, readdir, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { runDataflow } from './support/cli.js';

const repo = fileURLToPath(new URL('../', import.meta.url));

/** A folder whose node_modules holds `dataflow`, as `npm install dataflow` there would. */
async function workspace(): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'dataflow-init-'));
  await mkdir(join(root, 'node_modules'));
  await symlink(repo, join(root, 'node_modules', 'dataflow'), 'dir');
  return root;
}

/** Runs a printed shell command in `cwd`, where `dataflow` resolves to the sources. */
function shell(command: string, cwd: string): Promise<{ code: number; output: string }> {
  const env: NodeJS.ProcessEnv = { ...process.env, NODE_OPTIONS: `--conditions=source --import ${import.meta.resolve('tsx')}` };
  delete env.NODE_TEST_CONTEXT; // the printed test runs as a person runs it, not as a subtest of this one
  return new Promise((resolve) => {
    execFile('sh', ['-c', command], { cwd, env, timeout: 120_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, output: stdout + stderr });
    });
  });
}

/** The commands init printed after "next", as a person would copy them. */
function printed(stderr: string): string[] {
  return stderr
    .slice(stderr.indexOf('next'))
    .split('\n')
    .slice(1)
    .filter((line) => line.startsWith('  '))
    .map((line) => line.trim().replace(/\s+#.*$/, ''));
}

describe('dataflow init', () => {
  it('writes a starter flow, its config, its test and a package.json; the printed test passes and send runs the flow', async () => {
    const root = await workspace();
    const init = await runDataflow(['init', 'my-flow'], { cwd: root });
    assert.equal(init.code, 0, init.stderr);
    assert.match(init.stderr, /^wrote my-flow\/flow\.mjs, my-flow\/flow\.test\.mjs, my-flow\/dataflow\.config\.json, my-flow\/package\.json\n/);
    const folder = join(root, 'my-flow');
    assert.deepEqual((await readdir(folder)).sort(), ['dataflow.config.json', 'flow.mjs', 'flow.test.mjs', 'package.json']);
    const pkg = JSON.parse(await readFile(join(folder, 'package.json'), 'utf8')) as { name: string; type: string; scripts: { test: string } };
    assert.deepEqual([pkg.name, pkg.type, pkg.scripts.test], ['my-flow', 'module', 'node --test']);
    assert.deepEqual(JSON.parse(await readFile(join(folder, 'dataflow.config.json'), 'utf8')), { flow: './flow.mjs' });
    for (const file of ['flow.mjs', 'flow.test.mjs']) {
      const imports = [...(await readFile(join(folder, file), 'utf8')).matchAll(/from '([^']+)'/g)].map((m) => m[1]);
      assert.ok(imports.every((name) => ['dataflow', 'dataflow/testing', './flow.mjs'].includes(name!) || name!.startsWith('node:')), `${file} imports ${imports.join(', ')}`);
    }

    const [cd, test, send] = printed(init.stderr);
    assert.equal(cd, 'cd my-flow');
    assert.equal(test, 'npm test');
    const tested = await shell(test!, folder);
    assert.equal(tested.code, 0, tested.output);
    assert.match(tested.output, /# pass 2\n# fail 0/);

    const input = /^echo '(.*)' \| npx dataflow send -$/.exec(send!)?.[1];
    assert.ok(input, `the printed send: ${send}`);
    for (const args of [['send', '-'], ['send', '--flow', './flow.mjs', '-']]) {
      const sent = await runDataflow(args, { cwd: folder, env: { DATAFLOW_DIR: join(folder, '.dataflow') }, input });
      assert.equal(sent.code, 0, sent.stderr);
      const counted = sent.stdout.trim().split('\n').map((line) => JSON.parse(line) as { type: string; words?: number }).find((m) => m.type === 'did-count-words');
      assert.equal(counted?.words, 3, sent.stdout);
    }
  });

  it('refuses to overwrite, naming the files it found, and writes nothing', async () => {
    const root = await workspace();
    await writeFile(join(root, 'flow.mjs'), '// mine\n');
    await writeFile(join(root, 'dataflow.config.json'), '{}\n');
    const again = await runDataflow(['init'], { cwd: root });
    assert.equal(again.code, 1);
    assert.equal(again.stderr, 'dataflow: . already has flow.mjs, dataflow.config.json: init overwrites nothing, so it wrote nothing (move them away, or init another folder)\n');
    assert.equal(await readFile(join(root, 'flow.mjs'), 'utf8'), '// mine\n');
    assert.deepEqual((await readdir(root)).sort(), ['dataflow.config.json', 'flow.mjs', 'node_modules']);
  });

  it('keeps a package.json that is there, and then prints node --test, which passes', async () => {
    const root = await workspace();
    const mine = '{ "name": "mine", "private": true }\n';
    await writeFile(join(root, 'package.json'), mine);
    const init = await runDataflow(['init'], { cwd: root });
    assert.equal(init.code, 0, init.stderr);
    assert.equal(await readFile(join(root, 'package.json'), 'utf8'), mine);
    const [test] = printed(init.stderr);
    assert.equal(test, 'node --test');
    const tested = await shell(test!, root);
    assert.equal(tested.code, 0, tested.output);
  });
});
