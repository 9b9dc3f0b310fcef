import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { diskBlobStore } from '../../src/adapters/disk/blob-store.js';
import { NonRetriableError, RetryableError, invokeWorker } from '../../src/index.js';
import { createAmpImageFetcher } from '../../examples/weather/workers/amp-image-fetcher.js';

const SECRET = 'sup3r-s3cret-value';
const CLIENT = 'client-abc';
let png: Buffer;
let base = '';
let handler: (req: IncomingMessage, res: ServerResponse) => void = () => {};
const server = createServer((req, res) => handler(req, res));

before(async () => {
  png = await sharp({ create: { width: 80, height: 60, channels: 3, background: '#336699' } }).png().toBuffer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(() => {
  server.closeAllConnections();
  server.close();
});

const request = {
  type: 'please-fetch-amp-image',
  imageId: 'OSN 2017 Demo',
  layers: ['terrain', 'temperatures:blend(overlay):60', 'radar'],
  width: 800,
  height: 600,
  center: 'athens,ga',
  zoom: 5,
  validTime: '-30m',
};

async function fetchOnce(options: { requestTimeoutMs?: number; maxBodyBytes?: number } = {}) {
  const worker = createAmpImageFetcher({ baseUrl: base, clientId: CLIENT, clientSecret: SECRET, ...options });
  const blobs = diskBlobStore(await mkdtemp(join(tmpdir(), 'dataflow-fetch-')));
  return invokeWorker(worker, request, { blobs, bucket: 'dataflow' });
}

const noSecret = (text: string) => {
  assert.ok(!text.includes(SECRET), `secret leaked into: ${text}`);
  assert.ok(!text.includes(CLIENT), `client id leaked into: ${text}`);
};

describe('amp-image-fetcher', () => {
  it('follows the redirect of a relative time, reads the valid time header, and stores the PNG under a key without credentials', async () => {
    const seen: string[] = [];
    handler = (req, res) => {
      seen.push(req.url!);
      if (req.url!.endsWith('/-30m.png')) {
        res.writeHead(302, { location: req.url!.replace('-30m', '20170601160000') }).end();
        return;
      }
      res.writeHead(200, { 'content-type': 'image/png', 'x-aeris-valid-date': '2017-06-01T16:00:00Z' }).end(png);
    };
    const reply = await fetchOnce();
    assert.equal(seen[0], `/${CLIENT}_${SECRET}/terrain,temperatures:blend(overlay):60,radar/800x600/athens,ga,5/-30m.png`);
    assert.equal(seen.length, 2);
    assert.equal(reply.type, 'did-fetch-amp-image');
    assert.equal(reply.imageId, 'OSN 2017 Demo');
    assert.equal(reply.validTime, Date.UTC(2017, 5, 1, 16));
    const location = reply.location as { Bucket: string; Key: string };
    assert.match(location.Key, /^amp-image-fetcher\/osn-2017-demo-[0-9a-f]{10}\/20170601160000-[0-9a-f]{8}-[0-9a-f]{12}\.png$/);
    noSecret(JSON.stringify(reply));
  });

  it('gives up at once on a 4xx, with the server\'s error and no secret', async () => {
    handler = (req, res) => {
      res.writeHead(401, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { code: 'invalid_client', description: `Invalid client ${CLIENT}_${SECRET}` } }));
    };
    await assert.rejects(fetchOnce(), (error: Error) => {
      assert.ok(error instanceof NonRetriableError);
      assert.match(error.message, /answered 401 \(invalid_client: Invalid client/);
      noSecret(error.message);
      return true;
    });
  });

  it('redacts an error page whole before cutting its text: no piece of a secret that straddles the cut is left', async () => {
    const secret = 'Lq9vX2mB7kR4tW8zN3pJ6hY1cF5dG0sA'; // 32 characters, like Aeris's
    const cut = 400; // the longest reason the fetcher keeps
    const head = `fetching map "OSN 2017 Demo" at -30m: the map server answered 404 (404 Not Found Not Found `;
    const quoted = `The requested URL /${CLIENT}_`;
    // Words, not markup: they survive the error page's text extraction, so they move the secret
    // to 12 characters before the cut.
    const length = cut - 12 - head.length - quoted.length;
    const padding = `${'The server could not find what was asked for on this host. '.repeat(10).slice(0, length - 1)} `;
    handler = (req, res) => {
      const path = req.url!.replaceAll('&', '&amp;').replaceAll('<', '&lt;');
      res.writeHead(404, { 'content-type': 'text/html' }).end(`<!DOCTYPE html><html><head><title>404 Not Found</title></head><body><h1>Not Found</h1><p>${padding}The requested URL ${path} was not found on this server.</p></body></html>`);
    };
    const worker = createAmpImageFetcher({ baseUrl: base, clientId: CLIENT, clientSecret: secret });
    const blobs = diskBlobStore(await mkdtemp(join(tmpdir(), 'dataflow-fetch-')));
    await assert.rejects(invokeWorker(worker, request, { blobs, bucket: 'dataflow' }), (error: Error) => {
      // Unredacted, the text would hold the secret from character 388 to 420: across the cut.
      const unredacted = `${head}${padding}${quoted}${secret}`;
      const at = unredacted.indexOf(secret);
      assert.ok(at < cut && at + secret.length > cut, `the secret would span characters ${at} to ${at + secret.length}`);
      assert.ok(error instanceof NonRetriableError);
      assert.ok(error.message.length <= cut, `${error.message.length} characters`);
      assert.match(error.message, /^fetching map "OSN 2017 Demo" at -30m: the map server answered 404 \(404 Not Found Not Found The server/);
      for (let i = 0; i + 8 <= secret.length; i++) assert.ok(!error.message.includes(secret.slice(i, i + 8)), `a piece of the secret in: ${error.message}`);
      return true;
    });
  });

  it('retries a 5xx, honouring Retry-After', async () => {
    handler = (req, res) => res.writeHead(503, { 'retry-after': '7' }).end('busy');
    await assert.rejects(fetchOnce(), (error: Error) => {
      assert.ok(error instanceof RetryableError);
      assert.equal(error.retryAfterMs, 7000);
      assert.match(error.message, /answered 503/);
      return true;
    });
  });

  it('retries when the server hangs', async () => {
    handler = () => {}; // never answers
    await assert.rejects(fetchOnce({ requestTimeoutMs: 200 }), (error: Error) => {
      assert.ok(error instanceof RetryableError);
      assert.match(error.message, /no answer in time/);
      return true;
    });
  });

  it('retries a corrupt image', async () => {
    handler = (req, res) => res.writeHead(200, { 'content-type': 'image/png', 'x-aeris-valid-date': '2017-06-01T16:00:00Z' }).end(png.subarray(0, png.length / 2));
    await assert.rejects(fetchOnce(), (error: Error) => {
      assert.ok(error instanceof RetryableError);
      assert.match(error.message, /corrupt image/);
      return true;
    });
  });

  it('says so when the valid time header is missing', async () => {
    handler = (req, res) => res.writeHead(200, { 'content-type': 'image/png' }).end(png);
    await assert.rejects(fetchOnce(), /x-aeris-valid-date/);
  });

  it('keeps the secret out of network errors', async () => {
    const worker = createAmpImageFetcher({ baseUrl: 'http://127.0.0.1:1', clientId: CLIENT, clientSecret: SECRET });
    const blobs = diskBlobStore(await mkdtemp(join(tmpdir(), 'dataflow-fetch-')));
    await assert.rejects(invokeWorker(worker, request, { blobs, bucket: 'dataflow' }), (error: Error) => {
      assert.ok(error instanceof RetryableError);
      noSecret(error.message);
      return true;
    });
  });

  it('refuses a base URL holding a password, without repeating it', () => {
    assert.throws(
      () => createAmpImageFetcher({ baseUrl: 'http://maps:hunter2-password@127.0.0.1:9', clientId: CLIENT, clientSecret: SECRET }),
      (error: Error) => /baseUrl must not hold a user name or password/.test(error.message) && !error.message.includes('hunter2'),
    );
    assert.throws(() => createAmpImageFetcher({ baseUrl: '127.0.0.1:7920', clientId: CLIENT, clientSecret: SECRET }), /baseUrl must be an http:\/\/ or https:\/\/ URL/);
  });

  it('refuses an answer larger than its cap, stops reading it, and does not retry', async () => {
    let written = 0;
    let closedEarly = false;
    handler = (req, res) => {
      // Chunked, so no content-length tells the size in advance; 16 MiB if nobody stops reading.
      res.writeHead(200, { 'content-type': 'image/png', 'x-aeris-valid-date': '2017-06-01T16:00:00Z' });
      const chunk = Buffer.alloc(64 * 1024, 7);
      const more = () => {
        while (written < 16 * 1024 * 1024) {
          written += chunk.length;
          if (!res.write(chunk)) return void res.once('drain', more);
        }
        res.end();
      };
      res.once('close', () => (closedEarly = !res.writableFinished));
      more();
    };
    await assert.rejects(fetchOnce({ maxBodyBytes: 256 * 1024 }), (error: Error) => {
      assert.ok(error instanceof NonRetriableError, `${error.name}: ${error.message}`);
      assert.match(error.message, /larger than 262144 bytes/);
      return true;
    });
    await new Promise((r) => setTimeout(r, 100));
    assert.ok(closedEarly, `the fetcher read on: ${written} bytes were sent`);
  });

  it('times out a request at the set time even after garbage collections', async () => {
    handler = () => {}; // never answers
    const child = fileURLToPath(new URL('./fetch-timeout-child.ts', import.meta.url));
    const { stdout } = await new Promise<{ stdout: string }>((resolve, reject) =>
      execFile(process.execPath, ['--expose-gc', '--conditions=source', '--import', 'tsx', child, base, '1000'], { timeout: 120_000 }, (error, stdout, stderr) =>
        error ? reject(new Error(`${error.message} ${stderr}`)) : resolve({ stdout }),
      ),
    );
    const result = JSON.parse(stdout) as { error: string | null; elapsedMs: number };
    assert.match(String(result.error), /^RetryableError: .*no answer in time/);
    assert.ok(result.elapsedMs >= 950 && result.elapsedMs < 5000, `gave up after ${result.elapsedMs} ms`);
  });
});
