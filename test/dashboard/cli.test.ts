/**
 * The command line hands the dashboard the views of the flow it runs, and only those: the weather
 * flow's gallery, a user's flow's own table, and none for a flow that gives none; through
 * `dataflow dashboard` and `dataflow run` alike.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { dataflowArgs } from '../support/cli.js';
import { doublingFlow, userProject } from '../support/user-flow.js';

/** A user's flow module whose factory returns the doubling flow with a table view of its results. */
const withView = `${doublingFlow.replace('export default defineFlow', 'const flow = defineFlow')}
export default () => ({
  flow,
  views: [{
    id: 'results',
    title: 'Results',
    changesOn: ['did-double'],
    async load({ state, limit }) {
      const page = await state.search({ type: 'did-double', limit });
      return { kind: 'table', columns: ['n', 'result'], rows: page.messages.map((m) => [m.body.n, m.body.result]) };
    },
  }],
});
`;

/** Starts `dataflow <args>` in `cwd` and waits for the address its dashboard prints. */
async function serve(cwd: string, args: string[]) {
  const env: NodeJS.ProcessEnv = { ...process.env, DATAFLOW_DIR: join(cwd, '.dataflow'), NO_COLOR: '1' };
  for (const name of ['DATABASE_URL', 'DATAFLOW_FLOW', 'DATAFLOW_CONFIG', 'DATAFLOW_BLOBS', 'AERIS_CLIENT_ID', 'AERIS_CLIENT_SECRET', 'SMTP_URL', 'DATAFLOW_LOG']) delete env[name];
  const child = spawn(process.execPath, dataflowArgs(...args), { env, cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  let logs = '';
  const url = await new Promise<string>((resolve, reject) => {
    const read = (chunk: Buffer) => {
      logs += chunk.toString();
      const match = /dashboard: (http:\/\/127\.0\.0\.1:\d+)/.exec(logs);
      if (match) resolve(match[1]!);
    };
    child.stdout!.on('data', read);
    child.stderr!.on('data', read);
    child.once('exit', (code) => reject(new Error(`dataflow ${args.join(' ')} exited ${code}: ${logs}`)));
  });
  const get = async (path: string) => (await fetch(`${url}${path}`)).json() as Promise<Record<string, any>>;
  const stop = () => new Promise<void>((resolve) => (child.exitCode !== null ? resolve() : (child.once('exit', () => resolve()), child.kill('SIGTERM'))));
  return { get, stop };
}

describe('the command line passes the flow\'s views to the dashboard', { timeout: 120_000 }, () => {
  let dir: string;
  before(async () => {
    dir = await userProject({ 'plain.mjs': doublingFlow, 'with-view.mjs': withView });
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it('dataflow dashboard: the weather flow shows its gallery', async () => {
    const dashboard = await serve(dir, ['dashboard', '--port', '0']);
    try {
      assert.deepEqual((await dashboard.get('/api/meta')).views.map((v: { id: string }) => v.id), ['gallery']);
      const gallery = await dashboard.get('/api/views/gallery');
      assert.deepEqual([gallery.kind, gallery.cards], ['gallery', []]);
    } finally {
      await dashboard.stop();
    }
  });

  it('dataflow dashboard: a user\'s flow without views shows none, and one with views its own', async () => {
    const plain = await serve(dir, ['dashboard', '--port', '0', '--flow', './plain.mjs']);
    try {
      const meta = await plain.get('/api/meta');
      assert.equal(meta.name, 'doubling');
      assert.deepEqual(meta.views, []);
    } finally {
      await plain.stop();
    }
    const viewed = await serve(dir, ['dashboard', '--port', '0', '--flow', './with-view.mjs']);
    try {
      assert.deepEqual((await viewed.get('/api/meta')).views, [{ id: 'results', title: 'Results' }]);
    } finally {
      await viewed.stop();
    }
  });

  it('dataflow run: the dashboard it serves shows the flow\'s view over what the flow does', async () => {
    const run = await serve(dir, ['run', '--dashboard-port', '0', '--flow', './with-view.mjs']);
    try {
      assert.deepEqual((await run.get('/api/meta')).views, [{ id: 'results', title: 'Results' }]);
      const table = await run.get('/api/views/results');
      assert.deepEqual([table.kind, table.columns, table.rows], ['table', ['n', 'result'], []]);
    } finally {
      await run.stop();
    }
  });
});
