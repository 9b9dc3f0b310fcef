import { createHash, randomUUID } from 'node:crypto';

export function newId(): string {
  return randomUUID();
}

/**
 * The id of the `index`-th message caused by `causeId`. Deterministic, so a handler that runs again
 * after a crash or a redelivery produces the same ids, and the copies are dropped as duplicates.
 */
export function derivedId(causeId: string, index: number): string {
  const hex = createHash('sha256').update(`${causeId}\u0000${index}`).digest('hex');
  // Shaped as an RFC 9562 version 8 (custom) UUID.
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-8${hex.slice(13, 16)}-${((parseInt(hex[16]!, 16) & 0x3) | 0x8).toString(16)}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** A short, stable digest of text or bytes, for keys. */
export function shortHash(data: string | Uint8Array, length = 10): string {
  return createHash('sha256').update(data).digest('hex').slice(0, length);
}
