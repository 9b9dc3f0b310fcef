/**
 * Encodes a long GIF of large frames read from disk, in a fresh process, and prints its peak
 * memory before and after, for the memory test. Arguments: the folder of PNG frames, the frame count.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { encodeGif } from '../../examples/weather/imaging/encode-gif.js';

const [folder, countText] = process.argv.slice(2);
const files = (await readdir(folder!)).filter((f) => f.endsWith('.png')).sort();
const pngs = await Promise.all(files.map((f) => readFile(join(folder!, f))));
const frames = Array.from({ length: Number(countText) }, (_, i) => pngs[i % pngs.length]!);

// Start the worker threads (their code and heaps are not what is measured) with a small GIF.
const small = await Promise.all([0, 1, 2, 3].map((i) => sharp(pngs[i % pngs.length]!).resize(600, 600).png().toBuffer()));
await encodeGif(small, { delayMs: 100, loop: true });

const peakKiB = () => process.resourceUsage().maxRSS;
const before = peakKiB();
const started = performance.now();
const gif = await encodeGif(frames, { delayMs: 100, loop: true, maxPixels: Number.MAX_SAFE_INTEGER });
const seconds = (performance.now() - started) / 1000;
const after = peakKiB();
const { pages, width, height } = await sharp(gif).metadata();
process.stdout.write(JSON.stringify({ beforeBytes: before * 1024, afterBytes: after * 1024, seconds, gifBytes: gif.length, pages, width, height }));
