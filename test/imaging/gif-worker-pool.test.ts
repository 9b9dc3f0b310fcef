import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { FrameRangeEncoder } from '../../src/flows/weather/imaging/frame-range-encoder.js';
import { GifWorkerPool } from '../../src/flows/weather/imaging/gif-worker-pool.js';

describe('GIF worker pool', () => {
  const pool = new GifWorkerPool(2);
  after(() => pool.close());

  function job(frames: number, palette: Uint8Array) {
    const width = 64;
    const height = 48;
    const pixels = new SharedArrayBuffer(width * height * 4 * frames);
    const view = new Uint8Array(pixels);
    for (let i = 0; i < view.length; i++) view[i] = (i * 2654435761) >>> 24;
    return { pixels, width, height, palette };
  }

  test('encodes frame ranges in threads exactly as on this thread', async () => {
    const palette = Uint8Array.from({ length: 255 * 3 }, (_, i) => (i * 37) & 0xff);
    const shared = job(6, palette);
    const threaded = (await Promise.all([pool.run({ ...shared, start: 0, end: 3 }), pool.run({ ...shared, start: 3, end: 6 })])).flat();
    const inline = new FrameRangeEncoder().encode({ ...shared, start: 0, end: 6 });
    assert.equal(threaded.length, 6);
    threaded.forEach((frame, k) => {
      assert.deepEqual({ ...frame, data: Buffer.from(frame.data) }, { ...inline[k]!, data: Buffer.from(inline[k]!.data) }, `frame ${k}`);
    });
  });

  test('reports a failed job and keeps working', async () => {
    await assert.rejects(pool.run({ ...job(1, new Uint8Array(0)), start: 0, end: 1 }), /GIF encoder worker failed: RangeError: palette must hold/);
    const frames = await pool.run({ ...job(1, new Uint8Array([1, 2, 3])), start: 0, end: 1 });
    assert.equal(frames.length, 1);
  });
});
