/**
 * The S3 blob store against s3rver (a fake S3 on loopback): the conformance suite unchanged, in
 * both layouts, plus what only S3 has: wire format, privacy, presigned links, DATAFLOW_BLOBS URLs.
 *
 * What s3rver 3.7 does NOT check (read from its lib/middleware/authentication.js, and pinned below):
 * - access control: a request with no credentials at all is served; ACLs and bucket policies are
 *   neither stored nor enforced. So "objects are private" is tested on the wire (no ACL is ever
 *   sent), and an anonymous GET returning 403 can only be tested against real S3 or MinIO.
 * - SigV4 signatures: only the access key id (S3RVER) and, for presigned URLs, the expiry are
 *   checked; a tampered signature is accepted.
 * - aws-chunked uploads (the SDK's default for a streamed body) are stored with their chunk
 *   framing; see the checksum test below.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import type { IncomingHttpHeaders, Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { BlobNotFoundError } from '../../src/ports/blob-store.js';
import { openBlobStore, parseBlobsUrl, s3BlobStore } from '../../src/adapters/s3/blob-store.js';
import { blobStoreConformance } from './blob-store.case.js';

interface S3rverOptions {
  address: string;
  port: number;
  silent: boolean;
  directory: string;
  configureBuckets: { name: string }[];
}
type S3rverClass = new (options: S3rverOptions) => { run(): Promise<AddressInfo>; close(): Promise<void>; httpServer: Server };
const S3rver = createRequire(import.meta.url)('s3rver') as S3rverClass; // CommonJS, no type declarations

// s3rver knows one key pair; the store's own client reads the SDK's standard environment.
Object.assign(process.env, { AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: 'S3RVER', AWS_REGION: 'us-east-1' });

const directory = await mkdtemp(join(tmpdir(), 'dataflow-s3rver-'));
const SHARED = 'dataflow-shared'; // the one real bucket of the prefixed layout
const PREFIX = 'env/test/';
const server = new S3rver({
  address: '127.0.0.1',
  port: 0,
  silent: true,
  directory,
  configureBuckets: [{ name: 'dataflow' }, { name: SHARED }],
});
const { port } = await server.run();
const endpoint = `http://127.0.0.1:${port}`;
after(async () => {
  await server.close();
  await rm(directory, { recursive: true, force: true });
});

/** Every request s3rver receives, as it arrived on the wire. */
const requests: { method: string; url: string; headers: IncomingHttpHeaders }[] = [];
server.httpServer.on('request', (request) => {
  requests.push({ method: request.method ?? '', url: request.url ?? '', headers: request.headers });
});

/** Where s3rver keeps an object's bytes on disk. */
const onDisk = (bucket: string, key: string, what = 'object') => join(directory, bucket, `${key}._S3rver_${what}`);

const direct = (options: { presignExpiresInSeconds?: number } = {}) => s3BlobStore({ endpoint, ...options });
const prefixed = () => s3BlobStore({ endpoint, bucket: SHARED, prefix: PREFIX });

blobStoreConformance('S3 (location bucket = S3 bucket), on s3rver', async () => direct());
blobStoreConformance('S3 (one bucket + prefix), on s3rver', async () => prefixed());

describe('S3 blob store on s3rver', () => {
  it('round-trips 1 MiB of random bytes, and s3rver stores them as sent (not aws-chunked)', async () => {
    const body = randomBytes(1024 * 1024);
    const location = { Bucket: 'dataflow', Key: 'gif-creator/big/1mib.bin' };
    await direct().put(location, body, { contentType: 'application/octet-stream' });
    assert.ok((await direct().get(location)).equals(body));
    assert.ok((await readFile(onDisk('dataflow', location.Key))).equals(body));

    await prefixed().put(location, body);
    assert.ok((await prefixed().get(location)).equals(body));
    assert.ok((await readFile(onDisk(SHARED, `${PREFIX}dataflow/${location.Key}`))).equals(body));
  });

  it('sends no ACL, no checksum extras (the client is WHEN_REQUIRED), and the content type', async () => {
    // The NOTES trap (aws-chunked bodies stored as garbage) needs a streamed body; a Buffer goes out
    // whole either way. But the SDK default also adds x-amz-sdk-checksum-algorithm / x-amz-checksum-*
    // on PUT and x-amz-checksum-mode on GET: their absence shows the store built its client right.
    const before = requests.length;
    const location = { Bucket: 'dataflow', Key: 'thumbnail-creator/private.png' };
    await direct().put(location, Buffer.from('png bytes'), { contentType: 'image/png' });
    await prefixed().put(location, Buffer.from('png bytes'));
    await direct().get(location);
    const seen = requests.slice(before);
    assert.deepEqual(seen.map((r) => r.method), ['PUT', 'PUT', 'GET']);
    for (const { url, headers } of seen) {
      assert.ok(!/[?&]acl\b/.test(url), url);
      const extras = Object.keys(headers).filter((name) => /^x-amz-(acl|grant-|sdk-checksum|checksum|trailer)/.test(name));
      assert.deepEqual(extras, [], `no ACL, grant or checksum headers on ${url}`);
      assert.ok(!String(headers['content-encoding'] ?? '').includes('aws-chunked'));
      assert.ok(!String(headers['x-amz-content-sha256']).startsWith('STREAMING-'));
    }
    assert.equal(seen[0]?.headers['content-type'], 'image/png');
    const metadata = JSON.parse(await readFile(onDisk('dataflow', location.Key, 'metadata.json'), 'utf8'));
    assert.equal(metadata['content-type'], 'image/png');
  });

  it('presigns GET links with the configured expiry, or the per-call one', async () => {
    const body = randomBytes(4096);
    const location = { Bucket: 'dataflow', Key: 'gif-creator/linked.gif' };
    const store = direct({ presignExpiresInSeconds: 900 });
    await store.put(location, body, { contentType: 'image/gif' });
    const link = new URL(await store.url(location));
    assert.equal(link.searchParams.get('X-Amz-Expires'), '900');
    assert.equal(link.searchParams.get('X-Amz-Algorithm'), 'AWS4-HMAC-SHA256');
    assert.match(link.searchParams.get('X-Amz-Credential') ?? '', /^S3RVER\//);
    assert.ok(link.searchParams.get('X-Amz-Signature'));
    const response = await fetch(link);
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('content-type'), 'image/gif');
    assert.ok(Buffer.from(await response.arrayBuffer()).equals(body));

    assert.equal(new URL(await direct().url(location)).searchParams.get('X-Amz-Expires'), '3600');
    assert.equal(new URL(await store.url(location, { expiresInSeconds: 60 })).searchParams.get('X-Amz-Expires'), '60');
    const shared = new URL(await prefixed().url(location));
    assert.equal(shared.pathname, `/${SHARED}/${PREFIX}dataflow/gif-creator/linked.gif`);
    assert.equal((await fetch(shared)).status, 404, 'the prefixed layout has its own copy, not yet written');
  });

  it('presigned links stop working once expired', async () => {
    const location = { Bucket: 'dataflow', Key: 'gif-creator/short-lived.gif' };
    await direct().put(location, Buffer.from('gif'));
    const link = await direct().url(location, { expiresInSeconds: 1 });
    await new Promise((resolve) => setTimeout(resolve, 2100));
    const response = await fetch(link);
    assert.equal(response.status, 403);
    assert.match(await response.text(), /expired/);
  });

  it('refuses expiries S3 would not honour', async () => {
    const location = { Bucket: 'dataflow', Key: 'a.png' };
    for (const expiresInSeconds of [0, -1, 1.5, 604801]) {
      await assert.rejects(direct().url(location, { expiresInSeconds }), /expiry/, String(expiresInSeconds));
    }
    assert.throws(() => direct({ presignExpiresInSeconds: 0 }), /expiry/);
    assert.throws(() => s3BlobStore({ endpoint, prefix: 'p/' }), /prefix needs a bucket/);
  });

  it('a missing bucket is an error, not a missing blob', async () => {
    await assert.rejects(direct().get({ Bucket: 'no-such-bucket', Key: 'a.png' }), (error: unknown) => {
      assert.ok(!(error instanceof BlobNotFoundError));
      assert.equal((error as Error).name, 'NoSuchBucket');
      return true;
    });
  });

  it('openBlobStore opens the store a DATAFLOW_BLOBS URL names', async () => {
    const location = { Bucket: 'dataflow', Key: 'amp-image-fetcher/opened.png' };
    const s3 = await openBlobStore(`s3://${SHARED}/opened/run-1`, { endpoint });
    await s3.put(location, Buffer.from('via url'));
    assert.equal((await readFile(onDisk(SHARED, `opened/run-1/dataflow/${location.Key}`))).toString(), 'via url');

    const folder = await mkdtemp(join(tmpdir(), 'dataflow-blobs-url-'));
    try {
      const disk = await openBlobStore(new URL(`file://${folder}/`).href);
      await disk.put(location, Buffer.from('on disk'));
      assert.equal((await readFile(join(folder, 'dataflow', location.Key))).toString(), 'on disk');
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
  });
});

describe('parseBlobsUrl', () => {
  it('reads file:// and s3:// URLs', () => {
    assert.deepEqual(parseBlobsUrl('file:///var/lib/dataflow/blobs'), { kind: 'file', folder: '/var/lib/dataflow/blobs' });
    assert.deepEqual(parseBlobsUrl('file://localhost/tmp/my%20blobs/'), { kind: 'file', folder: '/tmp/my blobs/' });
    assert.deepEqual(parseBlobsUrl('s3://my-bucket'), { kind: 's3', bucket: 'my-bucket', prefix: '' });
    assert.deepEqual(parseBlobsUrl('s3://my-bucket/'), { kind: 's3', bucket: 'my-bucket', prefix: '' });
    assert.deepEqual(parseBlobsUrl('s3://my.bucket/dataflow'), { kind: 's3', bucket: 'my.bucket', prefix: 'dataflow/' });
    assert.deepEqual(parseBlobsUrl('S3://b-1/env/prod/'), { kind: 's3', bucket: 'b-1', prefix: 'env/prod/' });
  });

  it('names the bad value, and why', () => {
    const cases: [string, RegExp][] = [
      ['', /unsupported scheme/],
      ['/var/blobs', /unsupported scheme/],
      ['file:blobs', /unsupported scheme/],
      ['http://example.com/blobs', /unsupported scheme/],
      ['file://server/share', /must be local/],
      ['s3://', /not a valid S3 bucket name/],
      ['s3://My_Bucket/p', /"My_Bucket" is not a valid S3 bucket name/],
      ['s3://ab/p', /not a valid S3 bucket name/],
      ['s3://bucket:9000/p', /not a valid S3 bucket name/],
      ['s3://bucket/a/../b', /'\.\.' segment/],
      ['s3://bucket/a//b', /empty/],
      ['s3://bucket/%2e%2e/b', /'\.\.' segment/],
      ['s3://bucket/p?region=eu-west-1', /no query/],
      ['s3://bucket/%E0%A4%A', /percent-encoding/],
    ];
    for (const [value, why] of cases) {
      assert.throws(() => parseBlobsUrl(value), (error: Error) => {
        assert.ok(error.message.includes(JSON.stringify(value)), `${error.message} names ${value}`);
        assert.match(error.message, why);
        return true;
      });
    }
  });

  it('never repeats credentials pasted into the URL', () => {
    assert.throws(
      () => parseBlobsUrl('s3://AKIAEXAMPLE:wJalrXUtnFEMI@bucket/p'),
      (error: Error) => !/AKIAEXAMPLE|wJalrXUtnFEMI/.test(error.message) && /credentials/.test(error.message),
    );
  });
});
