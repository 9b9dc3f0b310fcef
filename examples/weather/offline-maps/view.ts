/**
 * The map view: a Web Mercator image of `width` x `height` pixels centred on (lat, lon) at a
 * web-map zoom level (the world is 256 * 2^zoom pixels wide), as AMP static maps are.
 */
import { geoMercator, type GeoProjection } from 'd3-geo';

const RAD = Math.PI / 180;
const MAX_LAT = 85.05112878;

export interface View {
  readonly lat: number;
  readonly lon: number;
  readonly zoom: number;
  readonly width: number;
  readonly height: number;
  /** Pixels per radian of longitude. */
  readonly k: number;
  /** Mercator y (radians) of the centre. */
  readonly y0: number;
}

export function makeView(lat: number, lon: number, zoom: number, width: number, height: number): View {
  const clampedLat = Math.max(-MAX_LAT, Math.min(MAX_LAT, lat));
  return {
    lat: clampedLat,
    lon,
    zoom,
    width,
    height,
    k: (256 * 2 ** zoom) / (2 * Math.PI),
    y0: mercatorY(clampedLat),
  };
}

/** Mercator y in radians for a latitude in degrees. */
export function mercatorY(latDeg: number): number {
  const phi = Math.max(-MAX_LAT, Math.min(MAX_LAT, latDeg)) * RAD;
  return Math.log(Math.tan(Math.PI / 4 + phi / 2));
}

/** Longitude (degrees, not wrapped) at pixel column x (x + 0.5 is the pixel centre). */
export function lonAt(view: View, x: number): number {
  return view.lon + ((x - view.width / 2) / view.k) / RAD;
}

/** Mercator y (radians) at pixel row y. */
export function mercYAt(view: View, y: number): number {
  return view.y0 - (y - view.height / 2) / view.k;
}

export function latFromMercY(my: number): number {
  return (2 * Math.atan(Math.exp(my)) - Math.PI / 2) / RAD;
}

export function latAt(view: View, y: number): number {
  return latFromMercY(mercYAt(view, y));
}

/** Pixel position of a point. */
export function project(view: View, lat: number, lon: number): [number, number] {
  let dLon = lon - view.lon;
  dLon -= 360 * Math.round(dLon / 360);
  return [view.width / 2 + dLon * RAD * view.k, view.height / 2 - (mercatorY(lat) - view.y0) * view.k];
}

/** The same view as a d3 projection, clipped a little outside the image. */
export function d3Projection(view: View): GeoProjection {
  const pad = 4;
  return geoMercator()
    .scale(view.k)
    .center([view.lon, view.lat])
    .translate([view.width / 2, view.height / 2])
    .clipExtent([
      [-pad, -pad],
      [view.width + pad, view.height + pad],
    ])
    .precision(0.3);
}

/** Geographic bounds of the view: [west, south, east, north], west/east not wrapped. */
export function viewBounds(view: View, marginPx = 8): [number, number, number, number] {
  return [
    lonAt(view, -marginPx),
    latAt(view, view.height + marginPx),
    lonAt(view, view.width + marginPx),
    latAt(view, -marginPx),
  ];
}

export function viewKey(view: View): string {
  return `${view.lat.toFixed(6)},${view.lon.toFixed(6)},${view.zoom},${view.width}x${view.height}`;
}
