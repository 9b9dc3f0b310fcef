/**
 * Errors tell the runtime what happens next: an {@link InvalidMessageError} or a
 * {@link NonRetriableError} (a {@link StoreRefusedError} among them) goes straight to the dead
 * letters, a {@link RetryableError} is retried (after `retryAfterMs` when given), and anything else
 * is retried with backoff until the attempts run out.
 */

export class DataflowError extends Error {
  override name = 'DataflowError';
}

/** A message that no retry can mend: bad JSON, an unknown type, a missing or mistyped field. */
export class InvalidMessageError extends DataflowError {
  override name = 'InvalidMessageError';
  constructor(
    message: string,
    /** Each problem as `field: what is wrong`. */
    readonly problems: string[] = [],
  ) {
    super(message);
  }
}

/** Work that will fail the same way every time: dead-letter it at once. */
export class NonRetriableError extends DataflowError {
  override name = 'NonRetriableError';
}

/**
 * A state store refused what it was given, for good: a value it cannot hold (a NUL character, a
 * number out of range) or one that breaks a constraint. Retrying the same write cannot help, so
 * the message is dead-lettered with the store's reason. Adapters turn their backend's codes
 * (PostgreSQL's SQLSTATE classes 22 and 23, SQLite's constraint errors) into it; the core checks
 * for this type alone and knows no backend's codes.
 */
export class StoreRefusedError extends NonRetriableError {
  override name = 'StoreRefusedError';
}

/** Work that may pass later: retry, after `retryAfterMs` when the cause says how long. */
export class RetryableError extends DataflowError {
  override name = 'RetryableError';
  constructor(
    message: string,
    readonly retryAfterMs?: number,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** Turns anything thrown into an Error, once. */
export function coerceError(thrown: unknown): Error {
  if (thrown instanceof Error) return thrown;
  if (typeof thrown === 'string') return new Error(thrown);
  try {
    return new Error(`Non-error thrown: ${JSON.stringify(thrown)}`);
  } catch {
    return new Error(`Non-error thrown: ${String(thrown)}`);
  }
}

export function isRetriable(error: Error): boolean {
  return !(error instanceof InvalidMessageError || error instanceof NonRetriableError);
}

/** One line that names the error and its causes, for dead letters and logs. */
export function describeError(error: Error): string {
  const parts = [`${error.name}: ${error.message}`];
  let cause = error.cause;
  for (let depth = 0; cause instanceof Error && depth < 3; depth++) {
    parts.push(`caused by ${cause.name}: ${cause.message}`);
    cause = cause.cause;
  }
  return parts.join('; ');
}
