import type { Location, MessageDefinition, MessageOf, PayloadOf } from './message.js';
import type { Logger } from './logger.js';
import type { RetryPolicy } from './retry-policy.js';

/** Shared storage as a worker sees it: it writes under its own prefix and reads anywhere. */
export interface WorkerBlobs {
  /** Stores `body` at `<bucket>/<worker name>/<key>` and returns its location. */
  put(key: string, body: Buffer, options?: { contentType?: string }): Promise<Location>;
  get(location: Location): Promise<Buffer>;
}

export interface WorkerContext {
  blobs: WorkerBlobs;
  /** Aborted when the handler times out or the process shuts down. */
  signal: AbortSignal;
  attempt: number;
  log: Logger;
}

/**
 * A dumb worker: accepts one message type, does the work, replies with one `did-*` result. It reads
 * no config and no database; whatever it needs (credentials, a mailer) is handed to its factory.
 */
export interface Worker<In extends MessageDefinition = MessageDefinition, Out extends MessageDefinition = MessageDefinition> {
  readonly name: string;
  readonly accepts: In;
  readonly replies: Out;
  /** How many messages one process handles at once. @defaultValue 4 */
  readonly concurrency?: number;
  /** A handler running longer is aborted and retried. @defaultValue 60000 */
  readonly timeoutMs?: number;
  /**
   * How often, and how long apart, a failure that may pass is tried again before the message is
   * dead-lettered; users may override it per worker (`DATAFLOW_RETRY`). @defaultValue {@link defaultRetryPolicy}
   */
  readonly retry?: Partial<RetryPolicy>;
  handle(message: MessageOf<In>, context: WorkerContext): Promise<PayloadOf<Out>>;
}

export function defineWorker<In extends MessageDefinition, Out extends MessageDefinition>(worker: Worker<In, Out>): Worker<In, Out> {
  if (!/^[a-z0-9][a-z0-9-]*$/.test(worker.name)) {
    throw new Error(`worker name ${JSON.stringify(worker.name)} must be kebab-case letters and digits`);
  }
  return worker;
}
