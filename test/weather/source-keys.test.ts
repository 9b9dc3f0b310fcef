/**
 * Blob keys derive from everything their content derives from, and a blob is written once: so
 * the same imageId and valid time fetched with other layers (or a GIF of the same frames at
 * another speed) makes a blob of its own, and never replaces one already in a GIF or a mail.
 */
import assert from 'node:assert/strict';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import sharp from 'sharp';
import { diskBlobStore } from '../../src/adapters/disk/blob-store.js';
import { outboxMailer } from '../../src/adapters/mail/outbox-mailer.js';
import { invokeWorker, type Location, type Message } from '../../src/index.js';
import { startAmpServer } from '../../examples/weather/offline-maps/amp-server.js';
import { createGifCreator } from '../../examples/weather/workers/gif-creator.js';
import { createThumbnailCreator } from '../../examples/weather/workers/thumbnail-creator.js';
import { weatherRuntime } from '../support/weather-runtime.js';

const credentials = { clientId: 'keys-client', clientSecret: 'keys-secret-5a4b3c' };
const NOW = Date.UTC(2026, 5, 1, 16, 3);
let amp: Awaited<ReturnType<typeof startAmpServer>>;
before(async () => {
  amp = await startAmpServer({ ...credentials, now: () => NOW });
});
after(() => amp.close());

const fetch = (layers: string[]) => ({
  type: 'please-fetch-amp-image',
  imageId: 'OSN 2017 Demo', // the default schedule's imageId, as in the README's example
  layers,
  width: 160,
  height: 120,
  center: 'athens,ga',
  zoom: 5,
  validTime: '-30m',
});

describe('the weather flow: keys from their source', () => {
  it('the same imageId and valid time with other layers gives another thumbnail, and the first stays as it was', async () => {
    const { runtime } = await weatherRuntime({
      mailer: outboxMailer(await mkdtemp(join(tmpdir(), 'dataflow-outbox-'))),
      amp: { baseUrl: amp.url, ...credentials },
      config: { thumbnail: { width: 40, height: 40 } },
    });
    try {
      const thumbnails = async () => (await runtime.state.find({ type: 'did-create-thumbnail' })).map((m) => m.body as Message & { location: Location; validTime: number });
      const frames = async () => (await runtime.state.find({ type: 'did-fetch-amp-image' })).map((m) => m.body as Message & { location: Location });

      await runtime.send([fetch(['flat-dk', 'radar', 'admin-cities-dk'])]);
      await runtime.idle();
      const [first] = await thumbnails();
      assert.ok(first, 'a thumbnail of the radar map');
      const firstBytes = await runtime.blobs.get(first.location);

      await runtime.send([fetch(['flat-dk', 'temperatures', 'admin-cities-dk'])]);
      await runtime.idle();
      assert.deepEqual(await runtime.state.find({ status: 'dead' }), []);
      const both = await thumbnails();
      assert.equal(both.length, 2);
      const second = both.find((t) => t.location.Key !== first.location.Key);
      assert.ok(second, `another key for the other map: ${both.map((t) => t.location.Key).join(', ')}`);
      assert.equal(second.validTime, first.validTime, 'at the same valid time');
      assert.ok((await runtime.blobs.get(first.location)).equals(firstBytes), 'the first thumbnail is untouched');
      assert.ok(!(await runtime.blobs.get(second.location)).equals(firstBytes), 'the second shows the other map');

      // The same map again (a schedule asking for the last frames every round): the same keys, no error.
      await runtime.send([fetch(['flat-dk', 'radar', 'admin-cities-dk'])]);
      await runtime.idle();
      assert.deepEqual(await runtime.state.find({ status: 'dead' }), []);
      const again = await thumbnails();
      assert.equal(again.length, 3);
      assert.equal(new Set(again.map((t) => t.location.Key)).size, 2, 'the same frame gives the same thumbnail key');
      assert.equal(new Set((await frames()).map((f) => f.location.Key)).size, 2, 'and the same frame key');
      assert.ok((await runtime.blobs.get(first.location)).equals(firstBytes));
    } finally {
      await runtime.stop();
    }
  });
});

describe('worker keys derive from their source', () => {
  const png = (shade: number) => sharp({ create: { width: 32, height: 24, channels: 3, background: { r: shade, g: 90, b: 160 } } }).png().toBuffer();

  it('thumbnail-creator: another source frame at the same imageId, valid time and size gets another key', async () => {
    const blobs = diskBlobStore(await mkdtemp(join(tmpdir(), 'dataflow-keys-')));
    const sources = [{ Bucket: 'dataflow', Key: 'amp-image-fetcher/a/radar.png' }, { Bucket: 'dataflow', Key: 'amp-image-fetcher/a/temperatures.png' }];
    await blobs.put(sources[0]!, await png(10));
    await blobs.put(sources[1]!, await png(240));
    const thumbnail = (location: Location) =>
      invokeWorker(createThumbnailCreator(), { type: 'please-create-thumbnail', imageId: 'temps', location, width: 16, height: 16, validTime: Date.UTC(2017, 5, 1, 16) }, { blobs, bucket: 'dataflow' });
    const [a, b, again] = [await thumbnail(sources[0]!), await thumbnail(sources[1]!), await thumbnail(sources[0]!)];
    const keys = [a, b, again].map((reply) => (reply.location as Location).Key);
    assert.notEqual(keys[0], keys[1]);
    assert.equal(keys[2], keys[0], 'the same source, the same key');
    assert.deepEqual([a, b].map((reply) => reply.source), sources, 'each names the frame it was made from');
    for (const key of keys) assert.match(key, /^thumbnail-creator\/temps-[0-9a-f]{10}\/20170601160000-16x16-[0-9a-f]{12}\.png$/);
  });

  it('gif-creator: the same frames at another delay or loop get another key', async () => {
    const blobs = diskBlobStore(await mkdtemp(join(tmpdir(), 'dataflow-keys-')));
    const locations = [0, 1].map((i) => ({ Bucket: 'dataflow', Key: `amp-image-fetcher/g/${i}.png` }));
    for (const [i, location] of locations.entries()) await blobs.put(location, await png(i * 200));
    const gif = (extra: Record<string, unknown>) => invokeWorker(createGifCreator(), { type: 'please-create-gif', imageId: 'temps', locations, validTime: 1, ...extra }, { blobs, bucket: 'dataflow' });
    const replies = [await gif({ gifDelay: 250 }), await gif({ gifDelay: 500 }), await gif({ gifDelay: 250, gifLoop: false }), await gif({ gifDelay: 250 })];
    const keys = replies.map((reply) => (reply.location as Location).Key);
    assert.equal(new Set(keys.slice(0, 3)).size, 3, keys.join(', '));
    assert.equal(keys[3], keys[0], 'the same request, the same key');
  });
});
