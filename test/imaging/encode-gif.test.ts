import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import sharp from 'sharp';
import { NonRetriableError } from '../../src/index.js';
import { encodeGif } from '../../examples/weather/imaging/encode-gif.js';
import { readGifBlocks } from './gif-blocks.js';
import { decodePages, decodeRgb, mapLikeFrames, psnr, rawPng, solidPng, type Rgb } from './make-frames.js';

const COLOURS: Rgb[] = [
  [230, 25, 75],
  [60, 180, 75],
  [255, 225, 25],
  [0, 130, 200],
  [245, 130, 48],
  [145, 30, 180],
];

describe('encodeGif', () => {
  test('keeps every frame, in order, with the delay on each', async () => {
    const frames = await Promise.all(COLOURS.map((colour) => solidPng(40, 30, colour)));
    const gif = await encodeGif(frames, { delayMs: 250, loop: true });

    const meta = await sharp(gif).metadata();
    assert.equal(meta.format, 'gif');
    assert.equal(meta.pages, COLOURS.length);
    assert.deepEqual(meta.delay, COLOURS.map(() => 250));
    const { width, height, pages } = await decodePages(gif);
    assert.deepEqual([width, height], [40, 30]);
    pages.forEach((page, index) => {
      const centre = ((15 * 40 + 20) * 3) as number;
      const got = [...page.subarray(centre, centre + 3)];
      COLOURS[index]!.forEach((value, channel) =>
        assert.ok(Math.abs(got[channel]! - value) <= 2, `page ${index} is ${got}, expected ${COLOURS[index]}`),
      );
    });
  });

  test('keeps identical neighbouring frames as pages of their own', async () => {
    const red = await solidPng(20, 20, [200, 0, 0]);
    const blue = await solidPng(20, 20, [0, 0, 200]);
    const gif = await encodeGif([red, red, blue, blue, red], { delayMs: 100, loop: true });
    const meta = await sharp(gif).metadata();
    assert.equal(meta.pages, 5);
    assert.deepEqual(meta.delay, [100, 100, 100, 100, 100]);
  });

  test('writes the loop count: true loops forever, false plays once, n plays n times', async () => {
    const frames = await Promise.all(COLOURS.slice(0, 2).map((colour) => solidPng(8, 8, colour)));
    const cases: Array<[boolean | number, number]> = [
      [true, 0],
      [false, 1],
      [0, 0],
      [1, 1],
      [3, 3],
    ];
    for (const [loop, expected] of cases) {
      const meta = await sharp(await encodeGif(frames, { delayMs: 40, loop })).metadata();
      assert.equal(meta.loop, expected, `loop: ${loop}`);
    }
  });

  test('rounds the delay to the hundredths of a second GIF stores', async () => {
    const frames = await Promise.all(COLOURS.slice(0, 2).map((colour) => solidPng(8, 8, colour)));
    const meta = await sharp(await encodeGif(frames, { delayMs: 1234, loop: true })).metadata();
    assert.deepEqual(meta.delay, [1230, 1230]);
  });

  test('truecolour frames come out close to their sources', async () => {
    const frames = await mapLikeFrames(6, 160, 120);
    const gif = await encodeGif(frames, { delayMs: 250, loop: true });
    const { pages } = await decodePages(gif);
    assert.equal(pages.length, frames.length);
    for (const [index, frame] of frames.entries()) {
      const source = await decodeRgb(frame);
      const quality = psnr(pages[index]!, source.data);
      assert.ok(quality > 35, `page ${index}: PSNR ${quality.toFixed(1)} dB`);
    }
  });

  test('a region that stays the same decodes the same on every page (no flicker)', async () => {
    // 8 frames of 400x400 are enough pixels to go through the worker threads, split in ranges.
    const width = 400;
    const height = 400;
    const frames = await mapLikeFrames(8, width, height, { staticLeft: true });
    const sources = await Promise.all(frames.map(decodeRgb));
    for (const source of sources.slice(1)) {
      assert.ok(sameRegion(source.data, sources[0]!.data, width, width / 2, height), 'the test frames have a static left half');
    }
    const { pages } = await decodePages(await encodeGif(frames, { delayMs: 100, loop: true }));
    assert.equal(pages.length, 8);
    pages.forEach((page, index) => {
      assert.ok(sameRegion(page, pages[0]!, width, width / 2, height), `page ${index} differs from page 0 in the static half`);
      assert.ok(psnr(page, sources[index]!.data) > 35, `page ${index} is far from its source`);
    });
  });

  test('uses one global palette and sends only the part that changed', async () => {
    const base = await solidPng(100, 80, [30, 60, 90]);
    const spotted = await sharp(base)
      .composite([{ input: await solidPng(10, 8, [250, 250, 0]), left: 40, top: 30 }])
      .png()
      .toBuffer();
    const blocks = readGifBlocks(await encodeGif([base, spotted, base], { delayMs: 500, loop: 2 }));
    assert.ok(blocks.globalColours > 0);
    assert.equal(blocks.netscapeLoops, 1);
    assert.deepEqual(
      blocks.images.map((image) => [image.localColourTable, image.disposal, image.delayCs]),
      [
        [false, 1, 50],
        [false, 1, 50],
        [false, 1, 50],
      ],
    );
    assert.deepEqual(blocks.images.map(({ left, top, width, height }) => [left, top, width, height]), [
      [0, 0, 100, 80],
      [40, 30, 10, 8],
      [40, 30, 10, 8],
    ]);
  });

  test('fits frames of another size to the first frame (cover, centre crop)', async () => {
    const first = await solidPng(60, 40, [10, 200, 10]);
    const wide = await rawPng(bands(240, 40, [255, 0, 0], [0, 0, 255], [255, 0, 0]), 240, 40);
    const gif = await encodeGif([first, wide, await solidPng(30, 20, [0, 0, 250])], { delayMs: 100, loop: true });
    const { width, height, pages } = await decodePages(gif);
    assert.deepEqual([width, height], [60, 40]);
    // The wide frame's centre third (blue) fills the box once scaled to cover and cropped.
    const middle = (20 * 60 + 30) * 3;
    assert.deepEqual([...pages[1]!.subarray(middle, middle + 3)].map((v) => Math.round(v / 50)), [0, 0, 5]);
    assert.ok(pages[2]![middle + 2]! > 240);
  });

  test('puts transparent frames on white', async () => {
    const clear = await sharp({ create: { width: 10, height: 10, channels: 4, background: { r: 0, g: 0, b: 0, alpha: 0 } } }).png().toBuffer();
    const { pages } = await decodePages(await encodeGif([clear], { delayMs: 100, loop: false }));
    assert.ok(pages[0]!.every((v) => v === 255));
  });

  test('accepts a single frame and greyscale or JPEG input', async () => {
    const grey = await sharp({ create: { width: 16, height: 16, channels: 3, background: '#808080' } }).greyscale().png().toBuffer();
    const jpeg = await sharp({ create: { width: 16, height: 16, channels: 3, background: '#2040c0' } }).jpeg().toBuffer();
    const meta = await sharp(await encodeGif([grey, jpeg], { delayMs: 50, loop: true })).metadata();
    assert.equal(meta.pages, 2);
    assert.equal((await sharp(await encodeGif([grey], { delayMs: 50, loop: true })).metadata()).pages, 1);
  });

  test('refuses a GIF over its pixel budget from the first frame\'s header, before reading the others', async () => {
    const first = await solidPng(400, 300, [1, 2, 3]);
    const read: number[] = [];
    const source = { count: 50, read: async (index: number) => (read.push(index), first) };
    await assert.rejects(encodeGif(source, { delayMs: 100, loop: true, maxPixels: 5_000_000 }), (error: Error) => {
      assert.ok(error instanceof NonRetriableError);
      assert.equal(error.message, '50 frames of 400x300 are 6000000 pixels in all (frames × width × height), over the budget of 5000000 pixels');
      return true;
    });
    assert.deepEqual(read, [0]);
    assert.equal((await sharp(await encodeGif({ ...source, count: 41 }, { delayMs: 100, loop: true, maxPixels: 5_000_000 })).metadata()).pages, 41);
  });

  test('reads frames from a source as it needs them', async () => {
    const frames = await mapLikeFrames(30, 320, 240);
    const reads = new Map<number, number>();
    const source = { count: frames.length, read: async (index: number) => (reads.set(index, (reads.get(index) ?? 0) + 1), frames[index]!) };
    const fromSource = await encodeGif(source, { delayMs: 100, loop: true });
    assert.ok(fromSource.equals(await encodeGif(frames, { delayMs: 100, loop: true })), 'the same GIF as from an array');
    assert.deepEqual([...reads.keys()].sort((a, b) => a - b), frames.map((_, i) => i));
    assert.ok([...reads.values()].every((n) => n <= 2), 'a frame is read at most twice (a range\'s lead-in)');
  });

  test('says what is wrong with its input', async () => {
    const good = await solidPng(8, 8, [1, 2, 3]);
    await assert.rejects(encodeGif([], { delayMs: 100, loop: true }), /frames must hold at least one image/);
    await assert.rejects(encodeGif([good, good, Buffer.from('not an image')], { delayMs: 100, loop: true }), (error: Error) => {
      assert.match(error.message, /frames\[2\] is not a decodable image/);
      assert.equal(error.name, 'NonRetriableError');
      return true;
    });
    await assert.rejects(encodeGif([Buffer.alloc(0)], { delayMs: 100, loop: true }), /frames\[0\] is not a decodable image/);
    await assert.rejects(encodeGif([good], { delayMs: -1, loop: true }), /delayMs must be/);
    await assert.rejects(encodeGif([good], { delayMs: Number.NaN, loop: true }), /delayMs must be/);
    await assert.rejects(encodeGif([good], { delayMs: 100, loop: 2.5 }), /loop must be/);
    await assert.rejects(encodeGif([good], { delayMs: 100, loop: -1 }), /loop must be/);
  });
});

/** A width x height RGB image in three vertical bands of equal width. */
function bands(width: number, height: number, ...colours: Rgb[]): Uint8Array {
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const colour = colours[Math.min(colours.length - 1, Math.floor((x * colours.length) / width))]!;
      data.set(colour, (y * width + x) * 3);
    }
  }
  return data;
}

function sameRegion(a: Uint8Array, b: Uint8Array, stride: number, regionWidth: number, regionHeight: number): boolean {
  for (let y = 0; y < regionHeight; y++) {
    const start = y * stride * 3;
    if (Buffer.compare(a.subarray(start, start + regionWidth * 3), b.subarray(start, start + regionWidth * 3)) !== 0) return false;
  }
  return true;
}
