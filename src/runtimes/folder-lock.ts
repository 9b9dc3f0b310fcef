/**
 * One embedded runtime per data folder: its in-process queue lives in one process, and at start it
 * re-delivers every pending message, which would re-run another live process's work.
 *
 * The lock is SQLite's own file lock on `<dir>/lock.db`, held by an open connection in exclusive
 * locking mode after a write transaction. The operating system drops it when the process dies,
 * however it dies, so nothing is ever stale; and taking it is one atomic step, so of many
 * processes starting at once exactly one wins. (A PID file is neither: a restarted container is
 * PID 1 again and sees "its" PID alive, and create-then-write races.) SQLite also refuses a second
 * connection of the same process, which POSIX locks alone would not.
 *
 * `<dir>/lock.holder` only says who holds it, for the error a second process gets; it decides
 * nothing.
 */
import Database from 'better-sqlite3';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';

/** Connections that hold a lock: if one were garbage collected, its lock would go with it. */
const held = new Set<Database.Database>();

export function lockFolder(dir: string): () => void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const path = join(dir, 'lock.db');
  const holderPath = join(dir, 'lock.holder');
  // Never deleted: a process could hold the old file while another creates a new one.
  const db = new Database(path, { timeout: 0 });
  try {
    db.pragma('locking_mode = EXCLUSIVE');
    db.exec('BEGIN EXCLUSIVE; COMMIT'); // the first write takes the lock, and exclusive mode keeps it
  } catch (error) {
    db.close();
    if ((error as { code?: string }).code === 'SQLITE_BUSY') {
      throw new Error(
        `the data folder ${dir} is in use by ${holder(holderPath)}; the embedded runtime runs in one process: stop that one, set another DATAFLOW_DIR, or use the cluster runtime (DATABASE_URL)`,
      );
    }
    throw new Error(
      `could not lock the data folder ${dir} with ${path}: ${(error as Error).message} (the file holds nothing but the lock: with no dataflow process running, delete it)`,
      { cause: error },
    );
  }
  held.add(db);
  writeFileSync(holderPath, `${process.pid} ${hostname()}\n`, { mode: 0o600 });
  let released = false;
  return () => {
    if (released) return;
    released = true;
    rmSync(holderPath, { force: true }); // before letting go, so it never names the next holder wrongly
    db.close();
    held.delete(db);
  };
}

/** Who holds the lock, as far as it said. */
function holder(holderPath: string): string {
  let text = '';
  try {
    text = readFileSync(holderPath, 'utf8');
  } catch {
    // not written yet, or being removed
  }
  const match = /^(\d+) (\S+)/.exec(text);
  if (!match) return 'another dataflow process';
  return match[2] === hostname() ? `dataflow process ${match[1]}` : `dataflow process ${match[1]} on ${match[2]}`;
}
