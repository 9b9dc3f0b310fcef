/**
 * Synthetic weather: radar reflectivity, cloud cover and surface temperature as smooth,
 * deterministic functions of place and time. Storm systems drift east-north-east and evolve, so
 * frames a few minutes apart differ a little and an animation of them looks like motion.
 *
 * Fields are evaluated on a coarse pixel grid and interpolated, which keeps an 800x600 frame in
 * a few tens of milliseconds.
 */
import { fbm3, noise3 } from './noise.js';
import { lonAt, mercYAt, latFromMercY, type View } from './view.js';

const DEG = 180 / Math.PI;
/** Time origin for the fields, so the noise coordinates stay small. */
const EPOCH_MS = Date.UTC(2017, 5, 1);

/** Storm motion, degrees per hour (east, north). */
const DRIFT_EAST = 1.6;
const DRIFT_NORTH = 0.45;

export function hoursSinceEpoch(validTime: number): number {
  return (validTime - EPOCH_MS) / 3_600_000;
}

/** A full-resolution scalar field, one value per pixel. */
export interface Field {
  readonly width: number;
  readonly height: number;
  readonly values: Float32Array;
}

/** Values at every `step`-th pixel (pixel centres), for bilinear lookups. */
interface Grid {
  readonly step: number;
  readonly gw: number;
  readonly gh: number;
  readonly values: Float32Array;
}

/**
 * Evaluates fn(gx, gy, px, py) at every `step`-th pixel: gx is longitude in degrees, gy the
 * Mercator y in degree units (so both axes have the same scale on screen), px/py the pixel.
 */
function sampleGrid(
  view: View,
  step: number,
  fn: (gx: number, gy: number, px: number, py: number) => number,
): Grid {
  const gw = Math.ceil(view.width / step) + 2;
  const gh = Math.ceil(view.height / step) + 2;
  const values = new Float32Array(gw * gh);
  const gxs = new Float64Array(gw);
  for (let i = 0; i < gw; i++) gxs[i] = lonAt(view, i * step + 0.5);
  for (let j = 0; j < gh; j++) {
    const py = j * step;
    const gy = mercYAt(view, py + 0.5) * DEG;
    const row = j * gw;
    for (let i = 0; i < gw; i++) values[row + i] = fn(gxs[i]!, gy, i * step, py);
  }
  return { step, gw, gh, values };
}

/** Bilinear value of a grid at pixel (px, py). */
function at(grid: Grid, px: number, py: number): number {
  const fx = px / grid.step;
  const fy = py / grid.step;
  const i = Math.min(grid.gw - 2, Math.floor(fx));
  const j = Math.min(grid.gh - 2, Math.floor(fy));
  const tx = fx - i;
  const ty = fy - j;
  const v = grid.values;
  const k = j * grid.gw + i;
  const a = v[k]! + tx * (v[k + 1]! - v[k]!);
  const b = v[k + grid.gw]! + tx * (v[k + grid.gw + 1]! - v[k + grid.gw]!);
  return a + ty * (b - a);
}

/** Bilinear upsampling of a grid to one value per pixel. */
function toField(view: View, grid: Grid): Field {
  const { width, height } = view;
  const { step, gw } = grid;
  const g = grid.values;
  const values = new Float32Array(width * height);
  const inv = 1 / step;
  for (let y = 0; y < height; y++) {
    const fy = y * inv;
    const j = Math.floor(fy);
    const ty = fy - j;
    const r0 = j * gw;
    const r1 = r0 + gw;
    const out = y * width;
    for (let x = 0; x < width; x++) {
      const fx = x * inv;
      const i = Math.floor(fx);
      const tx = fx - i;
      const a = g[r0 + i]! + tx * (g[r0 + i + 1]! - g[r0 + i]!);
      const b = g[r1 + i]! + tx * (g[r1 + i + 1]! - g[r1 + i]!);
      values[out + x] = a + ty * (b - a);
    }
  }
  return { width, height, values };
}

function clamp01(v: number): number {
  return v < 0 ? 0 : v > 1 ? 1 : v;
}

/** Grid spacing in pixels; big images get a coarser grid, so the cost stays about constant. */
function gridStep(view: View, base: number): number {
  return view.width * view.height > 1_000_000 ? base * 2 : base;
}

/**
 * Storm-system envelope (about -1..1, weather where > 0): large blobs plus long frontal bands,
 * in drifted coordinates, slowly evolving.
 */
function systems(ax: number, ay: number, t: number): number {
  const blob = fbm3(ax * 0.055, ay * 0.055, t * 0.05, 3);
  // A ridge of low-frequency noise makes long, curved bands (fronts, squall lines).
  const ridge = 1 - Math.abs(noise3(ax * 0.022 + 11.3, ay * 0.04 - 4.1, t * 0.035));
  const gate = noise3(ax * 0.02 - 3.7, ay * 0.02 + 8.8, t * 0.03); // fronts come and go
  const front = (ridge - 0.9) * 7 * Math.max(0, Math.min(1, gate * 3 + 0.6));
  return Math.max((blob - 0.18) * 2.6, front);
}

/** The slowly varying parts of the weather, shared by radar and clouds. */
interface Synoptic {
  readonly t: number;
  /** Drift offsets in degrees. */
  readonly ox: number;
  readonly oy: number;
  /** Domain warp (degrees) and system envelope, on a coarse grid. */
  readonly warpX: Grid;
  readonly warpY: Grid;
  readonly env: Grid;
  /** Mid-scale texture at warped coordinates, on a medium grid. */
  readonly mid: Grid;
}

function synoptic(view: View, validTime: number): Synoptic {
  const t = hoursSinceEpoch(validTime);
  const ox = DRIFT_EAST * t;
  const oy = DRIFT_NORTH * t;
  const coarse = gridStep(view, 8);
  const warpX = sampleGrid(view, coarse, (gx, gy) => 1.3 * noise3((gx - ox) * 0.12, (gy - oy) * 0.12, t * 0.05 + 7.7));
  const warpY = sampleGrid(view, coarse, (gx, gy) =>
    1.3 * noise3((gx - ox) * 0.12 + 31.4, (gy - oy) * 0.12, t * 0.05 - 2.2),
  );
  const env = sampleGrid(view, coarse, (gx, gy, px, py) =>
    systems(gx - ox + at(warpX, px, py), gy - oy + at(warpY, px, py), t),
  );
  const mid = sampleGrid(view, gridStep(view, 4), (gx, gy, px, py) =>
    fbm3((gx - ox + at(warpX, px, py)) * 0.3, (gy - oy + at(warpY, px, py)) * 0.3, t * 0.15, 3),
  );
  return { t, ox, oy, warpX, warpY, env, mid };
}

export interface WeatherFields {
  /** Radar reflectivity in dBZ (values under ~12 draw nothing). */
  readonly radar?: Field;
  /** Cloud cover 0..1. */
  readonly clouds?: Field;
  /** Surface temperature in °F. */
  readonly temperature?: Field;
}

/** Radar reflectivity (dBZ) per pixel. */
export function radarField(view: View, validTime: number, shared = synoptic(view, validTime)): Field {
  const { t, ox, oy, warpX, warpY } = shared;
  const grid = sampleGrid(view, gridStep(view, 2), (gx, gy, px, py) => {
    const mid = at(shared.mid, px, py);
    const system = at(shared.env, px, py);
    const ax = gx - ox + at(warpX, px, py);
    const ay = gy - oy + at(warpY, px, py);
    const cells = fbm3(ax * 0.9, ay * 0.9, t * 0.3, 4, 0.55);
    // Mid-scale and cell-scale noise make the system edges ragged and the rain inside uneven.
    const env = clamp01(system + (mid * 0.9 + cells * 0.45) * clamp01(system + 0.65) - 0.05);
    // Stratiform rain fills the envelope; convective cells peak inside it and poke through its
    // edges; scattered showers pop up near systems, not everywhere.
    const stratiform = env > 0 ? 10 + 16 * env + 12 * mid + 14 * cells : 0;
    const convective = Math.max(0, cells + 0.3 * env - 0.13) * (20 + 62 * env);
    const showers = Math.max(0, cells - 0.3) * 100 * clamp01((system + 0.35) * 2.5);
    const dbz = Math.max(stratiform + convective, showers);
    // Soft ceiling: the strongest cores reach the reds and an occasional magenta, no plateaus.
    return dbz > 42 ? 42 + 18 * Math.tanh((dbz - 42) / 30) : dbz;
  });
  return toField(view, grid);
}

/** Cloud cover 0..1 per pixel: broader and softer than the rain under it. */
export function cloudField(view: View, validTime: number, shared = synoptic(view, validTime)): Field {
  const grid = sampleGrid(view, gridStep(view, 4), (_gx, _gy, px, py) =>
    clamp01(at(shared.env, px, py) * 1.2 + at(shared.mid, px, py) * 1.1 + 0.12),
  );
  return toField(view, grid);
}

/** Computes the fields the layers ask for, sharing the synoptic part between them. */
export function weatherFields(
  view: View,
  validTime: number,
  want: { radar: boolean; clouds: boolean; temperature: boolean },
): WeatherFields {
  const shared = want.radar || want.clouds ? synoptic(view, validTime) : undefined;
  return {
    ...(want.radar && shared ? { radar: radarField(view, validTime, shared) } : {}),
    ...(want.clouds && shared ? { clouds: cloudField(view, validTime, shared) } : {}),
    ...(want.temperature ? { temperature: temperatureField(view, validTime) } : {}),
  };
}

function dayOfYear(ms: number): number {
  const d = new Date(ms);
  return (ms - Date.UTC(d.getUTCFullYear(), 0, 1)) / 86_400_000;
}

/** Surface temperature (°F) per pixel: climate by latitude and season, the daily cycle, weather. */
export function temperatureField(view: View, validTime: number): Field {
  const t = hoursSinceEpoch(validTime);
  const doy = dayOfYear(validTime);
  const utcHours = (((validTime / 3_600_000) % 24) + 24) % 24;
  // +1 at the northern midsummer peak (mid July), -1 in mid January.
  const seasonNorth = Math.cos((2 * Math.PI * (doy - 196)) / 365.25);
  const grid = sampleGrid(view, gridStep(view, 6), (gx, gy) => {
    const lat = latFromMercY(gy / DEG);
    const absLat = Math.abs(lat);
    const season = lat >= 0 ? seasonNorth : -seasonNorth;
    // Daily mean: warm tropics, cooling poleward, with a seasonal swing that grows with latitude.
    const mean = (absLat > 12 ? 84 - 1.25 * (absLat - 12) : 84) + season * 0.5 * absLat;
    // Afternoon peak at 15:00 local solar time.
    const solarHour = utcHours + gx / 15;
    const diurnal = 10 * Math.cos((2 * Math.PI * (solarHour - 15)) / 24);
    const anomaly = 11 * fbm3(gx * 0.09 - 0.04 * t, gy * 0.09, t * 0.015, 3);
    const local = 3 * noise3(gx * 0.6, gy * 0.6, 3.3);
    return mean + diurnal + anomaly + local;
  });
  return toField(view, grid);
}

// ---------------------------------------------------------------------------------------------
// Colour tables

interface Stop {
  readonly at: number;
  readonly rgba: readonly [number, number, number, number];
}

function buildLut(stops: readonly Stop[], min: number, max: number, size: number): Uint8Array {
  const lut = new Uint8Array(size * 4);
  for (let i = 0; i < size; i++) {
    const v = min + ((max - min) * i) / (size - 1);
    let k = 0;
    while (k < stops.length - 2 && v > stops[k + 1]!.at) k++;
    const a = stops[k]!;
    const b = stops[k + 1]!;
    const f = Math.max(0, Math.min(1, (v - a.at) / (b.at - a.at)));
    for (let c = 0; c < 4; c++) lut[i * 4 + c] = Math.round(a.rgba[c]! + f * (b.rgba[c]! - a.rgba[c]!));
  }
  return lut;
}

export const RADAR_MIN = 0;
export const RADAR_MAX = 75;
/** Reflectivity colours (dBZ) in the usual green-yellow-red-magenta steps; alpha ramps in. */
export const RADAR_LUT = buildLut(
  [
    { at: 0, rgba: [90, 200, 90, 0] },
    { at: 12, rgba: [90, 200, 90, 0] },
    { at: 16, rgba: [70, 225, 70, 165] },
    { at: 22, rgba: [30, 195, 40, 210] },
    { at: 28, rgba: [10, 150, 25, 225] },
    { at: 33, rgba: [5, 110, 20, 235] },
    { at: 37, rgba: [235, 225, 40, 240] },
    { at: 42, rgba: [245, 165, 25, 245] },
    { at: 47, rgba: [235, 95, 25, 250] },
    { at: 52, rgba: [215, 30, 30, 250] },
    { at: 58, rgba: [170, 20, 60, 250] },
    { at: 64, rgba: [220, 80, 220, 250] },
    { at: 75, rgba: [250, 230, 250, 250] },
  ],
  RADAR_MIN,
  RADAR_MAX,
  256,
);

export const TEMP_MIN = -30;
export const TEMP_MAX = 120;
/** Temperature colours (°F), purple-blue through green and yellow to red. */
export const TEMP_LUT = buildLut(
  [
    { at: -30, rgba: [200, 160, 230, 255] },
    { at: -10, rgba: [140, 80, 200, 255] },
    { at: 10, rgba: [60, 60, 200, 255] },
    { at: 25, rgba: [50, 130, 230, 255] },
    { at: 32, rgba: [90, 200, 235, 255] },
    { at: 42, rgba: [60, 180, 160, 255] },
    { at: 52, rgba: [80, 185, 80, 255] },
    { at: 62, rgba: [170, 210, 60, 255] },
    { at: 70, rgba: [240, 225, 60, 255] },
    { at: 78, rgba: [245, 170, 40, 255] },
    { at: 86, rgba: [235, 110, 35, 255] },
    { at: 94, rgba: [215, 50, 35, 255] },
    { at: 104, rgba: [160, 20, 40, 255] },
    { at: 120, rgba: [110, 10, 60, 255] },
  ],
  TEMP_MIN,
  TEMP_MAX,
  256,
);

/** Index into a 256-entry LUT for a value in [min, max]. */
export function lutIndex(value: number, min: number, max: number): number {
  const i = Math.round(((value - min) / (max - min)) * 255);
  return i < 0 ? 0 : i > 255 ? 255 : i;
}
