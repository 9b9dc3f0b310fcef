/**
 * Truecolour 800x600 frames for the imaging bench, two kinds:
 *
 * - rendered: the offline map renderer (`examples/weather/offline-maps/render-map.ts`), when it
 *   can be imported: the flow's own frames, a dark base map with radar, temperatures and labels;
 * - synthetic: made here with sharp, so the bench runs without the renderer: a smooth ocean
 *   gradient, shaded land with a fixed noise texture, coastlines and a graticule of thin lines,
 *   a translucent temperature tint that drifts over the whole map (so every frame changes almost
 *   everywhere, the hard case for an encoder) and a moving precipitation blob.
 *
 * The 256-colour frames in shared data would flatter every encoder; these hold 15k to 50k colours
 * a frame. Frames are cached as PNG under `bench/.cache/` (gitignored); rendered ones under a
 * hash of the renderer's sources, so a changed renderer renders again.
 */
import { seededRandom } from '../examples/weather/offline-maps/noise.js';
import type { MapRequest } from '../examples/weather/offline-maps/render-map.js';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import sharp from 'sharp';

const here = dirname(fileURLToPath(import.meta.url));
export const cacheDir = join(here, '.cache');
const rendererDir = join(here, '..', 'examples', 'weather', 'offline-maps');
const rendererPath = join(rendererDir, 'render-map.ts');

export interface FrameSet {
  /** Short name for tables. */
  name: string;
  /** What made the frames, for the report. */
  source: string;
  frames: Buffer[];
  width: number;
  height: number;
}

type RenderMap = (request: MapRequest) => Promise<Buffer>;

/** The flow's default map, with a temperature layer blended in for more colours. */
const RENDER_REQUEST = {
  layers: ['flat-dk', 'temperatures:blend(overlay):60', 'radar', 'admin-cities-dk'],
  center: 'athens,ga',
  zoom: 5,
  start: Date.UTC(2017, 5, 1, 12, 0),
  stepMs: 10 * 60_000,
};

/**
 * The frame sets to bench: rendered maps when the renderer imports (else a printed reason), and
 * always the synthetic set.
 */
export async function benchFrameSets(count: number, width = 800, height = 600): Promise<FrameSet[]> {
  const sets: FrameSet[] = [];
  const rendered = await renderedFrames(count, width, height);
  if (typeof rendered === 'string') console.log(`  (no rendered frames: ${rendered}; using synthetic frames only)`);
  else sets.push(rendered);
  sets.push(await syntheticFrames(count, width, height));
  return sets;
}

/** Frames from `renderMap`, or why there are none. */
export async function renderedFrames(count: number, width: number, height: number): Promise<FrameSet | string> {
  if (!existsSync(rendererPath)) return `${rendererPath} does not exist`;
  let renderMap: RenderMap;
  try {
    const module = (await import(pathToFileURL(rendererPath).href)) as { renderMap?: unknown };
    if (typeof module.renderMap !== 'function') return 'render-map.ts exports no renderMap function';
    renderMap = module.renderMap as RenderMap;
  } catch (error) {
    return `render-map.ts does not import: ${(error as Error).message}`;
  }
  const dir = join(cacheDir, `rendered-${await sourceHash(rendererDir)}-${width}x${height}`);
  try {
    const frames = await cachedFrames(dir, count, (i) =>
      renderMap({
        layers: RENDER_REQUEST.layers,
        width,
        height,
        center: RENDER_REQUEST.center,
        zoom: RENDER_REQUEST.zoom,
        validTime: RENDER_REQUEST.start + i * RENDER_REQUEST.stepMs,
      }),
    );
    return {
      name: 'rendered',
      source: `renderMap ${RENDER_REQUEST.layers.join(',')} @ ${RENDER_REQUEST.center} z${RENDER_REQUEST.zoom}, 10 min apart`,
      frames,
      width,
      height,
    };
  } catch (error) {
    return `renderMap failed: ${(error as Error).message}`;
  }
}

const SYNTH_VERSION = 1;

export async function syntheticFrames(count: number, width: number, height: number): Promise<FrameSet> {
  const dir = join(cacheDir, `synth-v${SYNTH_VERSION}-${width}x${height}`);
  let base: Float32Array | undefined;
  const frames = await cachedFrames(dir, count, (i) => {
    base ??= baseMap(width, height);
    return synthFrame(base, width, height, i);
  });
  return { name: 'synthetic', source: 'synthetic map-like frames (bench/frames.ts)', frames, width, height };
}

async function cachedFrames(dir: string, count: number, make: (index: number) => Promise<Buffer>): Promise<Buffer[]> {
  await mkdir(dir, { recursive: true });
  const cached = new Set(await readdir(dir));
  const frames: Buffer[] = [];
  for (let i = 0; i < count; i++) {
    const name = `frame${String(i).padStart(3, '0')}.png`;
    if (cached.has(name)) {
      frames.push(await readFile(join(dir, name)));
      continue;
    }
    const png = await make(i);
    await writeFile(join(dir, name), png);
    frames.push(png);
  }
  return frames;
}

async function sourceHash(dir: string): Promise<string> {
  const hash = createHash('sha256');
  for (const name of (await readdir(dir)).sort()) {
    if (!name.endsWith('.ts')) continue;
    hash.update(name).update(await readFile(join(dir, name)));
  }
  return hash.digest('hex').slice(0, 12);
}

/** Smooth value noise on a lattice of `cell` pixels, summed over a few octaves, in 0..1. */
function fractalNoise(width: number, height: number, cell: number, octaves: number, seed: number): Float32Array {
  const out = new Float32Array(width * height);
  let amplitude = 1;
  let total = 0;
  for (let o = 0; o < octaves; o++) {
    const step = Math.max(2, cell >> o);
    const gw = Math.ceil(width / step) + 2;
    const gh = Math.ceil(height / step) + 2;
    const random = seededRandom(seed + o * 7919);
    const grid = new Float32Array(gw * gh).map(() => random());
    for (let y = 0; y < height; y++) {
      const gy = y / step;
      const y0 = Math.floor(gy);
      const fy = gy - y0;
      const sy = fy * fy * (3 - 2 * fy);
      for (let x = 0; x < width; x++) {
        const gx = x / step;
        const x0 = Math.floor(gx);
        const fx = gx - x0;
        const sx = fx * fx * (3 - 2 * fx);
        const a = grid[y0 * gw + x0]!;
        const b = grid[y0 * gw + x0 + 1]!;
        const c = grid[(y0 + 1) * gw + x0]!;
        const d = grid[(y0 + 1) * gw + x0 + 1]!;
        out[y * width + x]! += amplitude * (a + (b - a) * sx + (c - a) * sy + (a - b - c + d) * sx * sy);
      }
    }
    total += amplitude;
    amplitude /= 2;
  }
  for (let i = 0; i < out.length; i++) out[i]! /= total;
  return out;
}

/** The static map: RGB floats, 3 per pixel. */
function baseMap(width: number, height: number): Float32Array {
  const land = fractalNoise(width, height, 160, 5, 11);
  const texture = seededRandom(99);
  const rgb = new Float32Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = y * width + x;
      const h = land[i]!;
      let r: number, g: number, b: number;
      if (h < 0.5) {
        // Deep dark ocean shading to lighter shelf water: the gradient that bands without dithering.
        const depth = h / 0.5;
        r = 8 + 30 * depth + 10 * (y / height);
        g = 22 + 60 * depth;
        b = 48 + 90 * depth + 20 * (x / width);
      } else {
        const e = Math.min(1, (h - 0.5) / 0.25);
        r = 70 + 120 * e;
        g = 120 + 40 * e - 30 * e * e;
        b = 50 + 40 * e;
      }
      const n = (texture() - 0.5) * 6;
      rgb[i * 3] = r + n;
      rgb[i * 3 + 1] = g + n;
      rgb[i * 3 + 2] = b + n;
    }
  }
  // Coastlines: darken pixels where land crosses the 0.5 contour.
  for (let y = 1; y < height; y++) {
    for (let x = 1; x < width; x++) {
      const i = y * width + x;
      const here = land[i]! >= 0.5;
      if (here !== land[i - 1]! >= 0.5 || here !== land[i - width]! >= 0.5) {
        rgb[i * 3] = 40;
        rgb[i * 3 + 1] = 40;
        rgb[i * 3 + 2] = 40;
      }
    }
  }
  // Graticule: thin light lines, every 50 px, slightly bent like a projection.
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const bend = 6 * Math.sin((x / width) * Math.PI);
      if ((y + Math.round(bend)) % 50 === 0 || (x + Math.round(((y - height / 2) / height) * 20)) % 50 === 0) {
        const i = (y * width + x) * 3;
        rgb[i] = rgb[i]! * 0.5 + 100;
        rgb[i + 1] = rgb[i + 1]! * 0.5 + 100;
        rgb[i + 2] = rgb[i + 2]! * 0.5 + 110;
      }
    }
  }
  return rgb;
}

/** Radar colour ramp: light green, green, yellow, orange, red, magenta. */
const RAMP: Array<[number, number, number]> = [
  [150, 230, 150],
  [40, 180, 60],
  [240, 230, 40],
  [250, 150, 30],
  [220, 30, 30],
  [200, 40, 200],
];

function ramp(t: number): [number, number, number] {
  const s = Math.max(0, Math.min(0.9999, t)) * (RAMP.length - 1);
  const k = Math.floor(s);
  const f = s - k;
  const a = RAMP[k]!;
  const b = RAMP[k + 1]!;
  return [a[0] + (b[0] - a[0]) * f, a[1] + (b[1] - a[1]) * f, a[2] + (b[2] - a[2]) * f];
}

async function synthFrame(base: Float32Array, width: number, height: number, index: number): Promise<Buffer> {
  const out = Buffer.alloc(width * height * 3);
  const t = index / 60;
  // The blob moves west to east and pulses; its rim is ragged from a fixed noise field.
  const cx = width * (0.15 + 0.7 * t);
  const cy = height * (0.4 + 0.15 * Math.sin(t * Math.PI * 2));
  const radius = Math.min(width, height) * (0.22 + 0.04 * Math.sin(index / 3));
  const rim = rimNoise(width, height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = y * width + x;
      let r = base[i * 3]!;
      let g = base[i * 3 + 1]!;
      let b = base[i * 3 + 2]!;
      // A translucent temperature tint drifting across the whole map: every pixel changes a bit.
      const warm = 0.5 + 0.5 * Math.sin((x + index * 4) / 140 + Math.cos((y - index * 2) / 170));
      r += 18 * warm;
      b += 18 * (1 - warm);
      const dx = x - cx;
      const dy = y - cy;
      const d = Math.sqrt(dx * dx + dy * dy) / radius + (rim[i]! - 0.5) * 0.6;
      if (d < 1) {
        const intensity = (1 - d) * 1.15;
        const [cr, cg, cb] = ramp(intensity);
        const alpha = Math.min(1, (1 - d) * 4) * 0.85;
        r = r * (1 - alpha) + cr * alpha;
        g = g * (1 - alpha) + cg * alpha;
        b = b * (1 - alpha) + cb * alpha;
      }
      out[i * 3] = clamp(r);
      out[i * 3 + 1] = clamp(g);
      out[i * 3 + 2] = clamp(b);
    }
  }
  const stamp = Buffer.from(
    `<svg width="${width}" height="40" xmlns="http://www.w3.org/2000/svg">` +
      `<rect x="0" y="0" width="260" height="30" fill="black" fill-opacity="0.55"/>` +
      `<text x="10" y="21" font-family="sans-serif" font-size="16" fill="white">` +
      `2017-06-01 ${String(Math.floor(index / 4)).padStart(2, '0')}:${String((index % 4) * 15).padStart(2, '0')} UTC` +
      `</text></svg>`,
  );
  const stamped = await sharp(out, { raw: { width, height, channels: 3 } })
    .composite([{ input: stamp, left: 0, top: 0 }])
    .raw()
    .toBuffer({ resolveWithObject: true });
  // Composite adds an alpha channel; the frames are opaque RGB like a renderer's.
  return sharp(stamped.data, { raw: stamped.info }).removeAlpha().png({ compressionLevel: 6 }).toBuffer();
}

let rimCache: Float32Array | undefined;
function rimNoise(width: number, height: number): Float32Array {
  rimCache ??= fractalNoise(width, height, 40, 3, 5);
  return rimCache;
}

function clamp(v: number): number {
  return v < 0 ? 0 : v > 255 ? 255 : Math.round(v);
}
