/** Test inputs made with sharp, so the tests need no files. */
import sharp from 'sharp';

import { seededRandom } from '../../examples/weather/offline-maps/noise.js';

export { seededRandom };

export type Rgb = [number, number, number];

export function solidPng(width: number, height: number, [r, g, b]: Rgb): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 3, background: { r, g, b } } }).png().toBuffer();
}

export function rawPng(data: Uint8Array, width: number, height: number, channels: 3 | 4 = 3): Promise<Buffer> {
  return sharp(Buffer.from(data.buffer, data.byteOffset, data.byteLength), { raw: { width, height, channels } }).png().toBuffer();
}

/**
 * Truecolour frames like a weather map: a smooth gradient with fixed noise over the whole frame,
 * and a soft coloured blob that moves. With `staticLeft`, the left half never changes.
 */
export async function mapLikeFrames(count: number, width: number, height: number, options: { staticLeft?: boolean } = {}): Promise<Buffer[]> {
  const random = seededRandom(7);
  const noise = Float32Array.from({ length: width * height }, () => (random() - 0.5) * 8);
  const frames: Buffer[] = [];
  for (let f = 0; f < count; f++) {
    const data = new Uint8Array(width * height * 3);
    const cx = width * (0.55 + (0.4 * f) / Math.max(1, count));
    const cy = height * (0.3 + (0.4 * f) / Math.max(1, count));
    const radius = Math.min(width, height) / 4;
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const i = y * width + x;
        const moving = !(options.staticLeft && x < width / 2);
        const drift = moving ? f * 3 : 0;
        let r = 20 + (90 * y) / height + noise[i]!;
        let g = 40 + (120 * ((x + drift) % width)) / width + noise[i]!;
        let b = 90 + (120 * (1 - y / height)) + noise[i]!;
        if (moving) {
          const d = Math.hypot(x - cx, y - cy) / radius;
          if (d < 1) {
            const a = (1 - d) * 0.9;
            r = r * (1 - a) + 240 * a;
            g = g * (1 - a) + (200 - 150 * (1 - d)) * a;
            b = b * (1 - a) + 30 * a;
          }
        }
        data[i * 3] = Math.max(0, Math.min(255, Math.round(r)));
        data[i * 3 + 1] = Math.max(0, Math.min(255, Math.round(g)));
        data[i * 3 + 2] = Math.max(0, Math.min(255, Math.round(b)));
      }
    }
    frames.push(await rawPng(data, width, height));
  }
  return frames;
}

/** Every page of an animated image, decoded to RGB. */
export async function decodePages(image: Buffer): Promise<{ width: number; height: number; pages: Buffer[] }> {
  const meta = await sharp(image).metadata();
  const pages: Buffer[] = [];
  let width = 0;
  let height = 0;
  for (let page = 0; page < (meta.pages ?? 1); page++) {
    const { data, info } = await sharp(image, { page, pages: 1 }).removeAlpha().raw().toBuffer({ resolveWithObject: true });
    width = info.width;
    height = info.height;
    pages.push(data);
  }
  return { width, height, pages };
}

export async function decodeRgb(image: Buffer): Promise<{ data: Buffer; width: number; height: number }> {
  const { data, info } = await sharp(image).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height };
}

/** PSNR in dB between two RGB buffers of the same size. */
export function psnr(a: Uint8Array, b: Uint8Array): number {
  if (a.length !== b.length) throw new Error(`sizes differ: ${a.length} and ${b.length} bytes`);
  let sum = 0;
  for (let i = 0; i < a.length; i++) {
    const d = a[i]! - b[i]!;
    sum += d * d;
  }
  return sum === 0 ? Infinity : 10 * Math.log10((255 * 255 * a.length) / sum);
}
