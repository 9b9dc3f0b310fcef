/**
 * The CPU-heavy part of GIF encoding, for one run of consecutive frames: map each frame to the
 * shared palette, keep only what changed since the previous frame, LZW-compress. Runs in a
 * worker thread (see `gif-encode-worker.ts`) or inline; the state is reusable between jobs.
 */
import { LzwEncoder } from './gif-lzw.js';
import { buildFrame, mapFrame, PaletteMapper } from './frame-indexer.js';

export interface FrameRangeJob {
  /** All frames, RGBA, `width * height * 4` bytes each, back to back. */
  pixels: SharedArrayBuffer;
  width: number;
  height: number;
  /** RGB triplets, at most 255 colours. */
  palette: Uint8Array;
  /** First frame to encode. */
  start: number;
  /** One past the last frame to encode. */
  end: number;
}

export interface EncodedFrame {
  left: number;
  top: number;
  width: number;
  height: number;
  transparentIndex?: number;
  /** GIF image data: minimum code size, sub-blocks, terminator. */
  data: Uint8Array;
}

/** Per-thread scratch: the 16 MiB colour cache and the LZW table survive between jobs. */
export class FrameRangeEncoder {
  private readonly lzw = new LzwEncoder();
  private cache: Uint8Array | undefined;
  private mapper: PaletteMapper | undefined;

  encode(job: FrameRangeJob): EncodedFrame[] {
    const { width, height, start, end } = job;
    const pixels = width * height;
    const mapper = this.mapperFor(job.palette);
    const minCodeSize = Math.max(2, Math.ceil(Math.log2(mapper.transparentIndex + 1)));
    const frameAt = (k: number) => new Uint32Array(job.pixels, k * pixels * 4, pixels);

    // The previous frame's indices are what a viewer shows before frame `start`.
    let previous = start > 0 ? mapFrame(mapper, frameAt(start - 1)) : undefined;
    let spare: Uint8Array | undefined;
    const out: EncodedFrame[] = [];
    for (let k = start; k < end; k++) {
      const current = mapFrame(mapper, frameAt(k), spare);
      const frame = buildFrame(current, previous, width, height, mapper.transparentIndex);
      const data = this.lzw.encode(frame.indices, minCodeSize);
      out.push({
        left: frame.left,
        top: frame.top,
        width: frame.width,
        height: frame.height,
        ...(frame.transparentIndex === undefined ? {} : { transparentIndex: frame.transparentIndex }),
        data,
      });
      spare = previous;
      previous = current;
    }
    return out;
  }

  private mapperFor(palette: Uint8Array): PaletteMapper {
    const same =
      this.mapper &&
      this.mapper.palette.length === palette.length &&
      this.mapper.palette.every((v, i) => v === palette[i]);
    if (!same) {
      this.cache ??= new Uint8Array(1 << 24);
      this.mapper = new PaletteMapper(new Uint8Array(palette), this.cache);
    }
    return this.mapper!;
  }
}
