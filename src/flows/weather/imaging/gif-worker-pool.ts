/**
 * A small pool of worker threads for {@link FrameRangeEncoder} jobs, started on first use and
 * kept for later calls. Idle workers are unref'd, so the pool never keeps a process alive.
 *
 * When this module runs from TypeScript source (tsx, the tests, the bench) a worker cannot load
 * the `.ts` entry by itself: it registers tsx first, through tsx's public `tsx/esm/api`.
 */
import { Worker } from 'node:worker_threads';
import type { EncodedFrame, FrameRangeJob } from './frame-range-encoder.js';

interface Pending {
  resolve: (frames: EncodedFrame[]) => void;
  reject: (error: Error) => void;
}

interface Slot {
  worker: Worker;
  busy: number;
}

type Reply = { id: number; frames: EncodedFrame[] } | { id: number; error: string };

export class GifWorkerPool {
  private readonly slots: Slot[] = [];
  private readonly pending = new Map<number, Pending & { slot: Slot }>();
  private nextId = 1;

  constructor(readonly size: number) {}

  /** Starts the workers now, so their start-up overlaps other work. */
  warm(): void {
    while (this.slots.length < this.size) this.slots.push(this.spawn());
  }

  run(job: FrameRangeJob): Promise<EncodedFrame[]> {
    this.warm();
    const slot = this.slots.reduce((a, b) => (b.busy < a.busy ? b : a));
    const id = this.nextId++;
    return new Promise<EncodedFrame[]>((resolve, reject) => {
      this.pending.set(id, { resolve, reject, slot });
      if (slot.busy++ === 0) slot.worker.ref();
      slot.worker.postMessage({ id, job });
    });
  }

  /** Stops every worker; the next job starts new ones. */
  async close(): Promise<void> {
    const workers = this.slots.splice(0).map((slot) => slot.worker);
    await Promise.all(workers.map((worker) => worker.terminate()));
  }

  private spawn(): Slot {
    const worker = startWorker();
    const slot: Slot = { worker, busy: 0 };
    worker.unref();
    worker.on('message', (reply: Reply) => this.settle(reply));
    const fail = (error: Error) => {
      // A worker that died takes its jobs with it; replace it for the next job.
      const index = this.slots.indexOf(slot);
      if (index >= 0) this.slots.splice(index, 1);
      for (const [id, job] of this.pending) {
        if (job.slot !== slot) continue;
        this.pending.delete(id);
        job.reject(error);
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
    if ('error' in reply) job.reject(new Error(`GIF encoder worker failed: ${reply.error}`));
    else job.resolve(reply.frames);
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
