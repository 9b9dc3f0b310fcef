/**
 * GIF's variable-length LZW (GIF89a spec, appendix F), written for speed: the string table is a
 * direct-indexed `Int32Array` keyed by `prefix * 256 + pixel` whose entries carry a generation
 * stamp, so a clear code costs nothing instead of a 4 MiB reset. The code-size schedule follows
 * the classic `compress`-derived encoder that every GIF decoder is tested against.
 */

const MAX_CODE = 4096;
const MAX_BITS = 12;

/** One encoder's reusable state; keep one per thread. */
export class LzwEncoder {
  private table = new Int32Array(MAX_CODE * 256);
  private generation = 0;
  private out = new Uint8Array(0);

  /**
   * Encodes `indices` (each < 2 ** minCodeSize) as a GIF image-data block: the LZW minimum code
   * size byte, the data in sub-blocks of at most 255 bytes, and the block terminator.
   */
  encode(indices: Uint8Array, minCodeSize = 8): Uint8Array {
    if (minCodeSize < 2 || minCodeSize > 8) throw new RangeError(`minCodeSize must be 2..8, got ${minCodeSize}`);
    // Worst case is one code of at most 12 bits per pixel plus clear codes.
    const needed = Math.ceil(indices.length * 1.6) + 64;
    if (this.out.length < needed) this.out = new Uint8Array(needed);
    const out = this.out;
    const table = this.table;

    const initBits = minCodeSize + 1;
    const clearCode = 1 << minCodeSize;
    const eoiCode = clearCode + 1;
    let bits = initBits;
    let maxCode = (1 << bits) - 1;
    let nextCode = clearCode + 2;
    let clearPending = false;
    let accumulator = 0;
    let accumulatorBits = 0;
    let length = 0;
    let generation = this.nextGeneration();

    const emit = (code: number): void => {
      accumulator |= code << accumulatorBits;
      accumulatorBits += bits;
      while (accumulatorBits >= 8) {
        out[length++] = accumulator & 0xff;
        accumulator >>>= 8;
        accumulatorBits -= 8;
      }
      // The decoder widens its codes one code after the table passes 2 ** bits - 1.
      if (clearPending) {
        bits = initBits;
        maxCode = (1 << bits) - 1;
        clearPending = false;
      } else if (nextCode > maxCode && bits < MAX_BITS) {
        bits++;
        maxCode = bits === MAX_BITS ? MAX_CODE : (1 << bits) - 1;
      }
    };

    emit(clearCode);
    if (indices.length > 0) {
      let prefix = indices[0]!;
      const n = indices.length;
      let stampBits = generation << 12;
      for (let i = 1; i < n; i++) {
        const pixel = indices[i]!;
        const key = (prefix << 8) | pixel;
        const entry = table[key]!;
        if ((entry & ~0xfff) === stampBits) {
          prefix = entry & 0xfff;
          continue;
        }
        emit(prefix);
        prefix = pixel;
        if (nextCode < MAX_CODE) {
          table[key] = stampBits | nextCode++;
        } else {
          nextCode = clearCode + 2;
          clearPending = true;
          emit(clearCode);
          generation = this.nextGeneration();
          stampBits = generation << 12;
        }
      }
      emit(prefix);
    }
    emit(eoiCode);
    if (accumulatorBits > 0) out[length++] = accumulator & 0xff;

    return this.frame(out, length, minCodeSize);
  }

  private nextGeneration(): number {
    // Stamps live in the top 19 bits; start over (one real reset) before they would wrap.
    if (++this.generation >= 1 << 19) {
      this.table.fill(0);
      this.generation = 1;
    }
    return this.generation;
  }

  /** Splits `length` bytes of `data` into sub-blocks after the minimum code size byte. */
  private frame(data: Uint8Array, length: number, minCodeSize: number): Uint8Array {
    const blocks = Math.ceil(length / 255);
    const framed = new Uint8Array(1 + length + blocks + 1);
    framed[0] = minCodeSize;
    let at = 1;
    for (let start = 0; start < length; start += 255) {
      const size = Math.min(255, length - start);
      framed[at++] = size;
      framed.set(data.subarray(start, start + size), at);
      at += size;
    }
    framed[at] = 0;
    return framed;
  }
}
