/** The blob store's conformance suite: every adapter runs it unchanged. */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { BlobNotFoundError, type BlobStore } from '../../src/index.js';

export function blobStoreConformance(name: string, open: () => Promise<BlobStore>): void {
  describe(`blob store conformance: ${name}`, () => {
    it('stores bytes and gives the same bytes back', async () => {
      const store = await open();
      const body = randomBytes(256 * 1024 + 17);
      const location = { Bucket: 'dataflow', Key: 'thumbnail-creator/temps-abc/20170601160000-200x200.png' };
      await store.put(location, body, { contentType: 'image/png' });
      assert.ok((await store.get(location)).equals(body));
    });

    it('overwrites a key whole', async () => {
      const store = await open();
      const location = { Bucket: 'dataflow', Key: 'gif-creator/a.gif' };
      await store.put(location, Buffer.alloc(1000, 1));
      await store.put(location, Buffer.from('short'));
      assert.equal((await store.get(location)).toString(), 'short');
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
      for (const Key of ['../outside.png', 'a/../../b', '/absolute', 'a//b', 'a\\b']) {
        await assert.rejects(store.put({ Bucket: 'dataflow', Key }, Buffer.from('x')), /invalid location/, Key);
      }
      await assert.rejects(store.put({ Bucket: '../etc', Key: 'a' }, Buffer.from('x')), /Bucket/);
    });

    it('links to a stored blob', async () => {
      const store = await open();
      const location = { Bucket: 'dataflow', Key: 'amp-image-fetcher/x.png' };
      await store.put(location, Buffer.from('png'));
      const url = new URL(await store.url(location));
      assert.ok(['file:', 'http:', 'https:'].includes(url.protocol));
      assert.match(decodeURIComponent(url.pathname), /amp-image-fetcher\/x\.png$/);
    });
  });
}
