/** Retention from the command line: `dataflow prune --older-than`, and `DATAFLOW_RETENTION` for `run`. */
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { openSqliteStateStore } from '../src/adapters/sqlite/state-store.js';
import { parseDuration } from '../src/cli/duration.js';
import type { NewMessage } from '../src/index.js';
import { dataflowArgs } from './support/cli.js';

const DAY = 86_400_000;

function environment(dir: string, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, DATAFLOW_DIR: dir, NO_COLOR: '1', ...extra };
  for (const name of ['AERIS_CLIENT_ID', 'AERIS_CLIENT_SECRET', 'SMTP_URL', 'DATAFLOW_CONFIG', 'DATABASE_URL']) delete env[name];
  return env;
}

function dataflow(dir: string, args: string[], extra: NodeJS.ProcessEnv = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, dataflowArgs(...args), { env: environment(dir, extra), cwd: dir, timeout: 60_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr });
    });
  });
}

const report = (id: string, extra: Partial<NewMessage> = {}): NewMessage => ({
  id,
  type: 'did-fetch-amp-image',
  body: { type: 'did-fetch-amp-image', id, dateCreated: 0 },
  ...extra,
});

/** A data folder whose log holds messages settled 40 days ago (done, dead, and a pending child) and one done today. */
async function seededFolder(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'dataflow-prune-'));
  const state = openSqliteStateStore(join(dir, 'state.db'));
  const old = Date.now() - 40 * DAY;
  await state.save([report('old-done'), report('old-dead'), report('old-parent'), report('recent-done')], old);
  await state.settle('old-done', { status: 'done', attempts: 1 }, [], old);
  await state.settle('old-dead', { status: 'dead', attempts: 5, reason: 'broken' }, [], old);
  await state.settle('old-parent', { status: 'done', attempts: 1 }, [report('old-child', { causedBy: 'old-parent' })], old);
  await state.settle('recent-done', { status: 'done', attempts: 1 }, [], Date.now());
  await state.close();
  return dir;
}

async function left(dir: string): Promise<string[]> {
  const state = openSqliteStateStore(join(dir, 'state.db'));
  try {
    return (await state.find({ limit: 100 })).map((m) => m.id).sort();
  } finally {
    await state.close();
  }
}

describe('retention', () => {
  it('reads durations in seconds, minutes, hours and days, and names the setting when one does not parse', () => {
    assert.equal(parseDuration('45s', 'x'), 45_000);
    assert.equal(parseDuration('90m', 'x'), 5_400_000);
    assert.equal(parseDuration('12h', 'x'), 43_200_000);
    assert.equal(parseDuration('30d', 'x'), 30 * DAY);
    assert.equal(parseDuration('1.5h', 'x'), 5_400_000);
    for (const bad of ['30', 'd', '-1d', '0d', '3w', '1e3s', '']) assert.throws(() => parseDuration(bad, '--older-than'), /--older-than must be a duration like 30d/, bad);
  });

  it('dataflow prune --older-than 30d removes old done messages and keeps dead, pending, their causes and recent ones', async () => {
    const dir = await seededFolder();
    const { code, stdout, stderr } = await dataflow(dir, ['prune', '--older-than', '30d']);
    assert.equal(code, 0, stderr);
    const record = JSON.parse(stdout.trim()) as { event: string; removed: number };
    assert.deepEqual([record.event, record.removed], ['pruned', 1]);
    assert.deepEqual(await left(dir), ['old-child', 'old-dead', 'old-parent', 'recent-done']);
    assert.equal((await dataflow(dir, ['prune', '--older-than', '50d'])).code, 0);
    assert.deepEqual(await left(dir), ['old-child', 'old-dead', 'old-parent', 'recent-done'], 'nothing is older than 50 days');
  });

  it('dataflow prune explains a missing or malformed --older-than', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'dataflow-prune-'));
    const missing = await dataflow(dir, ['prune']);
    assert.equal(missing.code, 64);
    assert.match(missing.stderr, /dataflow prune needs --older-than/);
    const malformed = await dataflow(dir, ['prune', '--older-than', '30']);
    assert.equal(malformed.code, 64);
    assert.match(malformed.stderr, /--older-than must be a duration like 30d, 12h, 90m or 45s.*got "30"/);
  });

  it(`dataflow run with DATAFLOW_RETENTION prunes as it starts, and refuses a retention it cannot read`, async () => {
    const dir = await seededFolder();
    const child = spawn(process.execPath, dataflowArgs('run', '--dashboard-port', 'off'), {
      env: environment(dir, { DATAFLOW_RETENTION: '30d', DATAFLOW_LOG: join(dir, 'log.json') }),
      cwd: dir,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      let stderr = '';
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no prune within 30 s: ${stderr}`)), 30_000);
        child.stderr!.on('data', (chunk: Buffer) => {
          stderr += chunk.toString();
          if (/retention: removed 1 done message/.test(stderr)) (clearTimeout(timer), resolve());
        });
        child.once('exit', (code) => (clearTimeout(timer), reject(new Error(`exited ${code}: ${stderr}`))));
      });
    } finally {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
    assert.ok(!(await left(dir)).includes('old-done'));
    assert.ok((await left(dir)).includes('old-dead'));

    const bad = await dataflow(dir, ['run', '--dashboard-port', 'off'], { DATAFLOW_RETENTION: 'forever' });
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /DATAFLOW_RETENTION must be a duration like 30d/);
  });
});
