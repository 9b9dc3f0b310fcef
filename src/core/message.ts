/**
 * Messages are plain JSON objects with the payload at top level, as the Data Flow wire format has
 * them: `{ type, id, dateCreated, ...payload }`. `please-*` asks a worker for work, `did-*` reports
 * the result back to the mediator.
 */
import type { StandardSchemaV1 } from './standard-schema.js';

/** A blob's address in shared storage, in the shape S3 uses. */
export interface Location {
  Bucket: string;
  Key: string;
}

/** The envelope fields every message carries. */
export interface Envelope {
  type: string;
  /** Unique id; duplicates of one id are processed once. Assigned when missing. */
  id: string;
  /** Creation time in epoch milliseconds (or seconds, as some senders wrote it). */
  dateCreated: number;
}

export type Message<T extends string = string, P = Record<string, unknown>> = Envelope & { type: T } & P;

/** A message type: its name, its payload schema, and how the state store indexes it. */
export interface MessageDefinition<T extends string = string, P = any> {
  readonly type: T;
  readonly schema: StandardSchemaV1<unknown, P>;
  /** Groups messages for queries, e.g. the `imageId`. */
  readonly key?: (payload: P) => string | undefined;
  /** Orders messages within a key, e.g. a map frame's valid time. */
  readonly time?: (payload: P) => number | undefined;
}

export type PayloadOf<D> = D extends MessageDefinition<string, infer P> ? P : never;
export type MessageOf<D> = D extends MessageDefinition<infer T, infer P> ? Message<T, P> : never;

export function defineMessage<T extends string, P>(
  type: T,
  schema: StandardSchemaV1<unknown, P>,
  index: { key?: (payload: P) => string | undefined; time?: (payload: P) => number | undefined } = {},
): MessageDefinition<T, P> {
  return Object.freeze({ type, schema, ...index });
}
