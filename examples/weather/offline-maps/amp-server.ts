/**
 * An offline Aeris Maps (AMP) server on node:http, speaking AMP's static-map URL scheme:
 *
 *   {base}/{client_id}_{client_secret}/{layers}/{width}x{height}/{center},{zoom}/{time}.png
 *
 * - `layers` are comma separated (commas inside parentheses belong to a modifier);
 *   `center` may itself contain commas (`tulsa,ok,5`: the zoom is the last part) and is
 *   URL-decoded (`el%20dorado,ar`).
 * - A relative time (`-30m`, `-0h`, `+1h`, `current`, `now`, `0`) answers 302 with the URL of
 *   the frame's absolute time (`YYYYMMDDhhmmss`, snapped down to the frame interval), as AMP's
 *   temporary redirect does. An absolute time answers 200 with the image and the headers
 *   `x-aeris-valid-date`, `x-aeris-min-valid-date`, `x-aeris-max-valid-date`,
 *   `x-aeris-run-date` (ISO 8601 UTC, e.g. `2017-06-01T16:00:00Z`).
 * - Errors are JSON `{ "error": { "code", "description" } }`: 401 bad credentials, 400 bad
 *   size/centre/zoom/time/layers, 404 unknown path, 405 other methods. Neither errors nor
 *   anything else this server writes contain the client secret; it logs nothing.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { formatCompactTime, formatHeaderDate, parseAmpTime, snapToFrame } from './amp-time.js';
import { MapRequestError } from './errors.js';
import { splitLayerList } from './layers.js';
import { renderMap, validateMapRequest, type MapRequest } from './render-map.js';

export interface AmpServerOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** When set, requests must carry exactly this client id, else 401. */
  clientId?: string;
  /** When set, requests must carry exactly this client secret, else 401. */
  clientSecret?: string;
  /** Clock for relative times; default Date.now. */
  now?: () => number;
  /** Minutes between frames; times snap down to a multiple of this. Default 10. */
  frameIntervalMinutes?: number;
}

export interface AmpServer {
  /** Base URL, no trailing slash, e.g. `http://127.0.0.1:40123`. */
  readonly url: string;
  close(): Promise<void>;
  /** Requests received so far, whatever their answer. */
  readonly requests: number;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    description: string,
  ) {
    super(description);
  }
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

/** Constant-time string comparison (hashing first makes the lengths equal). */
function sameSecret(a: string, b: string): boolean {
  return timingSafeEqual(digest(a), digest(b));
}

function decodeSegment(segment: string, field: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new HttpError(400, 'invalid_request', `The ${field} part of the path is not valid URL encoding.`);
  }
}

const PATH_HELP = 'Expected /{client_id}_{client_secret}/{layers}/{width}x{height}/{center},{zoom}/{time}.png';

interface ParsedPath {
  readonly request: Omit<MapRequest, 'validTime'>;
  readonly time: string;
  readonly extension: string;
  /** The raw path segments before the time, to build the redirect from. */
  readonly prefix: string;
}

function checkCredentials(segment: string, options: AmpServerOptions): void {
  const fail = () => new HttpError(401, 'invalid_client', 'The client id and/or client secret provided are not valid.');
  let decoded: string;
  try {
    decoded = decodeURIComponent(segment);
  } catch {
    throw fail();
  }
  const cut = decoded.indexOf('_');
  if (cut <= 0 || cut === decoded.length - 1) throw fail();
  const id = decoded.slice(0, cut);
  const secret = decoded.slice(cut + 1);
  let ok = true;
  if (options.clientId !== undefined) ok = sameSecret(id, options.clientId) && ok;
  if (options.clientSecret !== undefined) ok = sameSecret(secret, options.clientSecret) && ok;
  if (!ok) throw fail();
}

function parsePath(segments: readonly string[]): ParsedPath {
  const [, , layersSeg = '', sizeSeg = '', centerSeg = '', fileSeg = ''] = segments;

  const layers = splitLayerList(layersSeg).map((layer) => decodeSegment(layer, 'layers'));

  const size = /^(\d{1,6})x(\d{1,6})$/i.exec(sizeSeg);
  if (!size) throw new HttpError(400, 'invalid_size', 'The size must be {width}x{height} in pixels, e.g. 800x600.');

  const centerZoom = decodeSegment(centerSeg, 'center');
  const cut = centerZoom.lastIndexOf(',');
  if (cut <= 0) {
    throw new HttpError(400, 'invalid_location', 'The location must be {center},{zoom}, e.g. tulsa,ok,5 or 36.15,-95.99,5.');
  }
  const zoomText = centerZoom.slice(cut + 1).trim();
  if (!/^\d+(\.\d+)?$/.test(zoomText)) {
    throw new HttpError(400, 'invalid_zoom', 'The zoom (after the last comma of the location) must be a number, e.g. 5.');
  }

  const file = /^(.+)\.(png|jpg|jpeg)$/i.exec(fileSeg);
  if (!file) throw new HttpError(400, 'invalid_format', 'The image must be requested as {time}.png or {time}.jpg.');

  return {
    request: {
      layers,
      width: Number(size[1]),
      height: Number(size[2]),
      center: centerZoom.slice(0, cut),
      zoom: Number(zoomText),
    },
    time: decodeSegment(file[1]!, 'time'),
    extension: file[2]!.toLowerCase(),
    prefix: segments.slice(0, 5).join('/'),
  };
}

function frameHeaders(validTime: number, intervalMs: number, now: number): Record<string, string> {
  // Past frames are observations (run = valid); future ones come from the latest hourly run.
  const run = validTime > now ? snapToFrame(now, 3_600_000) : validTime;
  return {
    'x-aeris-valid-date': formatHeaderDate(validTime),
    'x-aeris-min-valid-date': formatHeaderDate(validTime),
    'x-aeris-max-valid-date': formatHeaderDate(validTime + intervalMs),
    'x-aeris-run-date': formatHeaderDate(run),
  };
}

function sendError(res: ServerResponse, head: boolean, status: number, code: string, description: string): void {
  const body = JSON.stringify({ error: { code, description } });
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(body),
    'cache-control': 'no-store',
  });
  res.end(head ? undefined : body);
}

function requestOrigin(req: IncomingMessage, fallback: string): string {
  const host = req.headers.host;
  return host && /^[A-Za-z0-9.\-:[\]]+$/.test(host) ? `http://${host}` : fallback;
}

export async function startAmpServer(options: AmpServerOptions = {}): Promise<AmpServer> {
  const host = options.host ?? '127.0.0.1';
  const now = options.now ?? Date.now;
  const intervalMinutes = options.frameIntervalMinutes ?? 10;
  if (!(intervalMinutes > 0) || !Number.isFinite(intervalMinutes)) {
    throw new RangeError('frameIntervalMinutes must be a positive number');
  }
  const intervalMs = Math.round(intervalMinutes * 60_000);
  let served = 0;
  let baseUrl = '';

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const head = req.method === 'HEAD';
    if (req.method !== 'GET' && !head) {
      res.setHeader('allow', 'GET, HEAD');
      throw new HttpError(405, 'method_not_allowed', 'Only GET and HEAD are supported.');
    }
    const url = new URL(req.url ?? '/', 'http://offline-amp.invalid');
    const segments = url.pathname.split('/');
    if (segments.length !== 6 || segments.slice(1).some((s) => s === '')) {
      throw new HttpError(404, 'not_found', `Unknown path. ${PATH_HELP}`);
    }
    checkCredentials(segments[1]!, options);
    const parsed = parsePath(segments);
    const time = parseAmpTime(parsed.time);
    const clock = now();

    if (time.kind === 'relative') {
      const frame = snapToFrame(clock + time.offsetMs, intervalMs);
      // Check the rest of the request now, so a bad one fails here rather than after the redirect.
      validateMapRequest({ ...parsed.request, validTime: frame });
      const location = `${requestOrigin(req, baseUrl)}${parsed.prefix}/${formatCompactTime(frame)}.${parsed.extension}${url.search}`;
      res.writeHead(302, {
        location,
        'cache-control': 'no-store',
        'content-length': 0,
        ...frameHeaders(frame, intervalMs, clock),
      });
      res.end();
      return;
    }

    const frame = snapToFrame(time.time, intervalMs);
    const format = parsed.extension === 'png' ? 'png' : 'jpeg';
    const image = await renderMap({ ...parsed.request, validTime: frame }, { format });
    res.writeHead(200, {
      'content-type': format === 'png' ? 'image/png' : 'image/jpeg',
      'content-length': image.length,
      'cache-control': 'public, max-age=600',
      ...frameHeaders(frame, intervalMs, clock),
    });
    res.end(head ? undefined : image);
  }

  const server = createServer((req, res) => {
    served++;
    handle(req, res).catch((error: unknown) => {
      const head = req.method === 'HEAD';
      if (res.headersSent) {
        res.destroy();
        return;
      }
      if (error instanceof HttpError) sendError(res, head, error.status, error.code, error.message);
      else if (error instanceof MapRequestError) sendError(res, head, 400, error.code, error.message);
      else sendError(res, head, 500, 'internal_error', 'The map could not be rendered.');
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const urlHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  baseUrl = `http://${urlHost}:${address.port}`;

  return {
    url: baseUrl,
    get requests() {
      return served;
    },
    close() {
      return new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      });
    },
  };
}
