/**
 * The GIF encoder's memory does not grow with the frames' decoded size: frames are decoded as
 * they are encoded. Measured in a child process, so the peak is this encode's alone.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';

const SIDE = 1000;
const FRAMES = 160;
/** Distinct frames on disk, repeated in turn: enough that every frame differs from the one before. */
const DISTINCT = 4;

let folder = '';

before(async () => {
  folder = await mkdtemp(join(tmpdir(), 'dataflow-gif-memory-'));
  const base = Buffer.alloc(SIDE * SIDE * 3);
  for (let y = 0; y < SIDE; y++) {
    for (let x = 0; x < SIDE; x++) {
      const i = (y * SIDE + x) * 3;
      base[i] = (x * 255) / SIDE;
      base[i + 1] = (y * 255) / SIDE;
      base[i + 2] = 128;
    }
  }
  for (let f = 0; f < DISTINCT; f++) {
    // A square that moves, on a gradient; stored uncompressed so decoding costs little time.
    const spot = await sharp({ create: { width: 150, height: 150, channels: 3, background: { r: 250, g: 40 * f, b: 20 } } }).png().toBuffer();
    await sharp(base, { raw: { width: SIDE, height: SIDE, channels: 3 } })
      .composite([{ input: spot, left: 100 + f * 200, top: 150 + f * 150 }])
      .png({ compressionLevel: 0 })
      .toFile(join(folder, `frame-${f}.png`));
  }
});

after(() => rm(folder, { recursive: true, force: true }));

describe('encodeGif memory', () => {
  test(`${FRAMES} frames of ${SIDE}x${SIDE} from disk: peak memory grows far less than the frames decoded`, async () => {
    const child = fileURLToPath(new URL('./encode-gif-memory-child.ts', import.meta.url));
    const stdout = await new Promise<string>((resolve, reject) => {
      execFile(process.execPath, ['--conditions=source', '--import', 'tsx', child, folder, String(FRAMES)], { timeout: 120_000, maxBuffer: 1 << 20 }, (error, out, stderr) =>
        error ? reject(new Error(`${error.message}\n${stderr}`)) : resolve(out),
      );
    });
    const result = JSON.parse(stdout) as { beforeBytes: number; afterBytes: number; seconds: number; gifBytes: number; pages: number; width: number; height: number };
    assert.deepEqual([result.pages, result.width, result.height], [FRAMES, SIDE, SIDE], 'every frame made it into the GIF');
    const decoded = FRAMES * SIDE * SIDE * 4;
    const growth = result.afterBytes - result.beforeBytes;
    const mib = (bytes: number) => `${Math.round(bytes / 2 ** 20)} MiB`;
    assert.ok(
      growth < decoded * 0.4,
      `peak memory grew by ${mib(growth)} encoding frames of ${mib(decoded)} decoded (expected under 40%; took ${result.seconds.toFixed(1)} s, GIF ${mib(result.gifBytes)})`,
    );
  });
});
