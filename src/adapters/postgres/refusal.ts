/**
 * PostgreSQL's errors that no retry mends, as the core's {@link StoreRefusedError}: SQLSTATE class
 * 22, data exceptions (a NUL character in jsonb text, a number out of a column's range), and class
 * 23, integrity constraint violations (a CHECK, a NOT NULL). Everything else (a lost connection, a
 * timeout, a deadlock) stays as it is, and the core delivers the message again.
 * https://www.postgresql.org/docs/current/errcodes-appendix.html
 */
import { StoreRefusedError } from '../../core/errors.js';

export function storeRefusal(error: unknown): StoreRefusedError | undefined {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  if (typeof code !== 'string' || !/^2[23][0-9A-Z]{3}$/.test(code)) return undefined;
  return new StoreRefusedError(`PostgreSQL refused the value (SQLSTATE ${code}): ${String(message)}`, { cause: error });
}
