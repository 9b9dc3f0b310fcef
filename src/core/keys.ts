import { shortHash } from './ids.js';

/**
 * A blob-key segment for any user text (an `imageId` with spaces, slashes, `..`, unicode): a
 * readable ASCII slug plus a digest of the exact text, so it is safe on every store and two
 * different texts never share a key, even on a case-insensitive disk.
 */
export function keySegment(text: string): string {
  const slug = text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 48);
  return `${slug || 'x'}-${shortHash(text, 10)}`;
}

/** Epoch ms as `YYYYMMDDhhmmss` (UTC), a sortable key part. */
export function compactTime(ms: number): string {
  return new Date(ms).toISOString().replace(/[-:T]/g, '').slice(0, 14);
}
