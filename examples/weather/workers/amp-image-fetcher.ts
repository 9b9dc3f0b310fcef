/**
 * Fetches one map frame from Aeris Maps and saves it. AMP answers a relative time with a redirect
 * to the frame's absolute time and tells the frame's valid time in `x-aeris-valid-date`.
 * The client secret stays in the request URL only: never in a key, a message, a log or an error.
 */
import sharp from 'sharp';
import { NonRetriableError, RetryableError, compactTime, defineWorker, keySegment, secretScrubber, shortHash } from 'dataflow';
import { ampImageUrl, parseAmpDate, type AmpCredentials } from '../amp-url.js';
import { DidFetchAmpImage, PleaseFetchAmpImage } from '../messages.js';
import { errorPageText } from '../error-page-text.js';

export interface AmpImageFetcherOptions extends AmpCredentials {
  /** An `http://` or `https://` URL without credentials. @defaultValue https://maps.aerisapi.com */
  baseUrl: string;
  /** Gives up on a request (its answer included) after this long; the message is retried. @defaultValue 20000 */
  requestTimeoutMs?: number;
  /** Refuses an answer larger than this, without retrying: no map frame is that big. @defaultValue 52428800 (50 MiB) */
  maxBodyBytes?: number;
  fetch?: typeof fetch;
}

const defaults = { requestTimeoutMs: 20_000, maxBodyBytes: 50 * 1024 * 1024 } satisfies Partial<AmpImageFetcherOptions>;

export function createAmpImageFetcher(options: AmpImageFetcherOptions) {
  checkBaseUrl(options.baseUrl);
  const doFetch = options.fetch ?? fetch;
  const requestTimeoutMs = options.requestTimeoutMs ?? defaults.requestTimeoutMs;
  const maxBodyBytes = options.maxBodyBytes ?? defaults.maxBodyBytes;
  if (!(maxBodyBytes > 0)) throw new Error(`amp-image-fetcher: maxBodyBytes must be a positive number of bytes, got ${maxBodyBytes}`);
  const redact = secretScrubber([options.clientSecret, options.clientId]);

  /**
   * The answer and its whole body, within the request timeout and the size cap. The timeout is a
   * timer held here: on Node 20 a signal from `AbortSignal.timeout`, combined with
   * `AbortSignal.any`, can be collected as garbage and then never fires.
   */
  async function download(url: string, what: string, signal: AbortSignal): Promise<{ response: Response; body: Buffer }> {
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, requestTimeoutMs);
    const stop = () => controller.abort(signal.reason);
    if (signal.aborted) stop();
    else signal.addEventListener('abort', stop, { once: true });
    try {
      const response = await doFetch(url, { redirect: 'follow', signal: controller.signal });
      const tooLarge = () => new NonRetriableError(`fetching ${what}: the map server's answer is larger than ${maxBodyBytes} bytes, the most this fetcher reads (maxBodyBytes)`);
      if (Number(response.headers.get('content-length')) > maxBodyBytes) {
        await response.body?.cancel().catch(() => {});
        throw tooLarge();
      }
      const chunks: Uint8Array[] = [];
      let size = 0;
      if (response.body) {
        const reader = response.body.getReader();
        for (;;) {
          const { done, value } = await reader.read();
          if (done) break;
          size += value.byteLength;
          if (size > maxBodyBytes) {
            await reader.cancel().catch(() => {});
            throw tooLarge();
          }
          chunks.push(value);
        }
      }
      return { response, body: Buffer.concat(chunks, size) };
    } catch (error) {
      if (error instanceof NonRetriableError) throw error;
      const cause = error as Error & { cause?: Error };
      const detail = timedOut ? `no answer in time (${requestTimeoutMs} ms)` : redact(`${cause.message}${cause.cause ? `: ${cause.cause.message}` : ''}`);
      throw new RetryableError(`fetching ${what} failed: ${detail}`);
    } finally {
      clearTimeout(timer);
      signal.removeEventListener('abort', stop);
    }
  }

  return defineWorker({
    name: 'amp-image-fetcher',
    accepts: PleaseFetchAmpImage,
    replies: DidFetchAmpImage,
    concurrency: 4,
    async handle(request, { blobs, signal }) {
      const url = ampImageUrl(options.baseUrl, options, request);
      const what = `map ${JSON.stringify(request.imageId)} at ${request.validTime}`;
      const { response, body } = await download(url, what, signal);
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
      // The map's hash tells the mediator which frames of this imageId belong in one GIF.
      return { imageId: request.imageId, validTime, location, map: params };
    },
  });
}

/** Refuses a base URL the requests could not use, without repeating a password it holds. */
function checkBaseUrl(baseUrl: string): void {
  let url: URL | undefined;
  try {
    url = new URL(baseUrl);
  } catch {
    // refused below
  }
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
    throw new Error('amp-image-fetcher: baseUrl must be an http:// or https:// URL, such as https://maps.aerisapi.com');
  }
  if (url.username || url.password) {
    throw new Error('amp-image-fetcher: baseUrl must not hold a user name or password; the client id and secret are options of their own');
  }
}

function answerError(response: Response, body: Buffer, what: string, redact: (text: string) => string): Error {
  let description = '';
  try {
    const parsed = JSON.parse(body.toString('utf8')) as { error?: { code?: string; description?: string } };
    description = [parsed.error?.code, parsed.error?.description].filter(Boolean).join(': ');
  } catch {
    description = errorPageText(body.toString('utf8'));
  }
  // Redacted whole, then cut: a cut first could split a secret into pieces no scrubber knows.
  const text = cut(redact(`fetching ${what}: the map server answered ${response.status}${description ? ` (${description})` : ''}`), 400);
  if (response.status === 408 || response.status === 429 || response.status >= 500) {
    const retryAfter = Number(response.headers.get('retry-after'));
    return new RetryableError(text, Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter * 1000 : undefined);
  }
  return new NonRetriableError(text);
}

const cut = (text: string, max: number) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);
