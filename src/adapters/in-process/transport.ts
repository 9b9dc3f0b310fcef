/**
 * In-process transport: one queue per consumer, each with its own concurrency limit.
 *
 * A delivery is queued, then in flight while its handler runs, then acked (gone), scheduled again
 * after a delay (retry), or dropped as dead. Copies of one message id are handed out like any
 * other deliveries; the core's processor runs them one after the other and drops the later ones.
 * `idle()` resolves when no queue holds, runs or waits for anything.
 *
 * Nothing here outlives the process: a runtime on it sends the messages the state store holds as
 * pending again at start (`recoverPending`).
 */
import type { Delivery, DeliveryHandler, Transport } from '../../ports/transport.js';

interface Queue {
  waiting: Delivery[];
  running: number;
  handler?: DeliveryHandler;
  concurrency: number;
}

export function inProcessTransport(): Transport & { idle(): Promise<void>; depth(): Record<string, number> } {
  const queues = new Map<string, Queue>();
  const timers = new Set<NodeJS.Timeout>();
  let idleWaiters: (() => void)[] = [];
  let closed = false;

  const queueOf = (name: string): Queue => {
    let queue = queues.get(name);
    if (!queue) queues.set(name, (queue = { waiting: [], running: 0, concurrency: 1 }));
    return queue;
  };

  const isIdle = () => timers.size === 0 && [...queues.values()].every((q) => q.running === 0 && (q.waiting.length === 0 || !q.handler));

  const checkIdle = () => {
    if (!isIdle()) return;
    const waiters = idleWaiters;
    idleWaiters = [];
    for (const resolve of waiters) resolve();
  };

  const pump = (queue: Queue) => {
    if (!queue.handler || closed) return;
    while (queue.running < queue.concurrency && queue.waiting.length > 0) {
      const delivery = queue.waiting.shift()!;
      queue.running++;
      void run(queue, delivery);
    }
  };

  const run = async (queue: Queue, delivery: Delivery) => {
    try {
      const outcome = await queue.handler!(delivery);
      if (outcome.kind === 'retry') later(queue, delivery, outcome.delayMs);
    } catch (error) {
      // A handler must answer with an outcome; a throw is a bug in the runtime. Keep the message.
      process.emitWarning(`in-process transport: handler threw, delivering again in 1 s: ${(error as Error).stack ?? error}`);
      later(queue, delivery, 1000);
    } finally {
      queue.running--;
      pump(queue);
      checkIdle();
    }
  };

  const later = (queue: Queue, delivery: Delivery, delayMs: number) => {
    if (closed) return; // still pending in the state store: recovered at the next start
    const timer = setTimeout(() => {
      timers.delete(timer);
      queue.waiting.push({ ...delivery, attempt: delivery.attempt + 1 });
      pump(queue);
      checkIdle();
    }, delayMs);
    timers.add(timer);
  };

  return {
    async send(name, deliveries) {
      if (closed) throw new Error('the transport is closed');
      const queue = queueOf(name);
      queue.waiting.push(...deliveries);
      pump(queue);
    },
    consume(name, handler, { concurrency }) {
      if (!Number.isInteger(concurrency) || concurrency < 1) throw new Error(`concurrency must be a positive integer, got ${concurrency}`);
      const queue = queueOf(name);
      if (queue.handler) throw new Error(`queue ${name} already has a consumer`);
      queue.handler = handler;
      queue.concurrency = concurrency;
      pump(queue);
      return async () => {
        queue.handler = undefined;
        while (queue.running > 0) await new Promise((r) => setTimeout(r, 5));
        checkIdle();
      };
    },
    idle() {
      if (isIdle()) return Promise.resolve();
      return new Promise((resolve) => idleWaiters.push(resolve));
    },
    depth() {
      return Object.fromEntries([...queues].map(([name, q]) => [name, q.waiting.length + q.running]));
    },
    async close() {
      closed = true;
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      checkIdle();
    },
  };
}
