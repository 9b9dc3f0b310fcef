/**
 * The S3 blob store against moto (an AWS emulator on loopback, see test/support/moto.ts): the
 * conformance suite unchanged, in both layouts, plus what only S3 has: conditional writes, wire
 * format, privacy, presigned links, DATAFLOW_BLOBS URLs. Requests go through a recording proxy,
 * so what the store sends is checked as it goes on the wire.
 *
 * What moto does NOT check: SigV4 signatures and the expiry of presigned links (an expired or
 * tampered link still answers 200), so a link is checked by its parameters here, and its refusal
 * only against real S3 or MinIO.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, request, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CreateBucketCommand, GetObjectAclCommand, GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { BlobConflictError, BlobNotFoundError } from '../../src/ports/blob-store.js';
import { openBlobStore, parseBlobsUrl, s3BlobStore } from '../../src/adapters/s3/blob-store.js';
import { skipWithoutMoto, startMoto, type Moto } from '../support/moto.js';
import { blobStoreConformance } from './blob-store.case.js';

// moto takes any key pair; the store's own client reads the SDK's standard environment.
Object.assign(process.env, { AWS_ACCESS_KEY_ID: 'testing', AWS_SECRET_ACCESS_KEY: 'testing', AWS_REGION: 'us-east-1' });

const skip = await skipWithoutMoto();
const SHARED = 'dataflow-shared'; // the one real bucket of the prefixed layout
const PREFIX = 'env/test/';

/** Every request moto receives, as it arrived on the wire. */
const requests: { method: string; url: string; headers: IncomingHttpHeaders }[] = [];
let moto: Moto | undefined;
let endpoint = '';
/** A plain client, to look at what the store left in S3 without going through the store. */
let raw: S3Client;
const proxy = createServer((incoming, answer) => {
  requests.push({ method: incoming.method ?? '', url: incoming.url ?? '', headers: incoming.headers });
  const upstream = request({ host: '127.0.0.1', port: moto!.port, method: incoming.method, path: incoming.url, headers: incoming.headers }, (reply) => {
    answer.writeHead(reply.statusCode ?? 502, reply.headers);
    reply.pipe(answer);
  });
  upstream.on('error', (error) => answer.destroy(error));
  incoming.pipe(upstream);
});

before(async () => {
  if (skip) return;
  moto = await startMoto();
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
  raw = new S3Client({ endpoint: moto.endpoint, forcePathStyle: true });
  for (const Bucket of ['dataflow', SHARED]) await raw.send(new CreateBucketCommand({ Bucket }));
});
after(async () => {
  raw?.destroy();
  proxy.closeAllConnections();
  proxy.close();
  await moto?.stop();
});

/** The bytes S3 holds at a real bucket and key. */
const inS3 = async (Bucket: string, Key: string) => Buffer.from(await (await raw.send(new GetObjectCommand({ Bucket, Key }))).Body!.transformToByteArray());

const direct = (options: { presignExpiresInSeconds?: number } = {}) => s3BlobStore({ endpoint, ...options });
const prefixed = () => s3BlobStore({ endpoint, bucket: SHARED, prefix: PREFIX });

blobStoreConformance('S3 (location bucket = S3 bucket), on moto', async () => direct(), { skip });
blobStoreConformance('S3 (one bucket + prefix), on moto', async () => prefixed(), { skip });

describe('S3 blob store on moto', { skip }, () => {
  it('round-trips 1 MiB of random bytes, stored as sent where each layout says', async () => {
    const body = randomBytes(1024 * 1024);
    const location = { Bucket: 'dataflow', Key: 'gif-creator/big/1mib.bin' };
    await direct().put(location, body, { contentType: 'application/octet-stream' });
    assert.ok((await direct().get(location)).equals(body));
    assert.ok((await inS3('dataflow', location.Key)).equals(body));

    await prefixed().put(location, body);
    assert.ok((await prefixed().get(location)).equals(body));
    assert.ok((await inS3(SHARED, `${PREFIX}dataflow/${location.Key}`)).equals(body));
  });

  it('puts conditionally (If-None-Match: *), with no ACL, no checksum extras (the client is WHEN_REQUIRED), and the content type', async () => {
    // The NOTES trap (aws-chunked bodies stored as garbage by some S3-compatible servers) needs a
    // streamed body; a Buffer goes out whole either way. But the SDK default also adds
    // x-amz-sdk-checksum-algorithm / x-amz-checksum-* on PUT and x-amz-checksum-mode on GET:
    // their absence shows the store built its client right.
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
    assert.equal(seen[0]?.headers['if-none-match'], '*');
    assert.equal(seen[1]?.headers['if-none-match'], '*');
    assert.equal(seen[0]?.headers['content-type'], 'image/png');
    const object = await raw.send(new GetObjectCommand({ Bucket: 'dataflow', Key: location.Key }));
    assert.equal(object.ContentType, 'image/png');
    const { Grants = [] } = await raw.send(new GetObjectAclCommand({ Bucket: 'dataflow', Key: location.Key }));
    assert.deepEqual(Grants.map((g) => [g.Grantee?.Type, g.Permission]), [['CanonicalUser', 'FULL_CONTROL']], 'the owner only: private');
  });

  it('leaves an object another writer put first alone, and says so', async () => {
    const location = { Bucket: 'dataflow', Key: 'thumbnail-creator/other-writer/20170601160000-200x200.png' };
    await raw.send(new PutObjectCommand({ Bucket: 'dataflow', Key: location.Key, Body: Buffer.from('theirs') }));
    await assert.rejects(direct().put(location, Buffer.from('ours')), (error: Error) => error instanceof BlobConflictError && error.message.includes(`dataflow/${location.Key}`));
    assert.equal((await inS3('dataflow', location.Key)).toString(), 'theirs');
    await direct().put(location, Buffer.from('theirs')); // the same bytes: nothing to do
  });

  it('presigns GET links with the configured expiry, or the per-call one', async () => {
    const body = randomBytes(4096);
    const location = { Bucket: 'dataflow', Key: 'gif-creator/linked.gif' };
    const store = direct({ presignExpiresInSeconds: 900 });
    await store.put(location, body, { contentType: 'image/gif' });
    const link = new URL(await store.url(location));
    assert.equal(link.searchParams.get('X-Amz-Expires'), '900');
    assert.equal(link.searchParams.get('X-Amz-Algorithm'), 'AWS4-HMAC-SHA256');
    assert.match(link.searchParams.get('X-Amz-Credential') ?? '', /^testing\//);
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
    assert.equal((await inS3(SHARED, `opened/run-1/dataflow/${location.Key}`)).toString(), 'via url');

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
