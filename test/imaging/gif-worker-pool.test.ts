import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { FrameStreamEncoder } from '../../examples/weather/imaging/frame-stream-encoder.js';
import { GifWorkerPool } from '../../examples/weather/imaging/gif-worker-pool.js';

describe('GIF worker pool', () => {
  const pool = new GifWorkerPool(2);
  after(() => pool.close());

  const width = 64;
  const height = 48;
  function frames(count: number): Uint8Array[] {
    return Array.from({ length: count }, (_, f) => Uint8Array.from({ length: width * height * 4 }, (_, i) => ((i + f * 977) * 2654435761) >>> 24));
  }

  test('encodes frame streams in threads exactly as on this thread', async () => {
    const palette = Uint8Array.from({ length: 255 * 3 }, (_, i) => (i * 37) & 0xff);
    const spec = { width, height, palette };
    const all = frames(6);
    // Two streams over frames 0-2 and 3-5, the second shown frame 2 first, as encodeGif does.
    const first = pool.openStream(spec);
    const second = pool.openStream(spec);
    const sent = [
      ...all.slice(0, 3).map((rgba) => first.push(rgba.slice(), { encode: true, transfer: true })),
      second.push(all[2]!, { encode: false, transfer: false }),
      ...all.slice(3).map((rgba) => second.push(rgba, { encode: true, transfer: false })),
    ];
    const answers = await Promise.all(sent);
    first.close();
    second.close();
    const threaded = [...answers.slice(0, 3), ...answers.slice(4)];
    assert.equal(answers[3], undefined, 'a lead-in frame is not encoded');

    const inline = new FrameStreamEncoder(spec);
    const expected = all.map((rgba) => inline.encode(rgba));
    inline.close();
    threaded.forEach((frame, k) => {
      assert.deepEqual({ ...frame!, data: Buffer.from(frame!.data) }, { ...expected[k]!, data: Buffer.from(expected[k]!.data) }, `frame ${k}`);
    });
  });

  test('reports a failed stream and keeps working', async () => {
    const broken = pool.openStream({ width, height, palette: new Uint8Array(0) });
    await assert.rejects(broken.push(frames(1)[0]!, { encode: true, transfer: false }), /GIF encoder worker failed: RangeError: palette must hold/);
    broken.close();
    const stream = pool.openStream({ width, height, palette: new Uint8Array([1, 2, 3]) });
    const frame = await stream.push(frames(1)[0]!, { encode: true, transfer: false });
    stream.close();
    assert.equal(frame?.width, width);
  });
});
