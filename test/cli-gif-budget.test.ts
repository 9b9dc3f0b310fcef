/** DATAFLOW_GIF_MAX_PIXELS through the `dataflow` command, on the built-in offline map server. */
import assert from 'node:assert/strict';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { runDataflow } from './support/cli.js';


function dataflow(args: string[], dir: string, settings: Record<string, string>) {
  return runDataflow(args, { cwd: dir, env: { DATAFLOW_DIR: dir, DATAFLOW_LOG_LEVEL: 'silent', ...settings } });
}

describe('DATAFLOW_GIF_MAX_PIXELS', () => {
  it('is the gif-creator\'s budget: a larger GIF is dead-lettered at once, saying why', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'dataflow-gif-budget-'));
    const run = await dataflow(['run', '--once'], dir, { DATAFLOW_GIF_MAX_PIXELS: '1000000' });
    assert.equal(run.code, 2, run.stderr);
    const failed = await dataflow(['failed'], dir, {});
    const dead = failed.stdout.trim().split('\n').map((line) => JSON.parse(line) as { type: string; reason: string; attempts: number });
    assert.equal(dead.length, 1, failed.stdout);
    assert.equal(dead[0]!.type, 'please-create-gif');
    assert.match(dead[0]!.reason, /^NonRetriableError: cannot make a GIF of 5 frames: .* over the budget of 1000000 pixels; DATAFLOW_GIF_MAX_PIXELS sets the budget/);
    assert.equal(dead[0]!.attempts, 1);
  });

  it('must be a whole number', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'dataflow-gif-budget-'));
    for (const value of ['lots', '1.5']) {
      const run = await dataflow(['run', '--once'], dir, { DATAFLOW_GIF_MAX_PIXELS: value });
      assert.equal(run.code, 1);
      assert.match(run.stderr, /DATAFLOW_GIF_MAX_PIXELS/);
      assert.match(run.stderr, new RegExp(`got "?${value.replace('.', '\\.')}"?`));
    }
  });
});
