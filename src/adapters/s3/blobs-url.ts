/**
 * `DATAFLOW_BLOBS` values: `file:///some/folder` (the disk store) or `s3://bucket/prefix` (one S3
 * bucket holding every logical bucket under the prefix). This module does not load the AWS SDK;
 * `openBlobStore` imports it only for an `s3://` value.
 */
import { fileURLToPath } from 'node:url';
import { diskBlobStore } from '../disk/blob-store.js';
import type { BlobStore } from '../../ports/blob-store.js';
import type { S3BlobStoreOptions } from './blob-store.js';

export type BlobsUrl = { kind: 'file'; folder: string } | { kind: 's3'; bucket: string; prefix: string };

/** The prefix comes back empty or ending in `/`: `s3://b/runs/1` gives `{ bucket: 'b', prefix: 'runs/1/' }`. */
export function parseBlobsUrl(value: string): BlobsUrl {
  const fail = (why: string) =>
    new Error(`invalid blobs URL ${JSON.stringify(redact(value))}: ${why} (expected file:///folder or s3://bucket/prefix)`);
  if (typeof value !== 'string') throw fail('not a string');
  const scheme = /^([a-z0-9]+):\/\//i.exec(value)?.[1]?.toLowerCase();
  if (scheme === 'file') {
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      throw fail('not a URL');
    }
    if (url.username || url.password || url.search || url.hash) throw fail('no credentials, query or fragment allowed');
    if (url.hostname !== '' && url.hostname !== 'localhost') throw fail('file URLs must be local (file:///folder)');
    return { kind: 'file', folder: fileURLToPath(url) };
  }
  if (scheme !== 's3') throw fail('unsupported scheme');

  // Parsed by hand: WHATWG URL parsing would quietly resolve `..` in the prefix.
  const [, bucket = '', rawPath = '', rest] = /^s3:\/\/([^/?#]*)\/?([^?#]*)(.*)$/is.exec(value) ?? [];
  if (bucket.includes('@')) throw fail('credentials do not belong in the URL');
  if (rest) throw fail('no query or fragment allowed');
  if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(bucket) || bucket.includes('..')) {
    throw fail(`${JSON.stringify(bucket)} is not a valid S3 bucket name`);
  }
  let path: string;
  try {
    path = decodeURIComponent(rawPath);
  } catch {
    throw fail('bad percent-encoding in the prefix');
  }
  const trimmed = path.replace(/\/$/, '');
  if (trimmed && (/[\\\0]/.test(path) || trimmed.split('/').some((s) => s === '' || s === '.' || s === '..'))) {
    throw fail(`prefix ${JSON.stringify(path)} has an empty, '.' or '..' segment, a backslash or a NUL`);
  }
  return { kind: 's3', bucket, prefix: trimmed ? `${trimmed}/` : '' };
}

/** The blob store a `DATAFLOW_BLOBS` value names. `s3Options` (client, endpoint, region...) apply to `s3://`. */
export async function openBlobStore(
  url: string,
  s3Options: Omit<S3BlobStoreOptions, 'bucket' | 'prefix'> = {},
): Promise<BlobStore> {
  const parsed = parseBlobsUrl(url);
  if (parsed.kind === 'file') return diskBlobStore(parsed.folder);
  const { s3BlobStore } = await import('./blob-store.js');
  return s3BlobStore({ ...s3Options, bucket: parsed.bucket, prefix: parsed.prefix });
}

/** Error messages never carry a password that was pasted into the URL. */
function redact(value: unknown): string {
  return String(value).replace(/^([a-z0-9]+:\/\/)[^/?#]*@/i, '$1***@');
}
