/**
 * The in-process transport, with retries that wait on a manual clock instead of a timer: a retry
 * is set aside with the time it is due, and `drain` delivers it by moving the clock there, so a
 * backoff of minutes passes in no time (like Temporal's time-skipping test environment).
 */
import { inProcessTransport } from '../adapters/in-process/transport.js';
import type { Delivery, Transport } from '../ports/transport.js';
import type { ManualClock } from './manual-clock.js';

export interface WaitingRetry {
  queue: string;
  /** Epoch ms on the manual clock. */
  due: number;
  delivery: Delivery;
}

export interface TimeSkippingTransport extends Transport {
  /**
   * Handles everything queued, and every retry due up to `until` (epoch ms), moving the clock to
   * each retry's time in turn; resolves when nothing is left to do by then. @defaultValue until: no limit
   */
  drain(options?: { until?: number }): Promise<void>;
  /** The retries set aside, soonest first. */
  waiting(): WaitingRetry[];
  /** Same as `drain()`: nothing queued, running or waiting for a retry. */
  idle(): Promise<void>;
}

/** A flow that keeps sending forever would never drain: stop after this many clock jumps. */
const MAX_JUMPS = 100_000;

export function timeSkippingTransport(clock: ManualClock): TimeSkippingTransport {
  const inner = inProcessTransport();
  let waiting: WaitingRetry[] = [];

  const drain = async ({ until = Number.POSITIVE_INFINITY } = {}) => {
    for (let jumps = 0; ; jumps++) {
      await inner.idle();
      const next = waiting.reduce((soonest, retry) => Math.min(soonest, retry.due), Number.POSITIVE_INFINITY);
      if (next > until || next === Number.POSITIVE_INFINITY) break;
      if (jumps >= MAX_JUMPS) throw new Error(`the flow still retries after ${MAX_JUMPS} jumps of the clock: does it ever go idle?`);
      if (next > clock.now()) clock.advanceTo(next);
      const due = waiting.filter((retry) => retry.due <= clock.now());
      waiting = waiting.filter((retry) => retry.due > clock.now());
      for (const { queue, delivery } of due) await inner.send(queue, [{ ...delivery, attempt: delivery.attempt + 1 }]);
    }
    if (until !== Number.POSITIVE_INFINITY && until > clock.now()) clock.advanceTo(until);
  };

  return {
    send: (queue, deliveries) => inner.send(queue, deliveries),
    consume(queue, handler, options) {
      return inner.consume(
        queue,
        async (delivery) => {
          const outcome = await handler(delivery);
          if (outcome.kind !== 'retry') return outcome;
          waiting.push({ queue, due: clock.now() + outcome.delayMs, delivery });
          waiting.sort((a, b) => a.due - b.due);
          return { kind: 'ack' }; // the inner transport forgets it; it waits here instead
        },
        options,
      );
    },
    drain,
    idle: () => drain(),
    waiting: () => waiting.map((retry) => ({ ...retry })),
    async close() {
      waiting = [];
      await inner.close();
    },
  };
}
