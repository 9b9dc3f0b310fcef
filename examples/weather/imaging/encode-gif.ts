/**
 * Animated GIF from encoded still frames, in process (sharp decodes and picks the palette; the
 * mapping and LZW are TypeScript in worker threads).
 *
 * How: pick one global palette of up to 255 colours with libimagequant from pixels sampled across
 * the frames; map each frame to its nearest colours without dithering; keep in each frame only
 * the rectangle whose colours changed, with unchanged pixels transparent; LZW-compress frame
 * ranges on all cores. One palette and no dithering mean a pixel that does not change is the same
 * colour on every page: no flicker. Measured against ImageMagick and ffmpeg in `bench/imaging.ts`.
 *
 * Memory stays bounded whatever the frame count: frames are read and decoded as they are
 * encoded, at most `paletteKeepBytes` of decoded frames wait between the palette pass and their
 * encoding, and each worker gets at most `framesAhead` frames before it answers. What grows with
 * the GIF is the GIF itself, and `maxPixels` bounds that.
 */
import { availableParallelism } from 'node:os';
import { NonRetriableError } from 'dataflow';
import { decodeFrame, frameSize, frameSource, type FrameSource } from './frame-source.js';
import { FrameStreamEncoder, type EncodedFrame, type FrameStreamSpec } from './frame-stream-encoder.js';
import { PaletteSampler } from './global-palette.js';
import { GifWorkerError, GifWorkerPool, type GifFrameStream } from './gif-worker-pool.js';
import { writeGif } from './gif-writer.js';

export type { FrameSource } from './frame-source.js';

export interface EncodeGifOptions {
  /** Delay after every frame, in milliseconds; GIF stores hundredths of a second, so it is rounded to 10 ms. */
  delayMs: number;
  /**
   * `true` loops forever, `false` plays once, a whole number n >= 1 plays n times; 0 also loops
   * forever, as in sharp and the GIF format.
   */
  loop: boolean | number;
  /**
   * The most pixels the GIF may hold in all: frames × width × height (of the first frame, which
   * sets the size). Over it, a {@link GifTooLargeError} before any frame is decoded.
   * @defaultValue 250_000_000 (`gifEncoderSettings.maxPixels`)
   */
  maxPixels?: number;
}

/** Tuning, measured with `npm run bench` (numbers in README.md beside this file). */
export const gifEncoderSettings = {
  /** libimagequant effort for the palette: 7 reached within 0.1 dB of 10 at a third of the time. */
  paletteEffort: 7,
  /** Pixels sampled across the frames for the palette; 250k lost under 0.1 dB against 3M. */
  paletteSamples: 250_000,
  /**
   * Decoded frames the palette pass keeps for encoding, in bytes of RGBA: the palette is sampled
   * from as many frames as fit (all of a GIF that fits; 17 of 800x600), spread evenly over the
   * animation. On 60 frames of 800x600, 17 instead of all 60 moved PSNR by -0.06 to +0.2 dB.
   */
  paletteKeepBytes: 32 * 2 ** 20,
  /** Frames the palette is sampled from, at least, when fewer fit: the extra ones are decoded again to be encoded. */
  paletteFrames: 8,
  /** Frames decoded at once for the palette. */
  decodeConcurrency: 4,
  /** Frames sent to a worker before it answers; with the one decoded meanwhile, two per worker. */
  framesAhead: 1,
  /** Below this many pixels in all, threads cost more than they save. */
  minPixelsForWorkers: 1_000_000,
  /** Worker threads, at most. */
  maxWorkers: 8,
  /** Default pixel budget: 500 frames of 800x600 fit, 130 of 2000x2000 do not. */
  maxPixels: 250_000_000,
  /** White, for frames with transparency: GIF has only on/off alpha, and mail clients show white. */
  background: { r: 255, g: 255, b: 255 },
} as const;

/** The GIF would hold more pixels than its budget: no retry makes it smaller. */
export class GifTooLargeError extends NonRetriableError {
  override name = 'GifTooLargeError';
  constructor(
    readonly pixels: number,
    readonly budget: number,
    what: string,
  ) {
    super(`${what} are ${pixels} pixels in all (frames × width × height), over the budget of ${budget} pixels`);
  }
}

const MAX_DELAY_MS = 0xffff * 10;
const MAX_SIDE = 0xffff;

let pool: GifWorkerPool | undefined;
let workersFailed = false;

export async function encodeGif(frames: Buffer[] | FrameSource, options: EncodeGifOptions): Promise<Buffer> {
  const { delayCs, loopCount, maxPixels } = checkOptions(options);
  const source = frameSource(frames);
  const count = source.count;
  if (count === 0) throw new NonRetriableError('frames must hold at least one image, got none');

  const first = await source.read(0);
  const header = await frameSize(first, 0);
  if (header.width > MAX_SIDE || header.height > MAX_SIDE) {
    throw new NonRetriableError(`frames[0] is ${header.width}x${header.height}; a GIF is at most ${MAX_SIDE} pixels a side`);
  }
  const pixels = count * header.width * header.height;
  if (pixels > maxPixels) throw new GifTooLargeError(pixels, maxPixels, `${count} frames of ${header.width}x${header.height}`);
  const threads = startThreads(count, pixels);

  const { palette, width, height, kept } = await pickPalette(source, first);
  const spec: FrameStreamSpec = { width, height, palette };
  const decode = async (index: number) =>
    (await decodeFrame(await source.read(index), index, { background: gifEncoderSettings.background, size: { width, height } })).data;

  let encoded: EncodedFrame[] | undefined;
  if (threads && pool) {
    try {
      encoded = await encodeInThreads(pool, spec, count, kept, decode);
    } catch (error) {
      if (!(error instanceof GifWorkerError)) throw error;
      // Threads that cannot start (or died) must not cost the GIF: do it on this thread, and
      // stop using threads in this process. Frames already sent are gone: decode all again.
      await closeGifWorkers();
      workersFailed = true;
      kept.clear();
    }
  }
  encoded ??= await encodeInline(spec, count, kept, decode);

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

/** Decoded frames kept from the palette pass, by index, each with how many more times it is needed. */
type Kept = Map<number, { rgba: Buffer; uses: number }>;

/**
 * The palette, from the first frame and others spread evenly over the animation. Of those, the
 * ones `paletteKeepBytes` holds are kept for encoding; any others are decoded again then.
 */
async function pickPalette(source: FrameSource, firstInput: Buffer) {
  const { background, paletteFrames, paletteKeepBytes, paletteSamples, decodeConcurrency, paletteEffort } = gifEncoderSettings;
  const first = await decodeFrame(firstInput, 0, { background });
  const { width, height } = first.info;
  const count = source.count;
  const keep = Math.max(1, Math.floor(paletteKeepBytes / (width * height * 4)));
  const sampled = Math.min(count, Math.max(paletteFrames, keep));
  const indices = Array.from({ length: sampled }, (_, slot) => Math.floor((slot * count) / sampled));
  const sampler = new PaletteSampler(width, height, sampled, paletteSamples);
  const kept: Kept = new Map([[0, { rgba: first.data, uses: 1 }]]);
  sampler.add(0, first.data);
  let next = 1;
  const worker = async () => {
    while (next < sampled) {
      const slot = next++;
      const index = indices[slot]!;
      const { data } = await decodeFrame(await source.read(index), index, { background, size: { width, height } });
      sampler.add(slot, data);
      if (slot < keep) kept.set(index, { rgba: data, uses: 1 });
    }
  };
  await Promise.all(Array.from({ length: Math.min(decodeConcurrency, sampled - 1) }, worker));
  return { palette: await sampler.palette(paletteEffort), width, height, kept };
}

/** A decoded frame: a kept one, or decoded now. `owned` says no one else needs its memory. */
async function take(kept: Kept, index: number, decode: (index: number) => Promise<Buffer>): Promise<{ rgba: Buffer; owned: boolean }> {
  const held = kept.get(index);
  if (!held) return { rgba: await decode(index), owned: true };
  if (--held.uses > 0) return { rgba: held.rgba, owned: false };
  kept.delete(index);
  return { rgba: held.rgba, owned: true };
}

/**
 * One stream per worker, over consecutive frame ranges; each range starts by showing its worker
 * the frame before it. Each range decodes its next frame while its worker encodes, and sends it
 * once fewer than `framesAhead` frames are unanswered.
 */
async function encodeInThreads(
  workers: GifWorkerPool,
  spec: FrameStreamSpec,
  count: number,
  kept: Kept,
  decode: (index: number) => Promise<Buffer>,
): Promise<EncodedFrame[]> {
  const ranges = Math.min(workers.size, count);
  const bounds = Array.from({ length: ranges + 1 }, (_, r) => Math.floor((r * count) / ranges));
  // A kept frame before a range start is taken twice: by its own range and as the next one's lead-in.
  for (let r = 1; r < ranges; r++) {
    const lead = kept.get(bounds[r]! - 1);
    if (lead) lead.uses++;
  }
  const encoded: EncodedFrame[] = new Array(count);
  let stopped = false;
  const streams: GifFrameStream[] = [];
  const feed = async (r: number) => {
    const stream = workers.openStream(spec);
    streams.push(stream);
    const ahead: Promise<void>[] = [];
    const start = bounds[r]!;
    for (let index = r === 0 ? 0 : start - 1; index < bounds[r + 1]! && !stopped; index++) {
      // Decode the next frame while the worker encodes, then wait for room.
      const { rgba, owned } = await take(kept, index, decode);
      if (ahead.length >= gifEncoderSettings.framesAhead) await ahead.shift();
      if (stopped) return;
      const encode = index >= start;
      const sent = stream.push(rgba, { encode, transfer: owned }).then((frame) => {
        if (encode) encoded[index] = frame!;
      });
      sent.catch(() => {}); // awaited below; this only keeps an early failure from going unhandled
      ahead.push(sent);
    }
    await Promise.all(ahead);
  };
  const feeds = Array.from({ length: ranges }, (_, r) => feed(r));
  try {
    await Promise.all(feeds);
    return encoded;
  } catch (error) {
    stopped = true;
    await Promise.allSettled(feeds);
    throw error;
  } finally {
    for (const stream of streams) stream.close();
  }
}

/** On this thread, frame by frame, decoding the next frame while this one is encoded. */
async function encodeInline(spec: FrameStreamSpec, count: number, kept: Kept, decode: (index: number) => Promise<Buffer>): Promise<EncodedFrame[]> {
  const encoder = new FrameStreamEncoder(spec);
  const encoded: EncodedFrame[] = [];
  try {
    let next = take(kept, 0, decode);
    for (let index = 0; index < count; index++) {
      const { rgba } = await next;
      if (index + 1 < count) {
        next = take(kept, index + 1, decode);
        next.catch(() => {}); // awaited on the next turn
      }
      encoded.push(encoder.encode(rgba));
    }
    return encoded;
  } finally {
    encoder.close();
  }
}

/**
 * Whether to spread the work over threads: with more than one core, for jobs big enough to pay
 * for it. The threads are started here, so they boot while this thread picks the palette.
 */
function startThreads(count: number, pixels: number): boolean {
  const workers = Math.min(gifEncoderSettings.maxWorkers, availableParallelism());
  if (workers < 2 || workersFailed || count < 2 || pixels < gifEncoderSettings.minPixelsForWorkers) return false;
  pool ??= new GifWorkerPool(workers);
  pool.warm();
  return true;
}

/** Stops the encoder's worker threads (they are unref'd, so this is only for tidy shutdowns). */
export async function closeGifWorkers(): Promise<void> {
  await pool?.close();
  pool = undefined;
}

function checkOptions(options: EncodeGifOptions): { delayCs: number; loopCount: number | undefined; maxPixels: number } {
  const { delayMs, loop, maxPixels = gifEncoderSettings.maxPixels } = options ?? ({} as EncodeGifOptions);
  if (typeof delayMs !== 'number' || !Number.isFinite(delayMs) || delayMs < 0 || delayMs > MAX_DELAY_MS) {
    throw new NonRetriableError(`delayMs must be a number of milliseconds from 0 to ${MAX_DELAY_MS}, got ${String(delayMs)}`);
  }
  let loopCount: number | undefined;
  if (loop === true || loop === 0) loopCount = 0;
  else if (loop === false || loop === 1) loopCount = undefined;
  else if (typeof loop === 'number' && Number.isInteger(loop) && loop >= 2 && loop <= 0x10000) loopCount = loop - 1;
  else throw new NonRetriableError(`loop must be true, false or a whole number of plays from 1 to 65536, got ${String(loop)} (0 also loops forever)`);
  if (typeof maxPixels !== 'number' || !(maxPixels >= 1)) {
    throw new NonRetriableError(`maxPixels must be a positive number of pixels, got ${String(maxPixels)}`);
  }
  return { delayCs: Math.round(delayMs / 10), loopCount, maxPixels };
}
