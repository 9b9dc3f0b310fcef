/** The blob store's conformance suite: every adapter runs it unchanged. */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { BlobConflictError, BlobNotFoundError, NonRetriableError, type BlobStore } from '../../src/index.js';

/** A fresh key part, so suites that share a bucket never meet each other's blobs. */
const unique = () => randomBytes(6).toString('hex');

export function blobStoreConformance(name: string, open: () => Promise<BlobStore>, options: { skip?: string | false } = {}): void {
  describe(`blob store conformance: ${name}`, { skip: options.skip }, () => {
    it('stores bytes and gives the same bytes back', async () => {
      const store = await open();
      const body = randomBytes(256 * 1024 + 17);
      const location = { Bucket: 'dataflow', Key: `thumbnail-creator/${unique()}/20170601160000-200x200.png` };
      await store.put(location, body, { contentType: 'image/png' });
      assert.ok((await store.get(location)).equals(body));
    });

    it('writes a key once: the same bytes again are a no-op, as a handler that runs twice writes them', async () => {
      const store = await open();
      const location = { Bucket: 'dataflow', Key: `gif-creator/${unique()}/a.gif` };
      const body = randomBytes(4096);
      await store.put(location, body, { contentType: 'image/gif' });
      await store.put(location, Buffer.from(body), { contentType: 'image/gif' });
      assert.ok((await store.get(location)).equals(body));
    });

    it('refuses different bytes at a key that holds a blob, naming the key, without retry, and keeps the first', async () => {
      const store = await open();
      const location = { Bucket: 'dataflow', Key: `thumbnail-creator/${unique()}/20170601160000-200x200.png` };
      const first = randomBytes(1000);
      await store.put(location, first);
      for (const other of [Buffer.from('short'), Buffer.concat([first, Buffer.from('!')]), Buffer.alloc(1000, 1)]) {
        await assert.rejects(store.put(location, other), (error: unknown) => {
          assert.ok(error instanceof BlobConflictError, String(error));
          assert.ok(error instanceof NonRetriableError, 'not retried');
          assert.ok((error as Error).message.includes(`dataflow/${location.Key}`), (error as Error).message);
          return true;
        });
      }
      assert.ok((await store.get(location)).equals(first), 'the first blob is untouched');
    });

    it('of writers racing for one key, one content wins; the others get a conflict or, with the same bytes, nothing', async () => {
      const store = await open();
      const location = { Bucket: 'dataflow', Key: `gif-creator/${unique()}/race.gif` };
      const bodies = Array.from({ length: 6 }, (_, i) => Buffer.from(`content ${i % 2}`));
      const results = await Promise.allSettled(bodies.map((body) => store.put(location, body)));
      const stored = await store.get(location);
      results.forEach((result, i) => {
        if (bodies[i]!.equals(stored)) assert.equal(result.status, 'fulfilled', `writer ${i} wrote the winning bytes`);
        else assert.ok(result.status === 'rejected' && result.reason instanceof BlobConflictError, `writer ${i} lost: ${result.status}`);
      });
    });

    it('says which location is missing', async () => {
      const store = await open();
      await assert.rejects(store.get({ Bucket: 'dataflow', Key: 'nothing/here.png' }), (error: unknown) => {
        assert.ok(error instanceof BlobNotFoundError);
        assert.match((error as Error).message, /dataflow\/nothing\/here\.png/);
        return true;
      });
    });

    it('refuses keys that could escape their bucket', async () => {
      const store = await open();
      for (const Key of ['../outside.png', 'a/../../b', '/absolute', 'a//b', 'a\\b', 'a\u0000b', 'a/./b', 'a/']) {
        await assert.rejects(store.put({ Bucket: 'dataflow', Key }, Buffer.from('x')), (error: Error) => {
          assert.match(error.message, /invalid location/, Key);
          assert.ok(error instanceof NonRetriableError, `${JSON.stringify(Key)} is refused for good`);
          return true;
        });
      }
      await assert.rejects(store.put({ Bucket: '../etc', Key: 'a' }, Buffer.from('x')), /Bucket/);
    });

    it('links to a stored blob', async () => {
      const store = await open();
      const location = { Bucket: 'dataflow', Key: `amp-image-fetcher/${unique()}/x.png` };
      await store.put(location, Buffer.from('png'));
      const url = new URL(await store.url(location));
      assert.ok(['file:', 'http:', 'https:'].includes(url.protocol));
      assert.ok(decodeURIComponent(url.pathname).endsWith(location.Key), url.pathname);
    });
  });
}
