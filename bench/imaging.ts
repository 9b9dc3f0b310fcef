/**
 * Imaging section: our in-process GIF encoder and cover thumbnails against ImageMagick and
 * ffmpeg, side by side on the same truecolour 800x600 frames, 5 and 60 at a time.
 *
 * Every contender makes a GIF that loops forever with 250 ms frames. Times are wall-clock medians
 * (a command's include starting its process, as the flow would pay); bytes are the output's;
 * PSNR is over all pages against the source frames (see psnr.ts). Ratios are ours / theirs.
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { coverThumbnail } from '../examples/weather/imaging/cover-thumbnail.js';
import { encodeGif, gifEncoderSettings } from '../examples/weather/imaging/encode-gif.js';
import { findTool, runTool, type Tool } from './commands.js';
import { benchFrameSets, type FrameSet } from './frames.js';
import { gifPsnr, imagePsnr } from './psnr.js';
import { formatBytes, printTable } from './table.js';
import { timeMedian } from './timing.js';

export interface ImagingBenchOptions {
  /** Timed runs per contender (median reported). */
  runs: number;
  /** Frame counts to encode. */
  counts: number[];
  /** Also time sharp's own GIF encoder at its defaults (slow: about 0.5 s a frame). */
  withSharp: boolean;
}

interface Contender {
  name: string;
  /** Makes the GIF from the frames (in memory or in `dir`), returns its bytes. */
  make: (frames: Buffer[], dir: string) => Promise<Buffer>;
  runs?: number;
}

interface Outcome {
  name: string;
  seconds: number;
  bytes: number;
  psnr: number;
  minFramePsnr: number;
}

const DELAY_MS = 250;
const THUMBNAIL = { width: 200, height: 200 };
const INSTALL = 'apt-get update && apt-get install -y imagemagick ffmpeg';

export async function imagingBench(options: ImagingBenchOptions): Promise<void> {
  console.log(`  median of ${options.runs} runs per contender`);
  const convert = findTool(['/usr/bin/convert'], ['-version'], INSTALL);
  const ffmpeg = findTool(['/usr/bin/ffmpeg', '/usr/local/bin/ffmpeg'], ['-version'], INSTALL);
  for (const [name, tool] of [['convert', convert], ['ffmpeg', ffmpeg]] as const) {
    console.log(typeof tool === 'string' ? `  skipping ${name}: ${tool}` : `  ${name}: ${tool.path} (${tool.version})`);
  }
  console.log(
    `  ours: one global palette (libimagequant effort ${gifEncoderSettings.paletteEffort} on ${gifEncoderSettings.paletteSamples} sampled pixels), ` +
      'nearest colour without dithering, changed rectangle + transparency, TypeScript LZW in worker threads',
  );

  const most = Math.max(...options.counts);
  const sets = await benchFrameSets(most);
  const work = await mkdtemp(join(tmpdir(), 'dataflow-bench-'));
  try {
    for (const set of sets) {
      console.log(`\n## GIF, ${set.name} frames: ${set.source}`);
      for (const count of options.counts) {
        const frames = set.frames.slice(0, count);
        const dir = join(work, `${set.name}-${count}`);
        await writeFrames(dir, frames);
        await gifTable(set, count, frames, dir, contenders(convert, ffmpeg, options), options.runs);
      }
    }
    for (const set of sets) {
      console.log(`\n## Thumbnails ${THUMBNAIL.width}x${THUMBNAIL.height} (cover, centre crop), ${set.name} frames`);
      await thumbnailTable(set, join(work, `${set.name}-${Math.min(...options.counts)}`), convert, options.runs);
    }
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

function contenders(convert: Tool | string, ffmpeg: Tool | string, options: ImagingBenchOptions): Contender[] {
  const list: Contender[] = [{ name: 'ours encodeGif', make: (frames) => encodeGif(frames, { delayMs: DELAY_MS, loop: true }) }];
  if (typeof convert !== 'string') {
    list.push({
      name: 'convert -delay 25 -loop 0',
      make: async (frames, dir) => {
        await runTool(convert.path, ['-delay', '25', '-loop', '0', ...frames.map((_, i) => `f${i}.png`), 'out.gif'], dir);
        return readFile(join(dir, 'out.gif'));
      },
    });
  }
  if (typeof ffmpeg !== 'string') {
    const viaFfmpeg = (filter: string) => async (_frames: Buffer[], dir: string) => {
      await runTool(ffmpeg.path, ['-v', 'error', '-y', '-framerate', '4', '-start_number', '0', '-i', 'f%d.png', '-vf', filter, 'out.gif'], dir);
      return readFile(join(dir, 'out.gif'));
    };
    list.push(
      { name: 'ffmpeg palettegen+paletteuse', make: viaFfmpeg('split[a][b];[a]palettegen[p];[b][p]paletteuse') },
      {
        name: 'ffmpeg per-frame palettes',
        make: viaFfmpeg('split[a][b];[a]palettegen=stats_mode=single[p];[b][p]paletteuse=new=1'),
      },
    );
  }
  if (options.withSharp) {
    list.push({
      name: 'sharp gif() defaults (effort 7)',
      runs: 1,
      make: (frames) =>
        sharp(frames, { join: { animated: true } })
          .gif({ loop: 0, delay: frames.map(() => DELAY_MS), keepDuplicateFrames: true })
          .toBuffer(),
    });
  }
  return list;
}

async function gifTable(set: FrameSet, count: number, frames: Buffer[], dir: string, list: Contender[], runs: number): Promise<void> {
  console.log(`\n### ${count} frames of ${set.width}x${set.height}`);
  const outcomes: Outcome[] = [];
  for (const contender of list) {
    let first: number | undefined;
    const timed = await timeMedian(contender.runs ?? runs, async () => {
      const start = performance.now();
      const gif = await contender.make(frames, dir);
      first ??= (performance.now() - start) / 1000;
      return gif;
    });
    const quality = await gifPsnr(timed.result, frames);
    outcomes.push({ name: contender.name, seconds: timed.seconds, bytes: timed.result.length, ...quality });
    if (contender === list[0] && first !== undefined && Math.abs(first - timed.seconds) > 0.05) {
      console.log(`  (ours, first call of ${count} frames in this table: ${first.toFixed(2)} s, includes any worker start-up)`);
    }
  }
  const ours = outcomes[0]!;
  printTable(
    ['encoder', 'seconds', 'bytes', 'PSNR dB', 'worst frame', 'time ours/this', 'bytes ours/this'],
    outcomes.map((o) => [
      o.name,
      o.seconds.toFixed(2),
      formatBytes(o.bytes),
      o.psnr.toFixed(2),
      o.minFramePsnr.toFixed(2),
      o === ours ? '' : (ours.seconds / o.seconds).toFixed(2),
      o === ours ? '' : (ours.bytes / o.bytes).toFixed(2),
    ]),
  );
  for (const o of outcomes.slice(1)) {
    const speed = o.seconds / ours.seconds;
    console.log(
      `  vs ${o.name}: ours ${speed >= 1 ? `${speed.toFixed(1)}x faster` : `${(1 / speed).toFixed(1)}x slower`}, ` +
        `${(o.psnr < ours.psnr ? '+' : '') + (ours.psnr - o.psnr).toFixed(2)} dB, ${((ours.bytes / o.bytes) * 100).toFixed(0)}% of its bytes`,
    );
  }
}

async function thumbnailTable(set: FrameSet, dir: string, convert: Tool | string, runs: number): Promise<void> {
  const { width, height } = THUMBNAIL;
  const frames = set.frames.slice(0, 5);
  const ours = await timeMedian(runs, async () => {
    const made: Buffer[] = [];
    for (const frame of frames) made.push(await coverThumbnail(frame, width, height));
    return made;
  }, { warmup: true });
  const rows = [['ours coverThumbnail', (ours.seconds / frames.length).toFixed(3), formatBytes(mean(ours.result.map((b) => b.length))), '', '']];
  if (typeof convert === 'string') {
    console.log(`  skipping convert: ${convert}`);
  } else {
    const theirs = await timeMedian(runs, async () => {
      const made: Buffer[] = [];
      for (let i = 0; i < frames.length; i++) {
        const args = [`f${i}.png`, '-resize', `${width}x${height}^`, '-gravity', 'center', '-extent', `${width}x${height}`, `t${i}.png`];
        await runTool(convert.path, args, dir);
        made.push(await readFile(join(dir, `t${i}.png`)));
      }
      return made;
    });
    const agreement = mean(await Promise.all(ours.result.map((thumb, i) => imagePsnr(thumb, theirs.result[i]!))));
    rows.push([
      `convert -resize ${width}x${height}^ -extent`,
      (theirs.seconds / frames.length).toFixed(3),
      formatBytes(mean(theirs.result.map((b) => b.length))),
      (ours.seconds / theirs.seconds).toFixed(2),
      agreement.toFixed(1),
    ]);
  }
  printTable(['maker', 's/thumbnail', 'bytes (mean)', 'time ours/this', 'PSNR ours vs this (±1 px)'], rows);
}

async function writeFrames(dir: string, frames: Buffer[]): Promise<void> {
  await mkdir(dir, { recursive: true });
  await Promise.all(frames.map((frame, i) => writeFile(join(dir, `f${i}.png`), frame)));
}

function mean(values: number[]): number {
  return values.reduce((a, b) => a + b, 0) / values.length;
}
