import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import sharp from 'sharp';
import { coverThumbnail, MAX_THUMBNAIL_SIDE } from '../../examples/weather/imaging/cover-thumbnail.js';
import { decodeRgb, mapLikeFrames, rawPng, type Rgb } from './make-frames.js';

const RED: Rgb = [255, 0, 0];
const GREEN: Rgb = [0, 255, 0];
const BLUE: Rgb = [0, 0, 255];

/** An image whose outer bands (`band` pixels each) are `outer` and whose middle is `inner`, across x or y. */
async function banded(width: number, height: number, band: number, axis: 'x' | 'y', outer: [Rgb, Rgb], inner: Rgb): Promise<Buffer> {
  const data = new Uint8Array(width * height * 3);
  const length = axis === 'x' ? width : height;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const along = axis === 'x' ? x : y;
      const colour = along < band ? outer[0] : along >= length - band ? outer[1] : inner;
      data.set(colour, (y * width + x) * 3);
    }
  }
  return rawPng(data, width, height);
}

function everyPixelIs(data: Uint8Array, [r, g, b]: Rgb, tolerance: number): boolean {
  for (let i = 0; i < data.length; i += 3) {
    if (Math.abs(data[i]! - r) > tolerance || Math.abs(data[i + 1]! - g) > tolerance || Math.abs(data[i + 2]! - b) > tolerance) return false;
  }
  return true;
}

describe('coverThumbnail', () => {
  test('makes a PNG of exactly the size asked for', async () => {
    const [frame] = await mapLikeFrames(1, 320, 240);
    for (const [width, height] of [
      [100, 100],
      [200, 50],
      [50, 200],
      [640, 480],
      [1, 1],
    ] as const) {
      const thumbnail = await coverThumbnail(frame!, width, height);
      const meta = await sharp(thumbnail).metadata();
      assert.deepEqual([meta.format, meta.width, meta.height], ['png', width, height], `${width}x${height}`);
    }
  });

  test('fills the box and crops a wide image to its centre', async () => {
    // 400x200 with red and blue 80 px side bands: covering 100x100 scales by 1/2 and keeps x 100..300.
    const image = await banded(400, 200, 80, 'x', [RED, BLUE], GREEN);
    const { data, width, height } = await decodeRgb(await coverThumbnail(image, 100, 100));
    assert.deepEqual([width, height], [100, 100]);
    assert.ok(everyPixelIs(data, GREEN, 8), 'only the green centre is left');
  });

  test('crops a tall image to its centre', async () => {
    const image = await banded(200, 400, 80, 'y', [RED, BLUE], GREEN);
    const { data } = await decodeRgb(await coverThumbnail(image, 100, 100));
    assert.ok(everyPixelIs(data, GREEN, 8), 'only the green centre is left');
  });

  test('keeps the whole short side: the side bands still show when the box is as wide', async () => {
    const image = await banded(400, 200, 80, 'x', [RED, BLUE], GREEN);
    const { data, width } = await decodeRgb(await coverThumbnail(image, 200, 50));
    // 200x50 from 400x200: scale 1/2 covers the width exactly, so the bands (40 px) remain.
    const pixel = (x: number, y: number) => [...data.subarray((y * width + x) * 3, (y * width + x) * 3 + 3)];
    assert.deepEqual(pixel(5, 25), RED);
    assert.deepEqual(pixel(100, 25), GREEN);
    assert.deepEqual(pixel(195, 25), BLUE);
  });

  test('names the field that is wrong', async () => {
    const image = await banded(40, 20, 5, 'x', [RED, BLUE], GREEN);
    const cases: Array<[number, number, RegExp]> = [
      [0, 10, /^width must be a whole number of pixels from 1 to 4096, got 0$/],
      [10.5, 10, /^width must be/],
      [Number.NaN, 10, /^width must be/],
      [MAX_THUMBNAIL_SIDE + 1, 10, /^width must be .* got 4097$/],
      [10, -3, /^height must be .* got -3$/],
      [10, Number.POSITIVE_INFINITY, /^height must be/],
    ];
    for (const [width, height, message] of cases) {
      await assert.rejects(coverThumbnail(image, width, height), (error: Error) => {
        assert.match(error.message, message);
        assert.equal(error.name, 'NonRetriableError');
        return true;
      });
    }
  });

  test('says when the input is not an image', async () => {
    await assert.rejects(coverThumbnail(Buffer.from('hello'), 10, 10), /input is not a decodable image/);
    await assert.rejects(coverThumbnail(Buffer.alloc(0), 10, 10), /input is not a decodable image/);
  });
});
