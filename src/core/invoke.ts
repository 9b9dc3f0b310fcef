import type { BlobStore } from '../ports/blob-store.js';
import { NonRetriableError } from './errors.js';
import { blobRefusal, type ResolvedAccess } from './flow-access.js';
import { derivedId } from './ids.js';
import { silentLogger, type Logger } from './logger.js';
import type { Location, Message } from './message.js';
import { normalizeEnvelope, validatePayload } from './validate.js';
import type { Worker, WorkerContext } from './worker.js';

/** The context a worker runs in: blobs scoped to its own prefix for writing, and to what it declares. */
export function workerContext(
  worker: Worker<any, any>,
  options: {
    blobs: BlobStore;
    bucket: string;
    signal: AbortSignal;
    attempt: number;
    log?: Logger;
    onStored?: (location: Location, bytes: number) => void;
    /** What the flow declares the worker touches: a read or write outside it fails, for good. */
    access?: ResolvedAccess;
  },
): WorkerContext {
  const { blobs, bucket, access } = options;
  const check = (doing: 'read' | 'write', key: string) => {
    const refusal = access && blobRefusal(access, doing, key);
    if (refusal) throw new NonRetriableError(refusal);
  };
  return {
    signal: options.signal,
    attempt: options.attempt,
    log: options.log ?? silentLogger,
    blobs: {
      async put(key, body, putOptions) {
        const location: Location = { Bucket: bucket, Key: `${worker.name}/${key}` };
        check('write', location.Key);
        await blobs.put(location, body, putOptions);
        options.onStored?.(location, body.length);
        return location;
      },
      async get(location) {
        check('read', location.Key);
        return blobs.get(location);
      },
    },
  };
}

/**
 * Runs one worker on one message, outside any flow, and returns its reply: what the talk's
 * invoke script did with a Lambda function. Nothing is recorded.
 */
export async function invokeWorker(
  worker: Worker<any, any>,
  input: unknown,
  options: { blobs: BlobStore; bucket: string; now?: number; signal?: AbortSignal; /** What its flow declares it touches. */ access?: ResolvedAccess },
): Promise<Message> {
  const now = options.now ?? Date.now();
  const envelope = normalizeEnvelope(input, now);
  if (envelope.type !== worker.accepts.type) {
    throw new Error(`worker ${worker.name} accepts ${worker.accepts.type}, not ${envelope.type}`);
  }
  const message = await validatePayload(worker.accepts, envelope);
  const context = workerContext(worker, { ...options, signal: options.signal ?? new AbortController().signal, attempt: 1 });
  const payload = await worker.handle(message as never, context);
  return validatePayload(worker.replies, { ...(payload as object), type: worker.replies.type, id: derivedId(message.id, 0), dateCreated: now });
}
