/** Worker-thread entry: encodes frame ranges sent by `gif-worker-pool.ts`. */
import { parentPort } from 'node:worker_threads';
import { FrameRangeEncoder, type FrameRangeJob } from './frame-range-encoder.js';

const encoder = new FrameRangeEncoder();

parentPort?.on('message', (message: { id: number; job: FrameRangeJob }) => {
  try {
    const frames = encoder.encode(message.job);
    parentPort!.postMessage(
      { id: message.id, frames },
      frames.map((frame) => frame.data.buffer as ArrayBuffer),
    );
  } catch (error) {
    parentPort!.postMessage({ id: message.id, error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) });
  }
});
