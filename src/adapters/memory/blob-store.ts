/**
 * Blob store in memory, for tests: written once like every store (the same bytes again are a
 * no-op, different bytes a {@link BlobConflictError}), and able to list what it holds.
 */
import { BlobConflictError, BlobNotFoundError, assertSafeLocation, type BlobStore } from '../../ports/blob-store.js';
import type { Location } from '../../core/message.js';

export interface StoredBlob {
  location: Location;
  body: Buffer;
  contentType?: string;
}

export interface MemoryBlobStore extends BlobStore {
  /** Every blob stored, in the order it was written. */
  list(): StoredBlob[];
}

export interface MemoryBlobStoreOptions {
  /**
   * Where `url()` points: `<baseUrl><Bucket>/<Key>`. Nothing serves it.
   * @defaultValue 'http://blobs.invalid/' (a name that never resolves, RFC 2606)
   */
  baseUrl?: string;
}

export function memoryBlobStore(options: MemoryBlobStoreOptions = {}): MemoryBlobStore {
  const blobs = new Map<string, StoredBlob>();
  const baseUrl = options.baseUrl ?? 'http://blobs.invalid/';
  const keyOf = (location: Location) => {
    assertSafeLocation(location);
    return `${location.Bucket}/${location.Key}`;
  };
  return {
    async put(location, body, { contentType } = {}) {
      const key = keyOf(location);
      const known = blobs.get(key);
      if (known && !known.body.equals(body)) throw new BlobConflictError(location);
      if (!known) blobs.set(key, { location: { Bucket: location.Bucket, Key: location.Key }, body: Buffer.from(body), contentType });
    },
    async get(location) {
      const known = blobs.get(keyOf(location));
      if (!known) throw new BlobNotFoundError(location);
      return Buffer.from(known.body);
    },
    async url(location) {
      const key = keyOf(location);
      return new URL(key.split('/').map(encodeURIComponent).join('/'), baseUrl).href;
    },
    list: () => [...blobs.values()].map((blob) => ({ ...blob, location: { ...blob.location }, body: Buffer.from(blob.body) })),
  };
}
