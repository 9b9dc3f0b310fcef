/**
 * PSNR of a decoded animated GIF against its source frames, the quality measure the imaging bench
 * uses. Every page of the GIF is decoded by sharp (libvips composites each page with its
 * disposal, so a page is what a viewer shows) and compared with the source frame's RGB, with
 * any transparency put on white as the encoder does.
 */
import sharp from 'sharp';

export interface GifQuality {
  pages: number;
  /** PSNR in dB over all pixels of all frames (from the mean squared error). */
  psnr: number;
  /** The worst single frame's PSNR in dB. */
  minFramePsnr: number;
}

/** Sum of squared differences over the RGB channels of two same-size images. */
export function squaredError(a: Uint8Array, aChannels: number, b: Uint8Array, bChannels: number, pixels: number): number {
  let sum = 0;
  for (let p = 0; p < pixels; p++) {
    const i = p * aChannels;
    const j = p * bChannels;
    const dr = a[i]! - b[j]!;
    const dg = a[i + 1]! - b[j + 1]!;
    const db = a[i + 2]! - b[j + 2]!;
    sum += dr * dr + dg * dg + db * db;
  }
  return sum;
}

export function psnrFromMse(mse: number): number {
  return mse === 0 ? Infinity : 10 * Math.log10((255 * 255) / mse);
}

/** Decodes every page of `gif` and measures it against `sources` (encoded images, any format). */
export async function gifPsnr(gif: Buffer, sources: Buffer[]): Promise<GifQuality> {
  // All pages in one decode: sharp stacks them vertically. Asking page by page would re-render
  // every earlier page each time.
  const decoded = await sharp(gif, { pages: -1 }).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  const { width, channels } = decoded.info;
  const pages = decoded.info.pageHeight ? decoded.info.height / decoded.info.pageHeight : 1;
  const height = decoded.info.pageHeight ?? decoded.info.height;
  if (pages !== sources.length) {
    throw new Error(`GIF has ${pages} pages but there are ${sources.length} source frames`);
  }
  const pixels = width * height;
  let total = 0;
  let minFramePsnr = Infinity;
  for (let page = 0; page < pages; page++) {
    const source = await sharp(sources[page]!)
      .flatten({ background: '#ffffff' })
      .resize(width, height, { fit: 'cover' })
      .raw()
      .toBuffer({ resolveWithObject: true });
    const frame = decoded.data.subarray(page * pixels * channels, (page + 1) * pixels * channels);
    const error = squaredError(frame, channels, source.data, source.info.channels, pixels);
    total += error;
    minFramePsnr = Math.min(minFramePsnr, psnrFromMse(error / (pixels * 3)));
  }
  return { pages, psnr: psnrFromMse(total / (pixels * 3 * pages)), minFramePsnr };
}

/**
 * PSNR of two encoded images of the same size over RGB, e.g. our thumbnail against ImageMagick's.
 * Cover crops from sharp and ImageMagick can sit one pixel apart, so this compares the interior
 * (less `maxShift` pixels each side) at every offset up to `maxShift` and keeps the best.
 */
export async function imagePsnr(a: Buffer, b: Buffer, maxShift = 1): Promise<number> {
  const left = await sharp(a).flatten({ background: '#ffffff' }).raw().toBuffer({ resolveWithObject: true });
  const right = await sharp(b).flatten({ background: '#ffffff' }).raw().toBuffer({ resolveWithObject: true });
  const { width, height } = left.info;
  if (width !== right.info.width || height !== right.info.height) {
    throw new Error(`sizes differ: ${width}x${height} and ${right.info.width}x${right.info.height}`);
  }
  const lc = left.info.channels;
  const rc = right.info.channels;
  let best = 0;
  for (let dy = -maxShift; dy <= maxShift; dy++) {
    for (let dx = -maxShift; dx <= maxShift; dx++) {
      let sum = 0;
      let samples = 0;
      for (let y = maxShift; y < height - maxShift; y++) {
        for (let x = maxShift; x < width - maxShift; x++) {
          const i = (y * width + x) * lc;
          const j = ((y + dy) * width + (x + dx)) * rc;
          for (let c = 0; c < 3; c++) {
            const d = left.data[i + c]! - right.data[j + c]!;
            sum += d * d;
          }
          samples += 3;
        }
      }
      best = Math.max(best, psnrFromMse(sum / samples));
    }
  }
  return best;
}
