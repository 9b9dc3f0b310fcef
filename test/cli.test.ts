/** The `dataflow` command as a user runs it: a real process, a fresh data folder, no network. */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { simpleParser } from 'mailparser';
import sharp from 'sharp';
import { dataflowArgs, runDataflow } from './support/cli.js';

let dir = '';

function dataflow(args: string[], input?: string) {
  return runDataflow(args, { cwd: dir, env: { DATAFLOW_DIR: dir }, input });
}

const jsonLines = (text: string) => text.trim().split('\n').filter(Boolean).map((line) => JSON.parse(line) as Record<string, unknown>);

describe('the dataflow command', () => {
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'dataflow-cli-'));
  });

  it('run --once makes 5 frames, 5 thumbnails, 1 GIF and 1 mail offline, and says where they are', async () => {
    const { code, stdout, stderr } = await dataflow(['run', '--once']);
    assert.equal(code, 0, stderr);
    const summary = jsonLines(stdout).find((r) => r.event === 'summary') as { frames: string[]; thumbnails: string[]; gifs: string[]; emails: string[]; dead: unknown[] };
    assert.ok(summary, 'piped, the summary is a JSON line');
    assert.equal(summary.frames.length, 5);
    assert.equal(summary.thumbnails.length, 5);
    assert.equal(summary.gifs.length, 1);
    assert.equal(summary.emails.length, 1);
    assert.deepEqual(summary.dead, []);
    for (const path of [...summary.frames, ...summary.thumbnails, ...summary.gifs]) assert.ok(path.startsWith(join(dir, 'blobs')), path);

    const gif = await readFile(summary.gifs[0]!);
    assert.equal((await sharp(gif).metadata()).pages, 5);
    const mail = await simpleParser(await readFile(summary.emails[0]!), { keepCidLinks: true });
    const cids = [...String(mail.html).matchAll(/src="cid:([^"]+)"/g)].map((m) => m[1]);
    assert.equal(cids.length, 6);
    assert.deepEqual(mail.attachments.map((a) => a.cid).sort(), [...cids].sort(), 'every inline image is in the mail');
    assert.ok(mail.attachments.find((a) => a.contentType === 'image/gif')!.content.equals(gif));
    assert.ok((await readdir(join(dir, 'outbox'))).length === 1);
  });

  it('send runs JSON lines through the flow, prints what passed, and dead-letters bad lines with reasons', async () => {
    const lines = [
      JSON.stringify({ type: 'please-send-email', to: ['user@example.com'], from: 'dataflow@example.com', subject: 'Yo.', body: '<b>Hello world</b>' }),
      '{"type": "please-create-thumbnail", "imageId": ',
      JSON.stringify({ type: 'please-create-thumbnail', imageId: 'temps', width: '200' }),
    ].join('\n');
    const { code, stdout, stderr } = await dataflow(['send', '-'], lines);
    assert.equal(code, 2, 'a rejected message makes the exit code say so');
    const passed = jsonLines(stdout);
    assert.deepEqual(passed.map((m) => m.type), ['please-send-email', 'did-send-email']);
    assert.match(stderr, /message 2 of 3 rejected .*not valid JSON/);
    assert.match(stderr, /message 3 of 3 rejected .*invalid please-create-thumbnail .*location: .*; width: /);

    const failed = await dataflow(['failed']);
    assert.equal(failed.code, 0);
    const dead = jsonLines(failed.stdout);
    assert.equal(dead.length, 2);
    assert.ok(dead.every((d) => typeof d.reason === 'string' && d.id));
  });

  it('invoke runs one worker on one message and prints its reply', async () => {
    const frames = await readdir(join(dir, 'blobs', 'dataflow', 'amp-image-fetcher'), { recursive: true });
    const frame = frames.find((f) => f.endsWith('.png'))!;
    const file = join(dir, 'thumbnail.json');
    await writeFile(file, JSON.stringify({ type: 'please-create-thumbnail', imageId: 'temps', location: { Bucket: 'dataflow', Key: `amp-image-fetcher/${frame}` }, width: 64, height: 48, validTime: 100 }));
    const { code, stdout, stderr } = await dataflow(['invoke', 'thumbnail-creator', file]);
    assert.equal(code, 0, stderr);
    const reply = JSON.parse(stdout);
    assert.equal(reply.type, 'did-create-thumbnail');
    const thumb = await sharp(join(dir, 'blobs', reply.location.Bucket, reply.location.Key)).metadata();
    assert.deepEqual([thumb.width, thumb.height], [64, 48]);
  });

  it('redrive sends dead letters again; what still fails dies again with its reason', async () => {
    const { code, stderr } = await dataflow(['redrive', '--all']);
    assert.equal(code, 2);
    assert.match(stderr, /re-driving 2 message/);
    assert.equal(jsonLines((await dataflow(['failed'])).stdout).length, 2, 'nothing is lost');
  });

  it('dashboard serves the flow\'s state and Prometheus metrics, and says where', async () => {
    const env: NodeJS.ProcessEnv = { ...process.env, DATAFLOW_DIR: dir, NO_COLOR: '1' };
    delete env.DATABASE_URL;
    const child = spawn(process.execPath, dataflowArgs('dashboard', '--port', '0'), { env, cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      let stderr = '';
      const url = await new Promise<string>((resolve, reject) => {
        child.stderr!.on('data', (chunk: Buffer) => {
          stderr += chunk.toString();
          const match = /dashboard: (http:\/\/127\.0\.0\.1:\d+)/.exec(stderr);
          if (match) resolve(match[1]!);
        });
        child.once('exit', (code) => reject(new Error(`exited ${code}: ${stderr}`)));
      });
      const flow = (await (await fetch(`${url}/api/flow`)).json()) as { consumers: { name: string; counts: { done: number } }[] };
      assert.ok(flow.consumers.find((c) => c.name === 'gif-creator' && c.counts.done === 1), JSON.stringify(flow));
      const metrics = await fetch(`${url}/metrics`);
      assert.equal(metrics.status, 200);
      assert.match(metrics.headers.get('content-type') ?? '', /text\/plain/);
      const text = await metrics.text();
      assert.match(text, /dataflow_dead_letters\{type="\(unparsed\)"\} 1/);
      assert.match(text, /# TYPE dataflow_queue_depth gauge/);
      const page = await fetch(url);
      assert.match(await page.text(), /<html/i);
    } finally {
      child.kill('SIGTERM');
    }
  });

  it('send dead-letters a line nested 10,000 deep with the depth, and runs the lines around it', async () => {
    const mail = (subject: string) => JSON.stringify({ type: 'please-send-email', to: ['user@example.com'], from: 'dataflow@example.com', subject, body: 'Hi' });
    const deep = `{"type":"please-send-email","to":["user@example.com"],"from":"dataflow@example.com","subject":"deep","body":"Hi","extra":${'['.repeat(10_000)}${']'.repeat(10_000)}}`;
    const file = join(dir, 'deep.jsonl');
    await writeFile(file, [mail('before'), deep, mail('after')].join('\n'));
    const { code, stdout, stderr } = await dataflow(['send', file]);
    assert.equal(code, 2, stderr);
    const passed = jsonLines(stdout);
    assert.deepEqual(passed.filter((m) => m.type === 'did-send-email').map((m) => m.subject).sort(), ['after', 'before'], 'both valid lines ran');
    assert.match(stderr, /message 2 of 3 rejected \(kept as dead letter [^)]+\): .*please-send-email .*nests deeper than 64 levels/);
    assert.doesNotMatch(stderr, /Maximum call stack/);

    const dead = jsonLines((await dataflow(['failed'])).stdout).filter((d) => /nests deeper/.test(String(d.reason)));
    assert.equal(dead.length, 1);
    const kept = (dead[0]!.message as { raw: string }).raw;
    assert.ok(kept.includes('"subject":"deep"') && kept.includes(`${'['.repeat(10_000)}${']'.repeat(10_000)}`), 'the whole line is kept');
  });

  it('explains a wrong command', async () => {
    const { code, stderr } = await dataflow(['fly']);
    assert.equal(code, 64);
    assert.match(stderr, /unknown command "fly"/);
  });
});
