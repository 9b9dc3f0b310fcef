/**
 * Concurrent writes committed together: every write asked for while the event loop is busy runs,
 * at its next turn, inside one `BEGIN IMMEDIATE … COMMIT`, each write in a savepoint of its own
 * (better-sqlite3 makes a transaction function called inside a transaction a savepoint). A write
 * that throws rolls back its own savepoint only, and its caller gets the error; the others commit.
 *
 * Each caller's promise settles only once the commit holding its write is done, so a write is
 * exactly as durable as it was in a transaction of its own (WAL, `synchronous = NORMAL`: safe
 * from a crash of the process; a power loss may take the last commits). Only the commit is
 * shared: with many handlers at once, one commit serves many settles, where it was one each.
 * Should the commit itself fail, every write of the group fails with its error, and none is kept.
 */
import type Database from 'better-sqlite3';

interface Pending {
  write: () => unknown;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

export interface CommitGroup {
  /** Runs `write` in the next group's transaction; resolves with its result once that commits. */
  write<T>(write: () => T): Promise<T>;
  /** Commits the writes waiting for the next turn now: before the database closes. */
  flush(): void;
}

export function commitGroup(db: Database.Database): CommitGroup {
  let pending: Pending[] = [];

  const flush = () => {
    if (pending.length === 0) return;
    const group = pending;
    pending = [];
    const outcomes: ({ ok: true; value: unknown } | { ok: false; error: unknown })[] = [];
    try {
      db.transaction(() => {
        for (const { write } of group) {
          try {
            outcomes.push({ ok: true, value: write() });
          } catch (error) {
            outcomes.push({ ok: false, error });
          }
        }
      }).immediate();
    } catch (error) {
      for (const { reject } of group) reject(error);
      return;
    }
    for (const [i, { resolve, reject }] of group.entries()) {
      const outcome = outcomes[i]!;
      if (outcome.ok) resolve(outcome.value);
      else reject(outcome.error);
    }
  };

  return {
    write: <T>(write: () => T) =>
      new Promise<T>((resolve, reject) => {
        pending.push({ write, resolve: resolve as (value: unknown) => void, reject });
        if (pending.length === 1) setImmediate(flush);
      }),
    flush,
  };
}
