/**
 * What only the disk store has: temporary files. A writer killed mid-write (kill -9, a power cut)
 * leaves one; the store clears them when it opens, and never anything else.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdir, mkdtemp, readdir, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { diskBlobStore } from '../../src/adapters/disk/blob-store.js';
import { openEmbeddedRuntime } from '../../src/runtimes/embedded.js';
import { toyFlow } from '../support/toy-flow.js';

/** Every `*.partial` file under a folder, wherever a store put it. */
async function partialFiles(folder: string): Promise<string[]> {
  const entries = await readdir(folder, { recursive: true }).catch(() => [] as string[]);
  return entries.filter((name) => /.\.partial$/.test(basename(name))).sort();
}

/** Starts a writer, and kills it (SIGKILL) as soon as a temporary file of its shows up. */
async function killWriterMidWrite(blobs: string): Promise<string[]> {
  const child = fileURLToPath(new URL('./blob-writer-child.ts', import.meta.url));
  for (let attempt = 1; attempt <= 5; attempt++) {
    const writer = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', child, blobs], { stdio: ['ignore', 'pipe', 'inherit'] });
    const exited = once(writer, 'exit');
    const started = await Promise.race([once(writer.stdout, 'data').then(() => true), exited.then(() => false)]);
    if (!started) throw new Error(`the writer exited before writing (${writer.exitCode ?? writer.signalCode})`);
    const deadline = Date.now() + 10_000;
    while ((await partialFiles(blobs)).length === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 1));
    writer.kill('SIGKILL');
    await exited;
    const left = await partialFiles(blobs);
    if (left.length > 0) return left;
  }
  throw new Error('the writer never died mid-write in 5 tries');
}

describe('disk blob store: temporary files', () => {
  it('after kill -9 mid-write, the next start of the embedded runtime clears what the writer left', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'dataflow-killed-writer-'));
    const finished = { Bucket: 'dataflow', Key: 'amp-image-fetcher/finished.png' };
    await diskBlobStore(join(dir, 'blobs')).put(finished, Buffer.from('a finished blob'));
    const left = await killWriterMidWrite(join(dir, 'blobs'));
    assert.ok(left.length > 0, 'the killed writer left a temporary file');

    const runtime = openEmbeddedRuntime(() => toyFlow().flow, { dir });
    try {
      await runtime.start();
      const deadline = Date.now() + 5000;
      while ((await partialFiles(join(dir, 'blobs'))).length > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      assert.deepEqual(await partialFiles(join(dir, 'blobs')), []);
      assert.equal((await runtime.blobs.get(finished)).toString(), 'a finished blob', 'finished blobs stay');
    } finally {
      await runtime.stop();
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('a store others may share clears only temporary files untouched for a while, and only its own', async () => {
    const root = await mkdtemp(join(tmpdir(), 'dataflow-sweep-'));
    const first = diskBlobStore(root);
    await first.put({ Bucket: 'dataflow', Key: 'kept/blob.png' }, Buffer.from('png'));
    await first.put({ Bucket: 'dataflow', Key: 'kept/named-like-one.0123456789abcdef01234567.partial' }, Buffer.from('a blob'));
    assert.equal(await first.swept, 0);

    const temporary = join(root, '.partial');
    await mkdir(temporary, { recursive: true });
    const stale = join(temporary, 'aaaaaaaaaaaaaaaaaaaaaaaa.partial');
    const fresh = join(temporary, 'bbbbbbbbbbbbbbbbbbbbbbbb.partial');
    const foreign = join(temporary, 'notes.partial');
    for (const path of [stale, fresh, foreign]) await writeFile(path, 'half a blob');
    const hourAgo = new Date(Date.now() - 3600_000);
    await utimes(stale, hourAgo, hourAgo);
    await utimes(foreign, hourAgo, hourAgo);

    const second = diskBlobStore(root);
    assert.equal(await second.swept, 1);
    const exists = (path: string) => stat(path).then(() => true, () => false);
    assert.equal(await exists(stale), false, 'a temporary file untouched for an hour is gone');
    assert.equal(await exists(fresh), true, 'one being written by a live process stays');
    assert.equal(await exists(foreign), true, 'a file the store did not make stays');
    assert.equal((await second.get({ Bucket: 'dataflow', Key: 'kept/blob.png' })).toString(), 'png');
    assert.equal((await second.get({ Bucket: 'dataflow', Key: 'kept/named-like-one.0123456789abcdef01234567.partial' })).toString(), 'a blob');

    assert.equal(await diskBlobStore(root, { staleTemporaryMs: 0 }).swept, 1, 'with no other writer, every one of its own goes');
    assert.equal(await exists(fresh), false);
  });
});
