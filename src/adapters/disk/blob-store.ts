/**
 * Blob store on the local disk: an object lives at `<root>/<Bucket>/<Key>`, readable by its owner
 * only. Each blob is written once: to a temporary file in `<root>/.partial/` first, then hard-linked
 * into place, which fails when the key exists (no rename can refuse to replace), so a reader never
 * sees half a file and no writer replaces another's. Bucket names cannot start with a dot, so the
 * temporary folder is no bucket's.
 */
import { constants } from 'node:fs';
import { copyFile, link, lstat, mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { randomBytes } from 'node:crypto';
import { BlobConflictError, BlobNotFoundError, assertSafeLocation, type BlobStore } from '../../ports/blob-store.js';
import type { Location } from '../../core/message.js';

export interface DiskBlobStoreOptions {
  /**
   * Temporary files untouched this long were left by a writer that died (kill -9, a power cut) and
   * are removed when the store opens. 0 removes every one: only for a folder no other live
   * process writes to.
   * @defaultValue 600000 (10 minutes: far longer than any write, and than the clock skew of hosts sharing a folder)
   */
  staleTemporaryMs?: number;
}

export interface DiskBlobStore extends BlobStore {
  /** Settles once the temporary files of dead writers are removed, with how many there were. */
  readonly swept: Promise<number>;
}

const TEMPORARY_FOLDER = '.partial';
const TEMPORARY_NAME = /^[0-9a-f]{24}\.partial$/;
/** Errors of file systems without hard links (some network shares, FAT): copy exclusively instead. */
const NO_HARD_LINKS = new Set(['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS', 'EXDEV', 'EMLINK']);

export function diskBlobStore(root: string, options: DiskBlobStoreOptions = {}): DiskBlobStore {
  const base = resolve(root);
  const temporaryFolder = join(base, TEMPORARY_FOLDER);
  const pathOf = (location: Location) => {
    assertSafeLocation(location);
    return join(base, location.Bucket, ...location.Key.split('/'));
  };
  const swept = sweepTemporaryFiles(temporaryFolder, options.staleTemporaryMs ?? 600_000);
  return {
    swept,
    async put(location, body) {
      const path = pathOf(location);
      await mkdir(dirname(path), { recursive: true, mode: 0o700 });
      await mkdir(temporaryFolder, { recursive: true, mode: 0o700 });
      const temporary = join(temporaryFolder, `${randomBytes(12).toString('hex')}.partial`);
      await writeFile(temporary, body, { mode: 0o600, flag: 'wx' });
      try {
        await publish(temporary, path);
        return;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      } finally {
        await rm(temporary, { force: true });
      }
      if (!(await readFile(path)).equals(body)) throw new BlobConflictError(location);
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

/** Puts a finished file at `path` unless something is there already (EEXIST). */
async function publish(temporary: string, path: string): Promise<void> {
  try {
    await link(temporary, path);
  } catch (error) {
    if (!NO_HARD_LINKS.has((error as NodeJS.ErrnoException).code ?? '')) throw error;
    // Exclusive, but a reader may see the copy half done: the best such a file system allows.
    await copyFile(temporary, path, constants.COPYFILE_EXCL);
  }
}

/** Removes this store's own temporary files (by name, regular files only) older than `staleMs`. */
async function sweepTemporaryFiles(folder: string, staleMs: number): Promise<number> {
  const names = await readdir(folder).catch(() => [] as string[]);
  const before = Date.now() - staleMs;
  let removed = 0;
  for (const name of names.filter((n) => TEMPORARY_NAME.test(n))) {
    const path = join(folder, name);
    try {
      const stats = await lstat(path);
      if (!stats.isFile() || stats.mtimeMs > before) continue;
      await rm(path, { force: true });
      removed++;
    } catch {
      // gone already (another process swept it), or unreadable: not ours to fight over
    }
  }
  return removed;
}
