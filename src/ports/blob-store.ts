import type { Location } from '../core/message.js';

/** Shared file storage. Messages carry locations, never bytes. */
export interface BlobStore {
  put(location: Location, body: Buffer, options?: { contentType?: string }): Promise<void>;
  /** Throws {@link BlobNotFoundError} when nothing is stored there. */
  get(location: Location): Promise<Buffer>;
  /** A link to the blob: presigned where the store supports it. */
  url(location: Location, options?: { expiresInSeconds?: number }): Promise<string>;
}

export class BlobNotFoundError extends Error {
  override name = 'BlobNotFoundError';
  constructor(readonly location: Location) {
    super(`no blob at ${location.Bucket}/${location.Key}`);
  }
}

/** Checks a location is safe for every backend: no absolute paths, no `..`, no empty segments. */
export function assertSafeLocation(location: Location): void {
  const { Bucket, Key } = location;
  if (typeof Bucket !== 'string' || !/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(Bucket) || Bucket.includes('..')) {
    throw new Error(`invalid location: Bucket ${JSON.stringify(Bucket)} is not a valid bucket name`);
  }
  if (typeof Key !== 'string' || Key.length === 0 || Key.length > 1024) {
    throw new Error(`invalid location: Key must be 1 to 1024 characters`);
  }
  const segments = Key.split('/');
  if (Key.startsWith('/') || Key.includes('\\') || Key.includes('\0') || segments.some((s) => s === '' || s === '.' || s === '..')) {
    throw new Error(`invalid location: Key ${JSON.stringify(Key)} has an empty, '.' or '..' segment, a backslash or a leading slash`);
  }
}
