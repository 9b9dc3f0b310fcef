/** Blob store on the local disk: an object lives at `<root>/<Bucket>/<Key>`, readable by its owner only. */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { randomBytes } from 'node:crypto';
import { BlobNotFoundError, assertSafeLocation, type BlobStore } from '../../ports/blob-store.js';
import type { Location } from '../../core/message.js';

export function diskBlobStore(root: string): BlobStore {
  const base = resolve(root);
  const pathOf = (location: Location) => {
    assertSafeLocation(location);
    return join(base, location.Bucket, ...location.Key.split('/'));
  };
  return {
    async put(location, body) {
      const path = pathOf(location);
      await mkdir(dirname(path), { recursive: true, mode: 0o700 });
      // Write then rename, so a reader never sees half a file and concurrent writers don't interleave.
      const temporary = `${path}.${randomBytes(6).toString('hex')}.partial`;
      await writeFile(temporary, body, { mode: 0o600 });
      await rename(temporary, path);
    },
    async get(location) {
      try {
        return await readFile(pathOf(location));
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new BlobNotFoundError(location);
        throw error;
      }
    },
    async url(location) {
      return pathToFileURL(pathOf(location)).href;
    },
  };
}
