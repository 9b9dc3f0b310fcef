/** The offline AMP renderer: real geography, deterministic frames, weather that moves. */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { PALETTES } from '../../examples/weather/offline-maps/base-map.js';
import { lookupPlace } from '../../examples/weather/offline-maps/gazetteer.js';
import { parseLayer, planLayers, parseLayers } from '../../examples/weather/offline-maps/layers.js';
import {
  MapRequestError,
  parseCenter,
  renderMap,
  type MapRequest,
} from '../../examples/weather/offline-maps/render-map.js';
import { makeView, project } from '../../examples/weather/offline-maps/view.js';

const T0 = Date.UTC(2017, 5, 1, 19, 50);
const SEED_LAYERS = [
  'terrain',
  'temperatures:blend(overlay):60',
  'alerts:70',
  'water-depth:scale-hsla(0,.94,0,.40,0,.4,0,1)',
  'radar',
  'admin-cities-dk',
];

function request(overrides: Partial<MapRequest> = {}): MapRequest {
  return { layers: ['flat-dk', 'radar'], width: 400, height: 300, center: 'athens,ga', zoom: 5, validTime: T0, ...overrides };
}

async function pixels(png: Buffer): Promise<{ data: Buffer; width: number; height: number; channels: number }> {
  const { data, info } = await sharp(png).raw().toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height, channels: info.channels };
}

function meanAbsDiff(a: Buffer, b: Buffer): number {
  assert.equal(a.length, b.length);
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += Math.abs(a[i]! - b[i]!);
  return sum / a.length;
}

function near(data: Buffer, offset: number, rgb: readonly number[], tolerance: number): boolean {
  return rgb.every((c, k) => Math.abs(data[offset + k]! - c) <= tolerance);
}

async function expectRequestError(promise: Promise<unknown>, code: string, field: string): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof MapRequestError, `expected a MapRequestError, got ${String(error)}`);
    assert.equal(error.code, code);
    assert.equal(error.field, field);
    assert.match(error.message, new RegExp(field === 'time' ? 'time' : field, 'i'));
    return true;
  });
}

describe('renderMap', () => {
  it('returns a truecolour PNG of the requested size', async () => {
    for (const [width, height] of [
      [800, 600],
      [333, 217],
      [1, 1],
    ] as const) {
      const png = await renderMap(request({ layers: SEED_LAYERS, width, height }));
      const meta = await sharp(png).metadata();
      assert.equal(meta.format, 'png');
      assert.equal(meta.width, width);
      assert.equal(meta.height, height);
      assert.equal(meta.channels, 3);
      assert.equal(meta.isPalette, false);
    }
  });

  it('is deterministic: the same request gives the same bytes', async () => {
    const a = await renderMap(request({ layers: SEED_LAYERS }));
    const b = await renderMap(request({ layers: SEED_LAYERS }));
    assert.ok(a.equals(b));
  });

  it('is deterministic across processes', async () => {
    const req = request({ layers: SEED_LAYERS, width: 320, height: 240 });
    const here = createHash('sha256').update(await renderMap(req)).digest('hex');
    const child = fileURLToPath(new URL('./render-child.ts', import.meta.url));
    const there = await new Promise<string>((resolve, reject) => {
      execFile(process.execPath, ['--conditions=source', '--import', 'tsx', child, JSON.stringify(req)], { timeout: 60_000 }, (error, stdout) =>
        error ? reject(error) : resolve(stdout.trim()),
      );
    });
    assert.equal(there, here);
  });

  it('moves the weather a little between frames 10 minutes apart, and a lot over hours', async () => {
    const at = (validTime: number) => renderMap(request({ validTime })).then(pixels);
    const [f0, f10, f6h] = await Promise.all([at(T0), at(T0 + 10 * 60_000), at(T0 + 6 * 3_600_000)]);
    const step = meanAbsDiff(f0.data, f10.data);
    const far = meanAbsDiff(f0.data, f6h.data);
    assert.ok(step > 0.2, `frames 10 minutes apart should differ visibly (mean diff ${step})`);
    assert.ok(far > step * 2, `frames hours apart should differ more than neighbours (${far} vs ${step})`);
  });

  it('draws real coastlines: ocean and land where they are', async () => {
    // The US east coast: the Atlantic off Cape Hatteras, land at Raleigh and Atlanta.
    const req = request({ layers: ['flat-dk'], width: 600, height: 400, center: '35.5,-78', zoom: 5 });
    const { data, width, channels } = await pixels(await renderMap(req));
    const view = makeView(35.5, -78, 5, 600, 400);
    const palette = PALETTES['flat-dk'];
    const at = (lat: number, lon: number) => {
      const [x, y] = project(view, lat, lon);
      return (Math.floor(y) * width + Math.floor(x)) * channels;
    };
    assert.ok(near(data, at(34.5, -72), palette.water, 3), 'the Atlantic is water');
    assert.ok(near(data, at(37.3, -86), palette.water, 3) === false, 'Kentucky is not water');
    assert.ok(near(data, at(35.8, -78.9), palette.landLow, 8), 'near Raleigh is land');
    assert.ok(near(data, at(41.7, -82.0), palette.water, 3), 'Lake Erie is water');
    let water = 0;
    let land = 0;
    for (let i = 0; i < data.length; i += channels) {
      if (near(data, i, palette.water, 3)) water++;
      else if (near(data, i, palette.landLow, 8)) land++;
    }
    const total = data.length / channels;
    assert.ok(water / total > 0.2, `expected ocean pixels, got ${water}`);
    assert.ok(land / total > 0.2, `expected land pixels, got ${land}`);
  });

  it('draws radar colours and a temperature tint when asked, not otherwise', async () => {
    const plain = await pixels(await renderMap(request({ layers: ['flat-dk'], width: 800, height: 600 })));
    const weather = await pixels(await renderMap(request({ layers: ['flat-dk', 'radar'], width: 800, height: 600 })));
    const greenish = (img: { data: Buffer; channels: number }) => {
      let n = 0;
      for (let i = 0; i < img.data.length; i += img.channels) {
        if (img.data[i + 1]! > img.data[i]! + 40 && img.data[i + 1]! > img.data[i + 2]! + 40) n++;
      }
      return n;
    };
    assert.equal(greenish(plain), 0);
    assert.ok(greenish(weather) > 100, 'radar draws green echoes');
    const temps = await pixels(await renderMap(request({ layers: ['flat-dk', 'temperatures'] })));
    const flat = await pixels(await renderMap(request({ layers: ['flat-dk'] })));
    assert.ok(meanAbsDiff(temps.data, flat.data) > 10, 'temperatures tint the land');
  });

  it('accepts layer modifiers and ignores unknown layers', async () => {
    const png = await renderMap(request({ layers: [...SEED_LAYERS, 'stormcells', 'no-such-layer:50'] }));
    assert.equal((await sharp(png).metadata()).width, 400);
    const spec = parseLayer('temperatures:blend(overlay):60');
    assert.equal(spec.name, 'temperatures');
    assert.equal(spec.blend, 'overlay');
    assert.equal(spec.opacity, 0.6);
    assert.equal(parseLayer('alerts:70').opacity, 0.7);
    assert.deepEqual(parseLayer('water-depth:scale-hsla(0,.94,0,.40,0,.4,0,1)').modifiers, ['scale-hsla(0,.94,0,.40,0,.4,0,1)']);
    const plan = planLayers(parseLayers(SEED_LAYERS));
    assert.equal(plan.base, 'terrain');
    assert.ok(plan.radar && plan.temperatures && plan.labels);
    assert.equal(planLayers(parseLayers(['radar'])).base, 'flat-dk');
  });

  it('resolves centres: lat,lon and gazetteer names', () => {
    assert.deepEqual(parseCenter('33.95,-83.36'), { lat: 33.95, lon: -83.36 });
    for (const name of ['tulsa,ok', 'athens,ga', 'minneapolis,mn', 'el dorado,ar', 'St. Louis, MO', 'london,uk', 'toronto,on']) {
      assert.ok(lookupPlace(name), name);
      assert.ok(Number.isFinite(parseCenter(name).lat), name);
    }
    assert.equal(parseCenter('el dorado,ar').place, 'el dorado,ar');
  });

  it('rejects bad requests with errors that name the field', async () => {
    await expectRequestError(renderMap(request({ width: 0 })), 'invalid_size', 'width');
    await expectRequestError(renderMap(request({ height: 2001 })), 'invalid_size', 'height');
    await expectRequestError(renderMap(request({ width: 10.5 })), 'invalid_size', 'width');
    await expectRequestError(renderMap(request({ center: 'atlantis,zz' })), 'invalid_location', 'center');
    await expectRequestError(renderMap(request({ center: '95,10' })), 'invalid_location', 'center');
    await expectRequestError(renderMap(request({ zoom: 40 })), 'invalid_zoom', 'zoom');
    await expectRequestError(renderMap(request({ validTime: Number.NaN })), 'invalid_time', 'validTime');
    await expectRequestError(renderMap(request({ layers: [] })), 'invalid_layers', 'layers');
    await expectRequestError(renderMap(request({ layers: ['radar(:1'] })), 'invalid_layers', 'layers');
    await assert.rejects(renderMap(request({ center: 'atlantis,zz' })), /atlantis,zz/);
  });
});
