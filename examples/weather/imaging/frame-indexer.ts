/**
 * Turns a truecolour frame into palette indices for one GIF frame.
 *
 * Each pixel gets the nearest palette colour (squared RGB distance, the error PSNR counts), with
 * no dithering: identical source pixels then always get identical indices, so a region that
 * does not change cannot flicker, whatever changes around it. Pixels whose index equals the
 * previous frame's may instead get the transparent index, which leaves the previous frame
 * showing; the frame is also cropped to the rectangle that changed. Both only shrink the output.
 */

export interface IndexedFrame {
  left: number;
  top: number;
  width: number;
  height: number;
  indices: Uint8Array;
  /** Set when the frame uses the transparent index. */
  transparentIndex?: number;
}

/**
 * Nearest-colour lookup, cached over all 2 ** 24 RGB values. The search walks the palette sorted
 * by green outwards from the query's green and stops once green alone is farther than the best
 * match, which visits a small fraction of the palette. Keep one per thread; `cache` may be
 * passed in to reuse its 16 MiB between palettes (it is cleared here).
 */
export class PaletteMapper {
  /** Palette index + 1 per RGB value, 0 when not looked up yet. */
  readonly cache: Uint8Array;
  /** The palette sorted by green: r, g, b, original index; four Int32 per colour. */
  private readonly sorted: Int32Array;
  /** Position in `sorted` of the first colour whose green is >= g, for g in 0..255. */
  private readonly startAt = new Int32Array(256);
  /** The index that means "transparent": one past the last colour. */
  readonly transparentIndex: number;

  constructor(
    readonly palette: Uint8Array,
    cache?: Uint8Array,
  ) {
    const colours = palette.length / 3;
    if (!Number.isInteger(colours) || colours < 1 || colours > 255) {
      throw new RangeError(`palette must hold 1..255 RGB triplets, got ${palette.length} bytes`);
    }
    if (cache && cache.length === 1 << 24) {
      cache.fill(0);
      this.cache = cache;
    } else {
      this.cache = new Uint8Array(1 << 24);
    }
    const order = Array.from({ length: colours }, (_, c) => c).sort((a, b) => palette[a * 3 + 1]! - palette[b * 3 + 1]!);
    this.sorted = new Int32Array(colours * 4);
    order.forEach((c, k) => {
      this.sorted[k * 4] = palette[c * 3]!;
      this.sorted[k * 4 + 1] = palette[c * 3 + 1]!;
      this.sorted[k * 4 + 2] = palette[c * 3 + 2]!;
      this.sorted[k * 4 + 3] = c;
    });
    let k = 0;
    for (let g = 0; g < 256; g++) {
      while (k < colours && this.sorted[k * 4 + 1]! < g) k++;
      this.startAt[g] = k;
    }
    this.transparentIndex = colours;
  }

  /** Index of the palette colour nearest to `rgb` (`r | g << 8 | b << 16`). */
  nearest(rgb: number): number {
    const cached = this.cache[rgb]!;
    if (cached !== 0) return cached - 1;
    const best = this.search(rgb & 0xff, (rgb >> 8) & 0xff, (rgb >> 16) & 0xff);
    this.cache[rgb] = best + 1;
    return best;
  }

  private search(r: number, g: number, b: number): number {
    const sorted = this.sorted;
    const count = sorted.length >> 2;
    let best = 0;
    let bestDistance = 0x7fffffff;
    const start = this.startAt[g]!;
    for (let k = start; k < count; k++) {
      const dg = sorted[k * 4 + 1]! - g;
      if (dg * dg >= bestDistance) break;
      const dr = sorted[k * 4]! - r;
      const db = sorted[k * 4 + 2]! - b;
      const d = dr * dr + dg * dg + db * db;
      if (d < bestDistance) {
        bestDistance = d;
        best = k;
      }
    }
    for (let k = start - 1; k >= 0; k--) {
      const dg = sorted[k * 4 + 1]! - g;
      if (dg * dg >= bestDistance) break;
      const dr = sorted[k * 4]! - r;
      const db = sorted[k * 4 + 2]! - b;
      const d = dr * dr + dg * dg + db * db;
      if (d < bestDistance) {
        bestDistance = d;
        best = k;
      }
    }
    return sorted[best * 4 + 3]!;
  }
}

/** Nearest palette colour for every pixel of an RGBA frame. */
export function mapFrame(mapper: PaletteMapper, pixels: Uint32Array, out: Uint8Array = new Uint8Array(pixels.length)): Uint8Array {
  for (let i = 0; i < pixels.length; i++) out[i] = mapper.nearest(pixels[i]! & 0xffffff);
  return out;
}

/**
 * Builds one GIF frame from colour indices.
 *
 * @param current this frame's colour indices (from {@link mapFrame})
 * @param previous the previous frame's colour indices, or undefined for the first frame. Since
 *   mapping has no dithering, these are exactly what a viewer shows before this frame, so any
 *   pixel whose index is unchanged may be left transparent, and the frame cropped to the
 *   rectangle whose indices changed, without changing a single decoded pixel.
 */
export function buildFrame(
  current: Uint8Array,
  previous: Uint8Array | undefined,
  width: number,
  height: number,
  transparent: number,
): IndexedFrame {
  let left = 0;
  let top = 0;
  let right = width - 1;
  let bottom = height - 1;
  if (previous) {
    const box = changedBox(current, previous, width, height);
    if (!box) {
      // Nothing changed: one transparent pixel keeps the frame (and its delay).
      return { left: 0, top: 0, width: 1, height: 1, indices: new Uint8Array([transparent]), transparentIndex: transparent };
    }
    ({ left, top, right, bottom } = box);
  }
  const boxWidth = right - left + 1;
  const boxHeight = bottom - top + 1;
  const indices = new Uint8Array(boxWidth * boxHeight);
  let usedTransparent = false;
  let at = 0;
  for (let y = top; y <= bottom; y++) {
    let last = -1;
    const row = y * width;
    for (let x = left; x <= right; x++) {
      const colour = current[row + x]!;
      let symbol = colour;
      // An unchanged pixel may show through. Do it unless it would break a run of one colour:
      // LZW thrives on runs and repeats, and transparency mixed into colour makes noise.
      if (previous && previous[row + x] === colour && colour !== last) {
        symbol = transparent;
        usedTransparent = true;
      }
      indices[at++] = symbol;
      last = symbol;
    }
  }
  return usedTransparent
    ? { left, top, width: boxWidth, height: boxHeight, indices, transparentIndex: transparent }
    : { left, top, width: boxWidth, height: boxHeight, indices };
}

function changedBox(current: Uint8Array, previous: Uint8Array, width: number, height: number) {
  let top = -1;
  let bottom = -1;
  let left = width;
  let right = -1;
  for (let y = 0; y < height; y++) {
    const row = y * width;
    let first = -1;
    for (let x = 0; x < width; x++) {
      if (current[row + x] !== previous[row + x]) {
        first = x;
        break;
      }
    }
    if (first < 0) continue;
    let last = first;
    for (let x = width - 1; x > first; x--) {
      if (current[row + x] !== previous[row + x]) {
        last = x;
        break;
      }
    }
    if (top < 0) top = y;
    bottom = y;
    if (first < left) left = first;
    if (last > right) right = last;
  }
  return top < 0 ? undefined : { left, top, right, bottom };
}
