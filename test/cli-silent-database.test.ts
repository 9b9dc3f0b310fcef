/**
 * The commands that open PostgreSQL, against a server that accepts the connection and never says
 * a word (a wedged database, a proxy with nothing behind it): each gives up with one line.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { dataflowArgs } from './support/cli.js';

const password = 'pw-that-must-never-show-7f3a';

describe('commands on a PostgreSQL that never answers', () => {
  let server: Server;
  let databaseUrl = '';
  let dir = '';
  const sockets = new Set<Socket>();
  /** When the command first reached the database: its wait is timed from there, not from a start-up a busy machine slows. */
  let firstConnection: number | undefined;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'dataflow-silent-db-'));
    server = createServer((socket) => {
      firstConnection ??= performance.now();
      sockets.add(socket);
      socket.on('error', () => {});
      socket.on('close', () => sockets.delete(socket));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    databaseUrl = `postgres://dataflow:${password}@127.0.0.1:${port}/flows`;
  });
  after(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => server.close(resolve));
  });

  for (const args of [['migrate'], ['failed'], ['trace', 'some-id'], ['dashboard', '--port', '0']]) {
    it(`dataflow ${args.join(' ')} exits within 15 s with one line naming DATABASE_URL`, async () => {
      const env: NodeJS.ProcessEnv = { ...process.env, DATAFLOW_DIR: dir, DATABASE_URL: databaseUrl, NO_COLOR: '1' };
      delete env.DATAFLOW_SCHEMA;
      firstConnection = undefined;
      const result = await new Promise<{ code: number | string | null; stderr: string; stdout: string }>((resolve) => {
        execFile(process.execPath, dataflowArgs(...args), { env, cwd: dir, timeout: 60_000, killSignal: 'SIGKILL' }, (error, stdout, stderr) => {
          resolve({ code: error ? (error.code ?? error.signal ?? null) : 0, stdout, stderr });
        });
      });
      assert.ok(firstConnection !== undefined, `never reached the database: ${result.stderr}`);
      const seconds = (performance.now() - firstConnection) / 1000;
      assert.ok(seconds < 15, `still waiting ${seconds.toFixed(1)} s after it reached the database`);
      assert.notEqual(result.code, 0);
      assert.equal(typeof result.code, 'number', `ended by ${result.code}`);
      const output = `${result.stdout}${result.stderr}`;
      assert.equal(result.stderr.trim().split('\n').length, 1, result.stderr);
      assert.match(result.stderr, /DATABASE_URL.*127\.0\.0\.1:\d+\/flows.*no answer within \d+ s/);
      assert.ok(!output.includes(password), 'the password never shows');
    });
  }
});
