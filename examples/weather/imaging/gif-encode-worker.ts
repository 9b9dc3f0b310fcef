/**
 * Worker-thread entry: encodes the frame streams `gif-worker-pool.ts` opens here, one frame per
 * message, so a thread never holds more than the frame it is working on.
 */
import { parentPort } from 'node:worker_threads';
import { FrameStreamEncoder, type FrameStreamSpec } from './frame-stream-encoder.js';

export type WorkerRequest =
  | { type: 'open'; stream: number; spec: FrameStreamSpec }
  | { type: 'frame'; stream: number; id: number; rgba: Uint8Array; encode: boolean }
  | { type: 'close'; stream: number };

/** A stream that could not open keeps its reason, for every frame sent to it. */
const streams = new Map<number, FrameStreamEncoder | string>();

const describe = (error: unknown) => (error instanceof Error ? `${error.name}: ${error.message}` : String(error));

parentPort?.on('message', (request: WorkerRequest) => {
  if (request.type === 'open') {
    try {
      streams.set(request.stream, new FrameStreamEncoder(request.spec));
    } catch (error) {
      streams.set(request.stream, describe(error));
    }
    return;
  }
  if (request.type === 'close') {
    const encoder = streams.get(request.stream);
    if (typeof encoder === 'object') encoder.close();
    streams.delete(request.stream);
    return;
  }
  const encoder = streams.get(request.stream);
  if (typeof encoder !== 'object') {
    parentPort!.postMessage({ id: request.id, error: encoder ?? `no frame stream ${request.stream}` });
    return;
  }
  try {
    // The frame's memory goes back with the answer: garbage here would wait for this thread's
    // next collection, which a thread that allocates little makes late.
    const done = [request.rgba.buffer as ArrayBuffer];
    if (!request.encode) {
      encoder.follow(request.rgba);
      parentPort!.postMessage({ id: request.id }, done);
      return;
    }
    const frame = encoder.encode(request.rgba);
    parentPort!.postMessage({ id: request.id, frame }, [frame.data.buffer as ArrayBuffer, ...done]);
  } catch (error) {
    parentPort!.postMessage({ id: request.id, error: describe(error) });
  }
});
