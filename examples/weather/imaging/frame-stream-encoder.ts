/**
 * The CPU-heavy part of GIF encoding, one frame at a time and in order: map each frame to the
 * shared palette, keep only what changed since the previous frame, LZW-compress. One encoder per
 * run of consecutive frames; it runs in a worker thread (see `gif-encode-worker.ts`) or inline,
 * and holds only the previous frame's indices, never the frames themselves.
 */
import { LzwEncoder } from './gif-lzw.js';
import { buildFrame, mapFrame, PaletteMapper } from './frame-indexer.js';

export interface FrameStreamSpec {
  width: number;
  height: number;
  /** RGB triplets, at most 255 colours. */
  palette: Uint8Array;
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

/** Encoding is synchronous, so one LZW table (16 MiB) serves every encoder of a thread. */
let lzw: LzwEncoder | undefined;
/**
 * Mappers no encoder is using, kept with their 16 MiB colour caches: a later GIF with the same
 * palette (the same frames again) finds its colours already looked up, and any other reuses the
 * memory.
 */
const idleMappers: PaletteMapper[] = [];
const MAX_IDLE_MAPPERS = 2;

export class FrameStreamEncoder {
  private readonly mapper: PaletteMapper;
  private readonly minCodeSize: number;
  private readonly pixels: number;
  private previous: Uint8Array | undefined;
  private spare: Uint8Array | undefined;
  private closed = false;

  constructor(readonly spec: FrameStreamSpec) {
    this.mapper = takeMapper(spec.palette);
    this.minCodeSize = Math.max(2, Math.ceil(Math.log2(this.mapper.transparentIndex + 1)));
    this.pixels = spec.width * spec.height;
  }

  /** Shows the encoder the frame a viewer sees before the first one it encodes. */
  follow(rgba: Uint8Array): void {
    this.previous = mapFrame(this.mapper, this.view(rgba), this.previous);
  }

  /** Encodes the next frame, RGBA, `width * height * 4` bytes. */
  encode(rgba: Uint8Array): EncodedFrame {
    const { width, height } = this.spec;
    const current = mapFrame(this.mapper, this.view(rgba), this.spare);
    const frame = buildFrame(current, this.previous, width, height, this.mapper.transparentIndex);
    const data = (lzw ??= new LzwEncoder()).encode(frame.indices, this.minCodeSize);
    this.spare = this.previous;
    this.previous = current;
    return {
      left: frame.left,
      top: frame.top,
      width: frame.width,
      height: frame.height,
      ...(frame.transparentIndex === undefined ? {} : { transparentIndex: frame.transparentIndex }),
      data,
    };
  }

  /** Hands the colour cache back for the next encoder of this thread. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.previous = this.spare = undefined;
    if (idleMappers.length >= MAX_IDLE_MAPPERS) idleMappers.shift();
    idleMappers.push(this.mapper);
  }

  private view(rgba: Uint8Array): Uint32Array {
    if (rgba.length !== this.pixels * 4) throw new RangeError(`a frame must be ${this.pixels * 4} bytes of RGBA, got ${rgba.length}`);
    // A Uint32Array needs 4-byte alignment; sharp's buffers and transferred ones start at 0.
    const aligned = rgba.byteOffset % 4 === 0 ? rgba : rgba.slice();
    return new Uint32Array(aligned.buffer, aligned.byteOffset, this.pixels);
  }
}

function takeMapper(palette: Uint8Array): PaletteMapper {
  const same = idleMappers.findIndex((m) => m.palette.length === palette.length && m.palette.every((v, i) => v === palette[i]));
  if (same >= 0) return idleMappers.splice(same, 1)[0]!;
  const cache = idleMappers.shift()?.cache;
  return new PaletteMapper(new Uint8Array(palette), cache);
}
