/**
 * Base map colours per pixel, from the land mask: flat (light or dark) or terrain, where
 * terrain has a hill-shaded pseudo-relief. The relief is not real elevation data: the major
 * mountain ranges are sketched as a few polylines, textured with ridged noise.
 */
import { fbm3, noise3 } from './noise.js';
import type { BaseStyle } from './layers.js';
import { latAt, lonAt, type View } from './view.js';

type Rgb = readonly [number, number, number];

interface Range {
  readonly points: readonly (readonly [number, number])[]; // [lat, lon]
  /** Half-width in degrees. */
  readonly width: number;
  readonly height: number;
}

const RANGES: readonly Range[] = [
  { points: [[33.8, -86.3], [35.5, -83.5], [37.5, -80.5], [39.5, -79], [41, -77], [42.3, -74.5], [44, -72.5], [45.5, -70.5], [47, -68]], width: 1.2, height: 0.45 },
  { points: [[31.5, -106.5], [35.5, -105.6], [38.5, -106.3], [40.5, -106], [43, -110], [45.5, -112.5], [48.5, -114], [52, -117.5], [56, -122], [60, -128]], width: 2.6, height: 1 },
  { points: [[36, -110.5], [39, -113], [40.5, -116]], width: 3.5, height: 0.55 },
  { points: [[35.3, -118.3], [37.5, -119.2], [39.5, -120.5]], width: 0.8, height: 0.9 },
  { points: [[40.5, -121.8], [43.5, -122], [46.5, -121.5], [49.5, -121]], width: 1, height: 0.8 },
  { points: [[34.5, -120], [38, -122.5], [42, -123.8], [47, -123.5]], width: 0.6, height: 0.4 },
  { points: [[19, -97.5], [23, -99.8], [26, -101]], width: 1.5, height: 0.8 },
  { points: [[21, -104], [26, -107], [30.5, -108.5]], width: 2, height: 0.8 },
  { points: [[35.8, -94], [37, -92]], width: 1.2, height: 0.3 },
  { points: [[44, 7], [46, 8], [46.8, 11], [47.2, 13.5]], width: 1, height: 0.9 },
  { points: [[35, 74], [30, 80], [28, 86], [27.5, 92]], width: 2, height: 1.2 },
  { points: [[8, -73], [0, -78], [-15, -72], [-30, -70], [-45, -72]], width: 2, height: 1.2 },
];

function segmentDistance(lat: number, lon: number, a: readonly [number, number], b: readonly [number, number]): number {
  const c = Math.cos((lat * Math.PI) / 180);
  const px = lon * c;
  const ax = a[1] * c;
  const bx = b[1] * c;
  const dx = bx - ax;
  const dy = b[0] - a[0];
  const len2 = dx * dx + dy * dy;
  const t = len2 === 0 ? 0 : Math.max(0, Math.min(1, ((px - ax) * dx + (lat - a[0]) * dy) / len2));
  const ex = px - (ax + t * dx);
  const ey = lat - (a[0] + t * dy);
  return Math.sqrt(ex * ex + ey * ey);
}

/** Pseudo-elevation, about 0..1.2. */
function elevation(lat: number, lon: number): number {
  let mountains = 0;
  for (const range of RANGES) {
    for (let i = 0; i + 1 < range.points.length; i++) {
      const a = range.points[i]!;
      const b = range.points[i + 1]!;
      if (Math.abs(lat - a[0]) > 12 && Math.abs(lat - b[0]) > 12) continue;
      const d = segmentDistance(lat, lon, a, b) / range.width;
      if (d < 3) mountains = Math.max(mountains, range.height * Math.exp(-d * d));
    }
  }
  // Ridged noise gives valleys and crests; the plains get only a gentle roll.
  let ridged = 0;
  let amp = 0.5;
  let f = 0.9;
  for (let o = 0; o < 4; o++) {
    ridged += amp * (1 - Math.abs(noise3(lon * f, lat * f * 1.2, 1.7 + o)));
    amp *= 0.5;
    f *= 2.1;
  }
  const rolling = 0.06 * fbm3(lon * 0.3, lat * 0.3, 9.1, 3);
  return mountains * (0.35 + 0.9 * ridged) + 0.045 * ridged + rolling;
}

function mix(a: Rgb, b: Rgb, t: number): [number, number, number] {
  return [a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t, a[2] + (b[2] - a[2]) * t];
}

export interface Palette {
  readonly water: Rgb;
  readonly landLow: Rgb;
  readonly landHigh: Rgb;
  readonly relief: number;
}

export const PALETTES: Readonly<Record<BaseStyle, Palette>> = {
  'flat-dk': { water: [27, 36, 45], landLow: [56, 60, 64], landHigh: [64, 67, 70], relief: 0 },
  flat: { water: [165, 196, 218], landLow: [236, 232, 222], landHigh: [226, 220, 206], relief: 0 },
  terrain: { water: [40, 56, 66], landLow: [120, 128, 104], landHigh: [176, 164, 140], relief: 0.7 },
  'terrain-dk': { water: [20, 30, 40], landLow: [60, 72, 52], landHigh: [120, 110, 92], relief: 0.8 },
};

/** RGB bytes of the base map for one view. */
export function renderBase(view: View, style: BaseStyle, landMask: Uint8Array): Uint8Array {
  const { width, height } = view;
  const palette = PALETTES[style];
  const out = new Uint8Array(width * height * 3);

  // Elevation on a 2-pixel grid (terrain styles only), interpolated; hill shade from its slope.
  let elev: Float32Array | undefined;
  if (palette.relief > 0) {
    const step = 2;
    const gw = Math.ceil(width / step) + 2;
    const gh = Math.ceil(height / step) + 2;
    const grid = new Float32Array(gw * gh);
    const lons = new Float64Array(gw);
    for (let i = 0; i < gw; i++) lons[i] = lonAt(view, i * step);
    for (let j = 0; j < gh; j++) {
      const lat = latAt(view, j * step);
      for (let i = 0; i < gw; i++) grid[j * gw + i] = elevation(lat, lons[i]!);
    }
    elev = new Float32Array(width * height);
    for (let y = 0; y < height; y++) {
      const j = Math.floor(y / step);
      const ty = y / step - j;
      for (let x = 0; x < width; x++) {
        const i = Math.floor(x / step);
        const tx = x / step - i;
        const g = j * gw + i;
        const a = grid[g]! + tx * (grid[g + 1]! - grid[g]!);
        const b = grid[g + gw]! + tx * (grid[g + gw + 1]! - grid[g + gw]!);
        elev[y * width + x] = a + ty * (b - a);
      }
    }
  }
  // Slopes are per pixel, and a pixel covers half the ground at each zoom step: scale them back.
  const shadeGain = 2 ** (view.zoom + 1.2) * 0.9;

  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const p = y * width + x;
      const land = landMask[p]! / 255;
      let lr = palette.landLow[0];
      let lg = palette.landLow[1];
      let lb = palette.landLow[2];
      if (elev) {
        const e = elev[p]!;
        const [cr, cg, cb] = mix(palette.landLow, palette.landHigh, Math.max(0, Math.min(1, e * 0.9)));
        const ex = elev[p + (x + 1 < width ? 1 : 0)]! - elev[p - (x > 0 ? 1 : 0)]!;
        const ey = elev[p + (y + 1 < height ? width : 0)]! - elev[p - (y > 0 ? width : 0)]!;
        // Light from the north-west: slopes rising to the south-east face it.
        const shade = Math.max(-0.35, Math.min(0.35, (ex + ey) * shadeGain * 0.35)) * palette.relief;
        const f = 1 + shade;
        lr = cr * f;
        lg = cg * f;
        lb = cb * f;
      }
      const r = palette.water[0] + (lr - palette.water[0]) * land;
      const g = palette.water[1] + (lg - palette.water[1]) * land;
      const b = palette.water[2] + (lb - palette.water[2]) * land;
      out[p * 3] = r < 0 ? 0 : r > 255 ? 255 : r;
      out[p * 3 + 1] = g < 0 ? 0 : g > 255 ? 255 : g;
      out[p * 3 + 2] = b < 0 ? 0 : b > 255 ? 255 : b;
    }
  }
  return out;
}
