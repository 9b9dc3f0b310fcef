/**
 * One palette for every frame of an animation, so a pixel that stays the same keeps its colour on
 * every page (no palette flicker) and frames need no local colour tables.
 *
 * The palette comes from libimagequant (through sharp's GIF encoder, which keeps at most 255
 * colours so one index stays free for transparency) run on a montage of pixels sampled from the
 * frames: a regular grid per frame, shifted from frame to frame so thin features are seen
 * somewhere. The GIF's global colour table is then read back.
 */
import sharp from 'sharp';

/**
 * Collects the montage one frame at a time, so the frames need not all be decoded at once: each
 * frame's samples are copied out and the frame can go.
 */
export class PaletteSampler {
  private readonly step: number;
  private readonly sampleWidth: number;
  private readonly sampleHeight: number;
  private readonly montage: Buffer;

  /**
   * @param frames how many frames will be added
   * @param maxSamples upper bound on sampled pixels; more samples cost time, fewer may miss rare colours
   */
  constructor(
    private readonly width: number,
    private readonly height: number,
    private readonly frames: number,
    maxSamples: number,
  ) {
    // Sample every `step`-th pixel in each direction, so the montage stays under maxSamples.
    this.step = Math.max(1, Math.ceil(Math.sqrt((width * height * frames) / maxSamples)));
    this.sampleWidth = Math.ceil(width / this.step);
    this.sampleHeight = Math.ceil(height / this.step);
    this.montage = Buffer.alloc(this.sampleWidth * this.sampleHeight * frames * 3);
  }

  /** Samples the `slot`-th frame (0 to frames - 1, in any order); RGBA, alpha ignored. */
  add(slot: number, frame: Uint8Array): void {
    const { width, height, step, sampleWidth, sampleHeight, montage } = this;
    if (!(slot >= 0 && slot < this.frames)) throw new RangeError(`slot must be 0 to ${this.frames - 1}, got ${slot}`);
    // Shift the grid each frame, so thin features are seen somewhere; with step 1 this samples every pixel.
    const dx = (slot * 7) % step;
    const dy = (slot * 3) % step;
    let at = slot * sampleWidth * sampleHeight * 3;
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
  }

  /**
   * The palette of everything added, as RGB triplets.
   * @param effort libimagequant effort, 1 (fast) to 10 (best)
   */
  async palette(effort: number): Promise<Uint8Array> {
    const gif = await sharp(this.montage, { raw: { width: this.sampleWidth, height: this.sampleHeight * this.frames, channels: 3 } })
      .gif({ effort, dither: 0 })
      .toBuffer();
    return readGlobalColourTable(gif);
  }
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
