import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import sharp from 'sharp';
import { LzwEncoder } from '../../examples/weather/imaging/gif-lzw.js';
import { writeGif } from '../../examples/weather/imaging/gif-writer.js';
import { seededRandom } from './make-frames.js';

/** A palette whose colour i is (i, 255 - i, i ^ 0x55), so a decoded pixel names its index. */
function indexPalette(colours: number): Uint8Array {
  const palette = new Uint8Array(colours * 3);
  for (let i = 0; i < colours; i++) palette.set([i, 255 - i, i ^ 0x55], i * 3);
  return palette;
}

async function roundTrip(indices: Uint8Array, width: number, height: number, minCodeSize: number): Promise<Uint8Array> {
  const encoder = new LzwEncoder();
  const gif = writeGif({
    width,
    height,
    palette: indexPalette(1 << minCodeSize),
    frames: [{ left: 0, top: 0, width, height, delayCs: 0, data: encoder.encode(indices, minCodeSize) }],
  });
  const { data, info } = await sharp(gif).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  assert.deepEqual([info.width, info.height], [width, height]);
  return Uint8Array.from({ length: width * height }, (_, p) => data[p * 3]!);
}

describe('LZW encoder', () => {
  test('round-trips noise through many table resets', async () => {
    // Noise fills the 4096-code table every few thousand pixels, so this crosses many clears.
    const random = seededRandom(3);
    const indices = Uint8Array.from({ length: 300 * 200 }, () => Math.floor(random() * 256));
    assert.deepEqual(await roundTrip(indices, 300, 200, 8), indices);
  });

  test('round-trips long runs and repeats', async () => {
    const indices = Uint8Array.from({ length: 256 * 256 }, (_, p) => ((p >> 9) * 7 + (p % 3)) & 0xff);
    assert.deepEqual(await roundTrip(indices, 256, 256, 8), indices);
  });

  test('round-trips small code sizes and a single pixel', async () => {
    const random = seededRandom(5);
    const four = Uint8Array.from({ length: 97 * 61 }, () => Math.floor(random() * 4));
    assert.deepEqual(await roundTrip(four, 97, 61, 2), four);
    assert.deepEqual(await roundTrip(Uint8Array.of(3), 1, 1, 2), Uint8Array.of(3));
  });

  test('reusing one encoder gives the same bytes', () => {
    const encoder = new LzwEncoder();
    const random = seededRandom(9);
    const indices = Uint8Array.from({ length: 50_000 }, () => Math.floor(random() * 40));
    const first = encoder.encode(indices, 8);
    encoder.encode(Uint8Array.from({ length: 70_000 }, () => Math.floor(random() * 256)), 8);
    assert.deepEqual(encoder.encode(indices, 8), first);
  });
});
