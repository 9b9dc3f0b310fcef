/** DATAFLOW_MAX_MAP_BYTES through the `dataflow` command, on the built-in offline map server. */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { dataflowArgs } from './support/cli.js';


async function dataflow(args: string[], dir: string, settings: Record<string, string>) {
  const env: NodeJS.ProcessEnv = { ...process.env, DATAFLOW_DIR: dir, NO_COLOR: '1', DATAFLOW_LOG_LEVEL: 'silent', ...settings };
  for (const name of ['AERIS_CLIENT_ID', 'AERIS_CLIENT_SECRET', 'AERIS_MAPS_URL', 'SMTP_URL', 'DATAFLOW_CONFIG', 'DATABASE_URL', 'DATAFLOW_BLOBS']) delete env[name];
  return new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(process.execPath, dataflowArgs(...args), { env, cwd: dir, timeout: 60_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr });
    });
  });
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
