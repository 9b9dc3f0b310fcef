/**
 * Run with `node --expose-gc --import tsx`: fetches from a server that never answers while forcing
 * garbage collections, and prints how long the fetcher took to give up, and why; or, if it has
 * not given up after 15 s, that it still hangs (timed from the request, so a slow start of this
 * process on a busy machine does not count).
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { diskBlobStore } from '../../src/adapters/disk/blob-store.js';
import { invokeWorker } from '../../src/index.js';
import { createAmpImageFetcher } from '../../examples/weather/workers/amp-image-fetcher.js';

const [baseUrl, timeoutMs] = process.argv.slice(2);
const collect = (globalThis as { gc?: () => void }).gc;
if (!collect) throw new Error('run with --expose-gc');

const worker = createAmpImageFetcher({ baseUrl: baseUrl!, clientId: 'client-abc', clientSecret: 'secret-xyz', requestTimeoutMs: Number(timeoutMs) });
const blobs = diskBlobStore(await mkdtemp(join(tmpdir(), 'dataflow-fetch-gc-')));
const collecting = setInterval(collect, 20);
const started = performance.now();
const request = { type: 'please-fetch-amp-image', imageId: 'hung', layers: ['radar'], width: 80, height: 60, center: 'athens,ga', zoom: 5, validTime: '-0m' };
let watchdog: NodeJS.Timeout | undefined;
const result = await Promise.race([
  invokeWorker(worker, request, { blobs, bucket: 'dataflow' }).then(
    () => ({ error: null }),
    (error: Error) => ({ error: `${error.name}: ${error.message}` }),
  ),
  new Promise<{ error: string }>((resolve) => (watchdog = setTimeout(() => resolve({ error: 'still hanging after 15 s' }), 15_000))),
]);
clearTimeout(watchdog);
clearInterval(collecting);
process.stdout.write(`${JSON.stringify({ ...result, elapsedMs: Math.round(performance.now() - started) })}\n`);
process.exit(0); // a request the fetcher lost would hold the process open
