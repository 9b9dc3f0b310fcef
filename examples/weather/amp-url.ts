/**
 * Aeris Maps (AMP) image URLs:
 * `{base}/{client_id}_{client_secret}/{layers}/{width}x{height}/{center},{zoom}/{time}.png`.
 * https://www.aerisweather.com/support/docs/aeris-maps/
 */
import { compactTime } from 'dataflow';

export interface AmpImageRequest {
  layers: string[];
  width: number;
  height: number;
  center: string;
  zoom: number;
  validTime: string | number;
}

export interface AmpCredentials {
  clientId: string;
  clientSecret: string;
}

/** The time part of the path: relative times pass through; epoch seconds or ms become `YYYYMMDDhhmmss`. */
export function ampTime(validTime: string | number): string {
  if (typeof validTime === 'number' || /^\d{9,13}$/.test(validTime)) {
    const n = Number(validTime);
    return compactTime(n < 1e11 ? n * 1000 : n);
  }
  return validTime;
}

export function ampImageUrl(base: string, credentials: AmpCredentials, request: AmpImageRequest): string {
  const segment = (text: string) => encodeURIComponent(text).replace(/%2C/gi, ',').replace(/%3A/gi, ':').replace(/%28/gi, '(').replace(/%29/gi, ')');
  return [
    base.replace(/\/+$/, ''),
    `${encodeURIComponent(credentials.clientId)}_${encodeURIComponent(credentials.clientSecret)}`,
    request.layers.map(segment).join(','),
    `${request.width}x${request.height}`,
    `${segment(request.center)},${request.zoom}`,
    `${encodeURIComponent(ampTime(request.validTime))}.png`,
  ].join('/');
}

/** Reads AMP's `x-aeris-valid-date` header: ISO 8601, `YYYYMMDDhhmmss`, or epoch seconds. */
export function parseAmpDate(value: string | null): number | undefined {
  if (!value) return undefined;
  const text = value.trim();
  if (/^\d{14}$/.test(text)) {
    const iso = `${text.slice(0, 4)}-${text.slice(4, 6)}-${text.slice(6, 8)}T${text.slice(8, 10)}:${text.slice(10, 12)}:${text.slice(12, 14)}Z`;
    return Date.parse(iso);
  }
  if (/^\d{9,13}$/.test(text)) {
    const n = Number(text);
    return n < 1e11 ? n * 1000 : n;
  }
  const parsed = Date.parse(text);
  return Number.isNaN(parsed) ? undefined : parsed;
}
