/** DATAFLOW_MAX_MAP_BYTES through the `dataflow` command, on the built-in offline map server. */
import assert from 'node:assert/strict';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { runDataflow } from './support/cli.js';


function dataflow(args: string[], dir: string, settings: Record<string, string>) {
  return runDataflow(args, { cwd: dir, env: { DATAFLOW_DIR: dir, DATAFLOW_LOG_LEVEL: 'silent', ...settings }, timeoutMs: 60_000 });
}

describe('DATAFLOW_MAX_MAP_BYTES', () => {
  it('caps the maps the fetcher reads: a larger frame is dead-lettered at once, saying why', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'dataflow-map-size-'));
    const run = await dataflow(['run', '--once'], dir, { DATAFLOW_MAX_MAP_BYTES: '1000' });
    assert.equal(run.code, 2, run.stderr);
    const failed = await dataflow(['failed'], dir, {});
    const dead = failed.stdout.trim().split('\n').map((line) => JSON.parse(line) as { type: string; reason: string; attempts: number });
    assert.equal(dead.length, 5);
    for (const d of dead) {
      assert.equal(d.type, 'please-fetch-amp-image');
      assert.match(d.reason, /^NonRetriableError: fetching map "OSN 2017 Demo" at -\d+m: the map server's answer is larger than 1000 bytes/);
      assert.equal(d.attempts, 1);
    }
  });

  it('must be a positive number', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'dataflow-map-size-'));
    const run = await dataflow(['run', '--once'], dir, { DATAFLOW_MAX_MAP_BYTES: '50MB' });
    assert.equal(run.code, 1);
    assert.match(run.stderr, /DATAFLOW_MAX_MAP_BYTES must be a positive number, got "50MB"/);
  });
});
