/** The gif-creator on the embedded runtime: its pixel budget refuses a GIF too large to make, at once. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import sharp from 'sharp';
import { silentLogger, type Location, type Mailer, type MessageOf } from '../../src/index.js';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { diskBlobStore } from '../../src/adapters/disk/blob-store.js';
import { PleaseCreateGif } from '../../examples/weather/messages.js';
import { createGifCreator } from '../../examples/weather/workers/gif-creator.js';
import { weatherRuntime } from '../support/weather-runtime.js';

const noMail: Mailer = {
  send: async () => {
    throw new Error('no mail in this test');
  },
};

async function storeFrames(blobs: { put(location: Location, body: Buffer): Promise<void> }, count: number): Promise<Location[]> {
  const locations: Location[] = [];
  for (let i = 0; i < count; i++) {
    const location = { Bucket: 'dataflow', Key: `amp-image-fetcher/budget/frame-${i}.png` };
    await blobs.put(location, await sharp({ create: { width: 40, height: 30, channels: 3, background: { r: 10 * i, g: 100, b: 200 } } }).png().toBuffer());
    locations.push(location);
  }
  return locations;
}

describe('gif-creator', () => {
  it('dead-letters a GIF over its pixel budget at once, naming the budget and the size', async () => {
    const { runtime } = await weatherRuntime({ mailer: noMail, gif: { maxPixels: 10_000 } });
    const locations = await storeFrames(runtime.blobs, 12); // 12 × 40 × 30 = 14,400 pixels
    const { rejected } = await runtime.send([{ type: 'please-create-gif', imageId: 'budget', locations, validTime: 1_000 }]);
    assert.deepEqual(rejected, []);
    await runtime.idle();
    const [dead, ...others] = await runtime.state.find({ status: 'dead' });
    assert.equal(others.length, 0);
    assert.equal(dead?.type, 'please-create-gif');
    assert.equal(dead?.attempts, 1, 'not retried');
    assert.match(dead?.reason ?? '', /cannot make a GIF of 12 frames: 12 frames of 40x30 are 14400 pixels in all \(frames × width × height\), over the budget of 10000 pixels; DATAFLOW_GIF_MAX_PIXELS sets the budget/);
    assert.deepEqual(await runtime.state.find({ type: 'did-create-gif' }), []);
    await runtime.stop();
  });

  it('makes the same GIF within the budget', async () => {
    const { runtime } = await weatherRuntime({ mailer: noMail, gif: { maxPixels: 14_400 } });
    const locations = await storeFrames(runtime.blobs, 12);
    await runtime.send([{ type: 'please-create-gif', imageId: 'budget', locations, validTime: 1_000 }]);
    await runtime.idle();
    const [made] = await runtime.state.find({ type: 'did-create-gif' });
    const gif = await runtime.blobs.get((made?.body as unknown as { location: Location }).location);
    assert.equal((await sharp(gif).metadata()).pages, 12);
    await runtime.stop();
  });

  it('refuses a GIF over the budget it is given, before storing anything', async () => {
    const store = diskBlobStore(await mkdtemp(join(tmpdir(), 'dataflow-gif-budget-')));
    const locations = await storeFrames(store, 3); // 3,600 pixels
    const worker = createGifCreator({ maxPixels: 3000 });
    const context = { blobs: { get: store.get, put: async () => assert.fail('nothing is stored') }, signal: new AbortController().signal, attempt: 1, log: silentLogger };
    const request = { type: 'please-create-gif', id: 'm-1', imageId: 'budget', locations, gifDelay: 100, gifLoop: true, validTime: 1 } as MessageOf<typeof PleaseCreateGif>;
    await assert.rejects(worker.handle(request, context), (error: Error) => error.name === 'NonRetriableError' && /over the budget of 3000 pixels/.test(error.message));
    assert.throws(() => createGifCreator({ maxPixels: 1.5 }), /maxPixels \(DATAFLOW_GIF_MAX_PIXELS\) must be a whole number of pixels above 0, got 1.5/);
    assert.throws(() => createGifCreator({ maxPixels: 0 }), /maxPixels \(DATAFLOW_GIF_MAX_PIXELS\) must be a whole number/);
  });
});
