/**
 * SQLite's errors that no retry mends, as the core's {@link StoreRefusedError}: a broken
 * constraint (`SQLITE_CONSTRAINT_*`: a CHECK, a NOT NULL), a value too big to keep
 * (`SQLITE_TOOBIG`) or of the wrong type (`SQLITE_MISMATCH`). Everything else (a busy database, a
 * full disk) stays as it is, and the core delivers the message again.
 * https://www.sqlite.org/rescode.html
 */
import { StoreRefusedError } from '../../core/errors.js';

export function storeRefusal(error: unknown): StoreRefusedError | undefined {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  if (typeof code !== 'string' || !/^SQLITE_(CONSTRAINT|TOOBIG|MISMATCH)/.test(code)) return undefined;
  return new StoreRefusedError(`SQLite refused the value (${code}): ${String(message)}`, { cause: error });
}

/** The store with every method's refusals turned into {@link StoreRefusedError}. */
export function withRefusals<T extends object>(store: T): T {
  const wrapped: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(store)) {
    if (typeof value !== 'function') {
      wrapped[name] = value;
      continue;
    }
    wrapped[name] = (...args: unknown[]) => {
      const rethrow = (error: unknown) => {
        throw storeRefusal(error) ?? error;
      };
      try {
        const result: unknown = value.apply(store, args);
        return result instanceof Promise ? result.catch(rethrow) : result;
      } catch (error) {
        return rethrow(error);
      }
    };
  }
  return wrapped as T;
}
