/**
 * Animated GIF from encoded still frames, in process (sharp decodes and picks the palette; the
 * mapping and LZW are TypeScript in worker threads).
 *
 * How: decode every frame to RGBA in a shared buffer; pick one global palette of up to 255
 * colours with libimagequant from pixels sampled across all frames; map each frame to its nearest
 * colours without dithering; keep in each frame only the rectangle whose colours changed, with
 * unchanged pixels transparent; LZW-compress frame ranges on all cores. One palette and no
 * dithering mean a pixel that does not change is the same colour on every page: no flicker.
 * Measured against ImageMagick and ffmpeg in `bench/imaging.ts`.
 */
import { availableParallelism } from 'node:os';
import sharp, { type OutputInfo } from 'sharp';
import { NonRetriableError } from '../../../index.js';
import { FrameRangeEncoder, type EncodedFrame } from './frame-range-encoder.js';
import { globalPalette } from './global-palette.js';
import { GifWorkerPool } from './gif-worker-pool.js';
import { writeGif } from './gif-writer.js';

export interface EncodeGifOptions {
  /** Delay after every frame, in milliseconds; GIF stores hundredths of a second, so it is rounded to 10 ms. */
  delayMs: number;
  /**
   * `true` loops forever, `false` plays once, a whole number n >= 1 plays n times; 0 also loops
   * forever, as in sharp and the GIF format.
   */
  loop: boolean | number;
}

/** Tuning, measured with `npm run bench` (numbers in README.md beside this file). */
export const gifEncoderSettings = {
  /** libimagequant effort for the palette: 7 reached within 0.1 dB of 10 at a third of the time. */
  paletteEffort: 7,
  /** Pixels sampled across all frames for the palette; 250k lost under 0.1 dB against 3M. */
  paletteSamples: 250_000,
  /** Below this many pixels in all, threads cost more than they save. */
  minPixelsForWorkers: 1_000_000,
  /** Worker threads, at most. */
  maxWorkers: 8,
  /** White, for frames with transparency: GIF has only on/off alpha, and mail clients show white. */
  background: { r: 255, g: 255, b: 255 },
} as const;

const MAX_DELAY_MS = 0xffff * 10;
const MAX_SIDE = 0xffff;
/** Frames are held decoded in one shared buffer. */
const MAX_DECODED_BYTES = 2 ** 31 - 1;

let pool: GifWorkerPool | undefined;
let workersFailed = false;
/** For small jobs, or without threads; kept because its colour cache is 16 MiB to allocate. */
let inline: FrameRangeEncoder | undefined;

export async function encodeGif(frames: Buffer[], options: EncodeGifOptions): Promise<Buffer> {
  const { delayCs, loopCount } = checkOptions(frames, options);
  const threads = await useThreads(frames);

  const { pixels, width, height } = await decodeFrames(frames);
  const views = frames.map((_, k) => new Uint8Array(pixels, k * width * height * 4, width * height * 4));
  const palette = await globalPalette(views, width, height, {
    effort: gifEncoderSettings.paletteEffort,
    maxSamples: gifEncoderSettings.paletteSamples,
  });

  const job = { pixels, width, height, palette };
  let encoded: EncodedFrame[] | undefined;
  if (threads && pool) {
    const ranges = Math.min(pool.size, frames.length);
    try {
      const parts = await Promise.all(
        Array.from({ length: ranges }, (_, r) =>
          pool!.run({
            ...job,
            start: Math.floor((r * frames.length) / ranges),
            end: Math.floor(((r + 1) * frames.length) / ranges),
          }),
        ),
      );
      encoded = parts.flat();
    } catch {
      // Threads that cannot start (or died) must not cost the GIF: do it on this thread, and
      // stop using threads in this process.
      await closeGifWorkers();
      workersFailed = true;
    }
  }
  encoded ??= (inline ??= new FrameRangeEncoder()).encode({ ...job, start: 0, end: frames.length });

  // The table holds the palette plus the transparent index right after it.
  const table = new Uint8Array((palette.length / 3 + 1) * 3);
  table.set(palette);
  return writeGif({
    width,
    height,
    palette: table,
    ...(loopCount === undefined ? {} : { loopCount }),
    frames: encoded.map((frame) => ({ ...frame, delayCs })),
  });
}

/**
 * Whether to spread the work over threads: with more than one core, for jobs big enough to pay
 * for it (the first frame's header tells the size). The threads are started here, so they boot
 * while this thread decodes and picks the palette.
 */
async function useThreads(frames: Buffer[]): Promise<boolean> {
  const workers = Math.min(gifEncoderSettings.maxWorkers, availableParallelism());
  if (workers < 2 || workersFailed || frames.length < 2) return false;
  const { width = 0, height = 0 } = await sharp(frames[0]).metadata().catch(() => ({ width: 0, height: 0 }));
  if (frames.length * width * height < gifEncoderSettings.minPixelsForWorkers) return false;
  pool ??= new GifWorkerPool(workers);
  pool.warm();
  return true;
}

/** Stops the encoder's worker threads (they are unref'd, so this is only for tidy shutdowns). */
export async function closeGifWorkers(): Promise<void> {
  await pool?.close();
  pool = undefined;
}

function checkOptions(frames: unknown, options: EncodeGifOptions): { delayCs: number; loopCount: number | undefined } {
  if (!Array.isArray(frames) || frames.length === 0) {
    throw new NonRetriableError('frames must hold at least one image, got none');
  }
  frames.forEach((frame, index) => {
    if (!Buffer.isBuffer(frame) || frame.length === 0) {
      throw new NonRetriableError(`frames[${index}] is not a decodable image: expected a non-empty Buffer`);
    }
  });
  const { delayMs, loop } = options ?? ({} as EncodeGifOptions);
  if (typeof delayMs !== 'number' || !Number.isFinite(delayMs) || delayMs < 0 || delayMs > MAX_DELAY_MS) {
    throw new NonRetriableError(`delayMs must be a number of milliseconds from 0 to ${MAX_DELAY_MS}, got ${String(delayMs)}`);
  }
  let loopCount: number | undefined;
  if (loop === true || loop === 0) loopCount = 0;
  else if (loop === false || loop === 1) loopCount = undefined;
  else if (typeof loop === 'number' && Number.isInteger(loop) && loop >= 2 && loop <= 0x10000) loopCount = loop - 1;
  else throw new NonRetriableError(`loop must be true, false or a whole number of plays from 1 to 65536, got ${String(loop)} (0 also loops forever)`);
  return { delayCs: Math.round(delayMs / 10), loopCount };
}

/**
 * Decodes every frame to RGBA in one shared buffer. The first frame sets the size; any other
 * frame of another size is scaled to cover it and centre-cropped.
 */
async function decodeFrames(frames: Buffer[]): Promise<{ pixels: SharedArrayBuffer; width: number; height: number }> {
  const first = await decodeFrame(frames[0]!, 0);
  const { width, height } = first.info;
  if (width > MAX_SIDE || height > MAX_SIDE) {
    throw new NonRetriableError(`frames[0] is ${width}x${height}; a GIF is at most ${MAX_SIDE} pixels a side`);
  }
  const frameBytes = width * height * 4;
  if (frameBytes * frames.length > MAX_DECODED_BYTES) {
    throw new NonRetriableError(`frames are too many or too large: ${frames.length} of ${width}x${height} need over 2 GiB decoded`);
  }
  const pixels = new SharedArrayBuffer(frameBytes * frames.length);
  new Uint8Array(pixels, 0, frameBytes).set(first.data);
  await Promise.all(
    frames.slice(1).map(async (frame, i) => {
      const index = i + 1;
      const decoded = await decodeFrame(frame, index, { width, height });
      new Uint8Array(pixels, index * frameBytes, frameBytes).set(decoded.data);
    }),
  );
  return { pixels, width, height };
}

async function decodeFrame(
  input: Buffer,
  index: number,
  size?: { width: number; height: number },
): Promise<{ data: Buffer; info: OutputInfo }> {
  try {
    let image = sharp(input).autoOrient().flatten({ background: gifEncoderSettings.background });
    if (size) image = image.resize(size.width, size.height, { fit: 'cover', position: 'centre' });
    const decoded = await image.toColourspace('srgb').ensureAlpha(1).raw({ depth: 'uchar' }).toBuffer({ resolveWithObject: true });
    if (decoded.info.channels !== 4) throw new Error(`decoded to ${decoded.info.channels} channels, expected 4`);
    return decoded;
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new NonRetriableError(`frames[${index}] is not a decodable image: ${reason}`, { cause: error });
  }
}
