import { NonRetriableError } from '../core/errors.js';
import { locationIssues } from '../core/location.js';
import type { Location } from '../core/message.js';
import type { StandardSchemaV1 } from '../core/standard-schema.js';

/** Shared file storage. Messages carry locations, never bytes. */
export interface BlobStore {
  /**
   * Stores `body` at `location`, once: a key names one content, so a blob already in a GIF or a
   * mail never changes under it. The same bytes again are a no-op (a handler that runs twice);
   * different bytes throw {@link BlobConflictError}.
   */
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

/**
 * Different bytes for a key that already holds a blob. Not retried: the same write fails the same
 * way. The key should derive from everything its content derives from.
 */
export class BlobConflictError extends NonRetriableError {
  override name = 'BlobConflictError';
  constructor(readonly location: Location) {
    super(`${location.Bucket}/${location.Key} already holds different bytes: blobs are written once, so a key must name one content`);
  }
}

/** A location no store accepts (see {@link locationIssues}): no retry can mend it. */
export class InvalidLocationError extends NonRetriableError {
  override name = 'InvalidLocationError';
}

/** Throws {@link InvalidLocationError} naming the field, unless the location is safe for every backend. */
export function assertSafeLocation(location: Location): void {
  const issues = locationIssues(location);
  if (issues.length === 0) return;
  const text = issues.map((issue) => `${issue.path?.join('.') ?? 'location'} ${JSON.stringify(describedField(location, issue.path))} ${issue.message}`);
  throw new InvalidLocationError(`invalid location: ${text.join('; ')}`);
}

function describedField(location: unknown, path: StandardSchemaV1.Issue['path']): unknown {
  const field = path?.[0];
  const value = typeof field === 'string' ? (location as Record<string, unknown> | null)?.[field] : location;
  return typeof value === 'string' && value.length > 100 ? `${value.slice(0, 100)}…` : value;
}
