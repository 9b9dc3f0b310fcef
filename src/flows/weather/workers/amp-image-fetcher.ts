/**
 * Fetches one map frame from Aeris Maps and saves it. AMP answers a relative time with a redirect
 * to the frame's absolute time and tells the frame's valid time in `x-aeris-valid-date`.
 * The client secret stays in the request URL only: never in a key, a message, a log or an error.
 */
import sharp from 'sharp';
import { NonRetriableError, RetryableError, compactTime, defineWorker, keySegment, shortHash } from '../../../index.js';
import { ampImageUrl, parseAmpDate, type AmpCredentials } from '../amp-url.js';
import { DidFetchAmpImage, PleaseFetchAmpImage } from '../messages.js';

export interface AmpImageFetcherOptions extends AmpCredentials {
  /** @defaultValue https://maps.aerisapi.com */
  baseUrl: string;
  /** Gives up on a request after this long; the message is retried. @defaultValue 20000 */
  requestTimeoutMs?: number;
  fetch?: typeof fetch;
}

export function createAmpImageFetcher(options: AmpImageFetcherOptions) {
  const doFetch = options.fetch ?? fetch;
  const secrets = [options.clientSecret, options.clientId].filter((s) => s.length >= 3);
  const redact = (text: string) => secrets.reduce((t, s) => t.split(s).join('[redacted]').split(encodeURIComponent(s)).join('[redacted]'), text);

  return defineWorker({
    name: 'amp-image-fetcher',
    accepts: PleaseFetchAmpImage,
    replies: DidFetchAmpImage,
    concurrency: 4,
    async handle(request, { blobs, signal }) {
      const url = ampImageUrl(options.baseUrl, options, request);
      const what = `map ${JSON.stringify(request.imageId)} at ${request.validTime}`;
      let response: Response;
      try {
        response = await doFetch(url, {
          redirect: 'follow',
          signal: AbortSignal.any([signal, AbortSignal.timeout(options.requestTimeoutMs ?? 20_000)]),
        });
      } catch (error) {
        const cause = error as Error & { cause?: Error };
        const detail = cause.name === 'TimeoutError' ? 'no answer in time' : redact(`${cause.message}${cause.cause ? `: ${cause.cause.message}` : ''}`);
        throw new RetryableError(`fetching ${what} failed: ${detail}`);
      }
      const body = Buffer.from(await response.arrayBuffer());
      if (!response.ok) throw answerError(response, body, what, redact);

      const type = response.headers.get('content-type') ?? '';
      if (!type.startsWith('image/')) throw new RetryableError(`fetching ${what}: the map server sent ${type || 'no content type'}, not an image`);
      try {
        await sharp(body).stats(); // decodes every pixel: a truncated PNG fails here, not in a later worker
      } catch (error) {
        throw new RetryableError(`fetching ${what}: the map server sent a corrupt image (${(error as Error).message})`);
      }

      const validTime = parseAmpDate(response.headers.get('x-aeris-valid-date'));
      if (validTime === undefined) throw new RetryableError(`fetching ${what}: the answer has no readable x-aeris-valid-date header`);

      // Blobs are written once, and the server may answer one request with other bytes later (a
      // new model run, a re-rendered map): so the key names the bytes as well as the request.
      const params = shortHash(JSON.stringify([request.layers, request.width, request.height, request.center, request.zoom]), 8);
      const key = `${keySegment(request.imageId)}/${compactTime(validTime)}-${params}-${shortHash(body, 12)}.png`;
      const location = await blobs.put(key, body, { contentType: 'image/png' });
      return { imageId: request.imageId, validTime, location };
    },
  });
}

function answerError(response: Response, body: Buffer, what: string, redact: (text: string) => string): Error {
  let description = '';
  try {
    const parsed = JSON.parse(body.toString('utf8')) as { error?: { code?: string; description?: string } };
    description = [parsed.error?.code, parsed.error?.description].filter(Boolean).join(': ');
  } catch {
    description = body.toString('utf8').slice(0, 200);
  }
  const text = redact(`fetching ${what}: the map server answered ${response.status}${description ? ` (${description})` : ''}`);
  if (response.status === 408 || response.status === 429 || response.status >= 500) {
    const retryAfter = Number(response.headers.get('retry-after'));
    return new RetryableError(text, Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter * 1000 : undefined);
  }
  return new NonRetriableError(text);
}
