/**
 * The Aeris secret, through the `dataflow` command as a user runs it, against a map server whose
 * 404 page quotes the requested path (as stock web servers do) so that the secret straddles the
 * point where an error text is cut: no piece of it may reach any output, page or stored file.
 */
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, readdir } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { dataflowArgs } from './support/cli.js';

const CLIENT_ID = `cid${randomBytes(9).toString('hex')}`;
const SECRET = randomBytes(30).toString('base64url'); // 40 characters
const CUT = 200; // where the fetcher used to cut an error page
let dir = '';
let mapsUrl = '';
const pages: string[] = [];

/** Apache's 404 page, its head padded so the quoted secret starts 30 characters before the cut. */
function notFoundPage(path: string, port: number): string {
  const head = (pad: string) => `<!DOCTYPE HTML PUBLIC "-//IETF//DTD HTML 2.0//EN">\n<html><head>\n<title>404 Not Found</title>${pad}\n</head><body>\n<h1>Not Found</h1>\n<p>The requested URL `;
  const secretAt = head('').length + path.indexOf(SECRET);
  const pad = `<!--${'-'.repeat(Math.max(0, CUT - 30 - secretAt - 7))}-->`;
  return `${head(pad)}${path} was not found on this server.</p>\n<hr>\n<address>Apache/2.4.62 (Debian) Server at 127.0.0.1 Port ${port}</address>\n</body></html>\n`;
}

const server = createServer((req, res) => {
  const page = notFoundPage(req.url!, (server.address() as AddressInfo).port);
  pages.push(page);
  res.writeHead(404, { 'content-type': 'text/html; charset=iso-8859-1' }).end(page);
});

function environment(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, DATAFLOW_DIR: dir, NO_COLOR: '1', DATAFLOW_LOG_LEVEL: 'debug' };
  for (const name of ['SMTP_URL', 'DATAFLOW_CONFIG', 'DATABASE_URL', 'DATAFLOW_LOG', 'DATAFLOW_BLOBS']) delete env[name];
  return { ...env, AERIS_CLIENT_ID: CLIENT_ID, AERIS_CLIENT_SECRET: SECRET, AERIS_MAPS_URL: mapsUrl };
}

function dataflow(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, dataflowArgs(...args), { env: environment(), cwd: dir, timeout: 120_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr });
    });
  });
}

/** Fails when any 8 characters in a row of the secret, or the client id, appear in the text. */
function assertNoSecret(text: string, where: string) {
  assert.ok(!text.includes(CLIENT_ID), `the client id is in ${where}`);
  for (let i = 0; i + 8 <= SECRET.length; i++) {
    const piece = SECRET.slice(i, i + 8);
    assert.ok(!text.includes(piece), `${where} holds ${piece}, characters ${i} to ${i + 8} of the secret:\n${text.slice(Math.max(0, text.indexOf(piece) - 300), text.indexOf(piece) + 100)}`);
  }
}

async function filesUnder(folder: string): Promise<string[]> {
  const entries = await readdir(folder, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));
}

describe('a secret quoted in a cut error page', () => {
  let deadIds: string[] = [];

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'dataflow-secret-'));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    mapsUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => {
    server.closeAllConnections();
    server.close();
  });

  it('run --once dead-letters every frame with the server\'s answer, and neither its output nor its logs hold a piece of the secret', async () => {
    const { code, stdout, stderr } = await dataflow(['run', '--once']);
    assert.equal(code, 2, stderr);
    assert.equal(pages.length, 5, 'the default schedule fetched 5 frames');
    const straddling = pages[0]!.indexOf(SECRET);
    assert.ok(straddling < CUT && straddling + SECRET.length > CUT, `the secret spans characters ${straddling} to ${straddling + SECRET.length} of the page`);
    assertNoSecret(stdout, 'the output of run');
    assertNoSecret(stderr, 'the logs of run');
  });

  it('failed and trace show the reason without a piece of the secret', async () => {
    const failed = await dataflow(['failed']);
    assert.equal(failed.code, 0, failed.stderr);
    const dead = failed.stdout.trim().split('\n').map((line) => JSON.parse(line) as { id: string; reason: string });
    assert.equal(dead.length, 5);
    for (const d of dead) assert.match(d.reason, /answered 404 \(404 Not Found Not Found The requested URL \/\[redacted\]_\[redacted\]\/flat-dk/);
    assertNoSecret(failed.stdout + failed.stderr, 'dataflow failed');
    deadIds = dead.map((d) => d.id);

    const trace = await dataflow(['trace', deadIds[0]!]);
    assert.equal(trace.code, 0, trace.stderr);
    assert.match(trace.stdout, /answered 404/);
    assertNoSecret(trace.stdout + trace.stderr, 'dataflow trace');
  });

  it('no file in the data folder holds a piece of the secret', async () => {
    const files = await filesUnder(dir);
    assert.ok(files.some((f) => f.endsWith('state.db')), files.join(', '));
    for (const file of files) assertNoSecret((await readFile(file)).toString('latin1'), file);
  });

  it('the dashboard\'s dead letters and message page hold no piece of the secret', async () => {
    const child = spawn(process.execPath, dataflowArgs('dashboard', '--port', '0'), { env: environment(), cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    let logs = '';
    try {
      const url = await new Promise<string>((resolve, reject) => {
        child.stderr!.on('data', (chunk: Buffer) => {
          logs += chunk.toString();
          const match = /dashboard: (http:\/\/127\.0\.0\.1:\d+)/.exec(logs);
          if (match) resolve(match[1]!);
        });
        child.once('exit', (code) => reject(new Error(`exited ${code}: ${logs}`)));
      });
      const dead = await (await fetch(`${url}/api/dead`)).text();
      assert.equal((JSON.parse(dead) as { messages: unknown[] }).messages.length, 5);
      assert.match(dead, /answered 404/);
      assertNoSecret(dead, '/api/dead');
      for (const id of deadIds) {
        const page = await (await fetch(`${url}/api/messages/${encodeURIComponent(id)}`)).text();
        assert.match(page, /answered 404/);
        assertNoSecret(page, `/api/messages/${id}`);
      }
    } finally {
      child.kill('SIGTERM');
    }
    assertNoSecret(logs, 'the logs of dashboard');
  });
});
