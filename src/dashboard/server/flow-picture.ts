/**
 * The flow as a picture: the mediator and its workers, what goes between them, and how many
 * messages each holds in flight, done and dead (the store's counts by type, mapped through the
 * flow's routes); and what each settled per minute over the last hour.
 */
import type { Flow } from '../../core/flow.js';
import type { ActivityBucket, TypeCount } from '../../ports/message-browser.js';

export interface Counts {
  pending: number;
  done: number;
  dead: number;
}

export interface ConsumerPicture {
  name: string;
  role: 'mediator' | 'worker';
  /** The message types it handles. */
  accepts: string[];
  /** A worker's reply type. */
  replies?: string;
  concurrency: number;
  maxAttempts: number;
  counts: Counts;
  types: ({ type: string } & Counts)[];
}

export interface FlowPicture {
  name: string;
  consumers: ConsumerPicture[];
  /** Who sends what to whom. */
  edges: { from: string; to: string; type: string }[];
  /** Recorded messages of types the flow does not know: input that was rejected. */
  unknown: ({ type: string } & Counts)[];
  totals: Counts;
}

const zero = (): Counts => ({ pending: 0, done: 0, dead: 0 });

export function flowPicture(flow: Flow, counts: TypeCount[]): FlowPicture {
  const byType = new Map<string, Counts>();
  for (const { type, status, count } of counts) {
    const entry = byType.get(type) ?? zero();
    entry[status] += count;
    byType.set(type, entry);
  }
  const known = new Set(flow.types);
  const mediator = flow.mediator.name;
  const consumers: ConsumerPicture[] = flow.consumers().map((consumer) => {
    const worker = flow.workers.find((w) => w.name === consumer.name);
    const accepts = flow.types.filter((type) => flow.route(type) === consumer.name);
    const types = accepts.map((type) => ({ type, ...(byType.get(type) ?? zero()) }));
    const total = zero();
    for (const t of types) (total.pending += t.pending), (total.done += t.done), (total.dead += t.dead);
    return {
      name: consumer.name,
      role: consumer.name === mediator ? 'mediator' : 'worker',
      accepts,
      replies: worker?.replies.type,
      concurrency: consumer.concurrency,
      maxAttempts: consumer.retry.maxAttempts,
      counts: total,
      types,
    };
  });
  const edges = flow.workers.flatMap((worker) => [
    { from: mediator, to: worker.name, type: worker.accepts.type },
    { from: worker.name, to: mediator, type: worker.replies.type },
  ]);
  const unknown = [...byType].filter(([type]) => !known.has(type)).map(([type, c]) => ({ type, ...c }));
  const totals = zero();
  for (const c of byType.values()) (totals.pending += c.pending), (totals.done += c.done), (totals.dead += c.dead);
  return { name: flow.name, consumers, edges, unknown, totals };
}

export interface ConsumerActivity {
  name: string;
  /** Per bucket, aligned with `starts`. */
  done: number[];
  dead: number[];
  /** Average from recorded to settled, over the done messages; null where none was done. */
  averageLatencyMs: (number | null)[];
  maxLatencyMs: number;
}

export interface Activity {
  bucketMs: number;
  /** Epoch ms each bucket starts at, oldest first, through the current bucket. */
  starts: number[];
  consumers: ConsumerActivity[];
}

export function flowActivity(flow: Flow, buckets: ActivityBucket[], since: number, now: number, bucketMs: number): Activity {
  const first = Math.floor(since / bucketMs) * bucketMs;
  const last = Math.floor(now / bucketMs) * bucketMs;
  const starts: number[] = [];
  for (let start = first; start <= last; start += bucketMs) starts.push(start);
  const index = new Map(starts.map((start, i) => [start, i]));
  const consumers = new Map<string, ConsumerActivity & { latencySum: number[] }>(
    flow.consumers().map((c) => [
      c.name,
      { name: c.name, done: starts.map(() => 0), dead: starts.map(() => 0), averageLatencyMs: starts.map(() => null), maxLatencyMs: 0, latencySum: starts.map(() => 0) },
    ]),
  );
  for (const bucket of buckets) {
    const consumer = consumers.get(flow.route(bucket.type) ?? '');
    const i = index.get(bucket.start);
    if (!consumer || i === undefined) continue;
    consumer.done[i]! += bucket.done;
    consumer.dead[i]! += bucket.dead;
    consumer.latencySum[i]! += bucket.averageLatencyMs * bucket.done;
    consumer.maxLatencyMs = Math.max(consumer.maxLatencyMs, bucket.maxLatencyMs);
  }
  return {
    bucketMs,
    starts,
    consumers: [...consumers.values()].map(({ latencySum, ...consumer }) => ({
      ...consumer,
      averageLatencyMs: consumer.done.map((done, i) => (done > 0 ? Math.round(latencySum[i]! / done) : null)),
    })),
  };
}
