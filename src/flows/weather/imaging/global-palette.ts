/**
 * One palette for every frame of an animation, so a pixel that stays the same keeps its colour on
 * every page (no palette flicker) and frames need no local colour tables.
 *
 * The palette comes from libimagequant (through sharp's GIF encoder, which keeps at most 255
 * colours so one index stays free for transparency) run on a montage of pixels sampled from all
 * frames: a regular grid per frame, shifted from frame to frame so thin features are seen
 * somewhere. The GIF's global colour table is then read back.
 */
import sharp from 'sharp';

export interface PaletteOptions {
  /** libimagequant effort, 1 (fast) to 10 (best). */
  effort: number;
  /** Upper bound on sampled pixels; more samples cost time, fewer may miss rare colours. */
  maxSamples: number;
}

/**
 * @param frames RGBA frames (4 bytes a pixel, alpha ignored), each `width * height` pixels.
 * @returns RGB triplets.
 */
export async function globalPalette(
  frames: Uint8Array[],
  width: number,
  height: number,
  options: PaletteOptions,
): Promise<Uint8Array> {
  const pixels = width * height;
  // Sample every `step`-th pixel in each direction, so the montage stays under maxSamples.
  const step = Math.max(1, Math.ceil(Math.sqrt((pixels * frames.length) / options.maxSamples)));
  const sampleWidth = Math.ceil(width / step);
  const sampleHeight = Math.ceil(height / step);
  const montage = Buffer.alloc(sampleWidth * sampleHeight * frames.length * 3);
  let at = 0;
  frames.forEach((frame, f) => {
    // Shift the grid each frame; with step 1 this samples every pixel.
    const dx = (f * 7) % step;
    const dy = (f * 3) % step;
    for (let sy = 0; sy < sampleHeight; sy++) {
      const y = Math.min(height - 1, sy * step + dy);
      for (let sx = 0; sx < sampleWidth; sx++) {
        const x = Math.min(width - 1, sx * step + dx);
        const i = (y * width + x) * 4;
        montage[at++] = frame[i]!;
        montage[at++] = frame[i + 1]!;
        montage[at++] = frame[i + 2]!;
      }
    }
  });
  const gif = await sharp(montage, { raw: { width: sampleWidth, height: sampleHeight * frames.length, channels: 3 } })
    .gif({ effort: options.effort, dither: 0 })
    .toBuffer();
  return readGlobalColourTable(gif);
}

/**
 * The global colour table of a GIF, as RGB triplets, less a 256th entry: cgif pads the table to a
 * power of two and libvips never uses more than 255 colours, so index 255 is always padding.
 * Smaller tables may carry a few black padding entries; they cost nothing.
 */
export function readGlobalColourTable(gif: Buffer): Uint8Array {
  const flags = gif[10] ?? 0;
  if (gif.toString('latin1', 0, 3) !== 'GIF' || (flags & 0x80) === 0) {
    throw new Error('palette GIF has no global colour table');
  }
  const entries = Math.min(255, 1 << ((flags & 7) + 1));
  return new Uint8Array(gif.subarray(13, 13 + entries * 3));
}
