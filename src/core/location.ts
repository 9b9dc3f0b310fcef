/**
 * Which locations are safe on every blob store: a bucket name S3 accepts, and a key of plain
 * relative segments, so no location can reach outside its bucket on a disk (`..`, an absolute
 * key, a backslash) or name two files at once (an empty or `.` segment). The same rule serves the
 * message schemas, so an unsafe location in a message is refused before any work (and never
 * retried), and the blob stores, so no caller can get around it.
 */
import type { Location } from './message.js';
import type { StandardSchemaV1 } from './standard-schema.js';

const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
/** C0 controls and DEL: a NUL truncates paths in C code; a newline forges log lines and listings. */
const CONTROL = /[\u0000-\u001f\u007f]/;

/** What is wrong with a location, one issue per field (`Bucket`, `Key`); empty when it is safe. */
export function locationIssues(value: unknown): StandardSchemaV1.Issue[] {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return [{ message: 'expected an object { Bucket, Key }' }];
  }
  const { Bucket, Key } = value as Record<string, unknown>;
  const issues: StandardSchemaV1.Issue[] = [];
  const bucket = bucketProblem(Bucket);
  if (bucket) issues.push({ message: bucket, path: ['Bucket'] });
  const key = keyProblem(Key);
  if (key) issues.push({ message: key, path: ['Key'] });
  return issues;
}

function bucketProblem(bucket: unknown): string | undefined {
  if (typeof bucket !== 'string') return 'expected a string';
  if (!BUCKET.test(bucket) || bucket.includes('..')) {
    return "is not a bucket name (3 to 63 lowercase letters, digits, '.' and '-')";
  }
  return undefined;
}

function keyProblem(key: unknown): string | undefined {
  if (typeof key !== 'string') return 'expected a string';
  if (key.length === 0) return 'is empty';
  if (key.length > 1024) return 'is longer than 1024 characters';
  if (CONTROL.test(key)) return 'holds a control character (NUL, newline...)';
  if (key.includes('\\')) return 'holds a backslash';
  if (key.startsWith('/')) return 'is absolute (starts with "/")';
  const segments = key.split('/');
  if (segments.includes('..')) return "has a '..' segment";
  if (segments.includes('.')) return "has a '.' segment";
  if (segments.includes('')) return 'has an empty segment ("//" or a trailing "/")';
  return undefined;
}

/**
 * A Standard Schema for a location, for flows that check messages with it (or with any schema
 * library, through {@link locationIssues}).
 */
export const locationSchema: StandardSchemaV1<unknown, Location> = {
  '~standard': {
    version: 1,
    vendor: 'dataflow',
    validate(value) {
      const issues = locationIssues(value);
      if (issues.length > 0) return { issues };
      const { Bucket, Key } = value as Location;
      return { value: { Bucket, Key } };
    },
  },
};
