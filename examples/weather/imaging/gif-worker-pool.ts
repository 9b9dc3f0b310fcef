/**
 * A small pool of worker threads for {@link FrameStreamEncoder}s, started on first use and kept
 * for later calls. Idle workers are unref'd, so the pool never keeps a process alive.
 *
 * A stream lives on one worker (its previous frame's indices are there) and takes one frame per
 * message; the caller bounds how many it sends ahead, so no worker queues a GIF's worth of pixels.
 *
 * When this module runs from TypeScript source (tsx, the tests, the bench) a worker cannot load
 * the `.ts` entry by itself: it registers tsx first, through tsx's public `tsx/esm/api`.
 */
import { Worker } from 'node:worker_threads';
import type { WorkerRequest } from './gif-encode-worker.js';
import type { EncodedFrame, FrameStreamSpec } from './frame-stream-encoder.js';

/** A worker failed or died: the caller may do the work on its own thread instead. */
export class GifWorkerError extends Error {
  override name = 'GifWorkerError';
}

export interface GifFrameStream {
  /**
   * Sends the next frame (RGBA). `encode: false` only shows it as the frame before the first
   * one to encode. With `transfer`, the frame's memory moves to the worker (and is unusable here).
   */
  push(rgba: Uint8Array, options: { encode: boolean; transfer: boolean }): Promise<EncodedFrame | undefined>;
  close(): void;
}

interface Pending {
  resolve: (frame: EncodedFrame | undefined) => void;
  reject: (error: Error) => void;
  slot: Slot;
}

interface Slot {
  worker: Worker;
  /** Frames sent and not answered: the worker is ref'd while there are any. */
  busy: number;
  streams: number;
}

type Reply = { id: number; frame?: EncodedFrame } | { id: number; error: string };

export class GifWorkerPool {
  private readonly slots: Slot[] = [];
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private nextStream = 1;

  constructor(readonly size: number) {}

  /** Starts the workers now, so their start-up overlaps other work. */
  warm(): void {
    while (this.slots.length < this.size) this.slots.push(this.spawn());
  }

  /** Opens a frame stream on the worker with the fewest open streams. */
  openStream(spec: FrameStreamSpec): GifFrameStream {
    this.warm();
    const slot = this.slots.reduce((a, b) => (b.streams < a.streams ? b : a));
    const stream = this.nextStream++;
    slot.streams++;
    this.post(slot, { type: 'open', stream, spec });
    let open = true;
    return {
      push: (rgba, options) => {
        if (!open) return Promise.reject(new Error('frame stream is closed'));
        const id = this.nextId++;
        return new Promise<EncodedFrame | undefined>((resolve, reject) => {
          if (!this.slots.includes(slot)) return reject(new GifWorkerError('GIF encoder worker has stopped'));
          this.pending.set(id, { resolve, reject, slot });
          if (slot.busy++ === 0) slot.worker.ref();
          const request: WorkerRequest = { type: 'frame', stream, id, rgba, encode: options.encode };
          slot.worker.postMessage(request, options.transfer ? [rgba.buffer as ArrayBuffer] : []);
        });
      },
      close: () => {
        if (!open) return;
        open = false;
        slot.streams--;
        this.post(slot, { type: 'close', stream });
      },
    };
  }

  /** Stops every worker; the next stream starts new ones. */
  async close(): Promise<void> {
    const workers = this.slots.splice(0).map((slot) => slot.worker);
    await Promise.all(workers.map((worker) => worker.terminate()));
  }

  private post(slot: Slot, request: WorkerRequest): void {
    if (this.slots.includes(slot)) slot.worker.postMessage(request);
  }

  private spawn(): Slot {
    const worker = startWorker();
    const slot: Slot = { worker, busy: 0, streams: 0 };
    worker.unref();
    worker.on('message', (reply: Reply) => this.settle(reply));
    const fail = (error: Error) => {
      // A worker that died takes its frames with it; replace it for the next stream.
      const index = this.slots.indexOf(slot);
      if (index >= 0) this.slots.splice(index, 1);
      for (const [id, job] of this.pending) {
        if (job.slot !== slot) continue;
        this.pending.delete(id);
        job.reject(new GifWorkerError(error.message, { cause: error }));
      }
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`GIF encoder worker exited with code ${code}`)));
    return slot;
  }

  private settle(reply: Reply): void {
    const job = this.pending.get(reply.id);
    if (!job) return;
    this.pending.delete(reply.id);
    if (--job.slot.busy === 0) job.slot.worker.unref();
    if ('error' in reply) job.reject(new GifWorkerError(`GIF encoder worker failed: ${reply.error}`));
    else job.resolve(reply.frame);
  }
}

function startWorker(): Worker {
  const fromSource = import.meta.url.endsWith('.ts');
  const entry = new URL(fromSource ? './gif-encode-worker.ts' : './gif-encode-worker.js', import.meta.url);
  if (!fromSource) return new Worker(entry);
  const tsx = import.meta.resolve('tsx/esm/api');
  return new Worker(
    `import(${JSON.stringify(tsx)}).then(({ register }) => { register(); return import(${JSON.stringify(entry.href)}); });`,
    { eval: true },
  );
}
