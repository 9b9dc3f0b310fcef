/**
 * Prometheus metrics (prom-client): messages by type and outcome and handler durations from this
 * process's events; queue depth and dead letters read at each scrape from the counts the state
 * store keeps as messages change (no scan of the messages), so they are right for the whole flow,
 * whichever process handled what.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { FlowEvent } from '../core/events.js';
import type { Flow } from '../core/flow.js';
import type { MessageBrowser, TypeCount } from '../ports/message-browser.js';
import { outcomeOf } from './message-outcome.js';

export interface Metrics {
  registry: Registry;
  /** Feed it the runtime's events: `runtime.on(metrics.listen)`. */
  listen(event: FlowEvent): void;
  contentType: string;
  metrics(): Promise<string>;
}

export function createMetrics(options: { flow: Flow; browser: MessageBrowser }): Metrics {
  const { flow, browser } = options;
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'dataflow_' });
  // prom-client's `nodejs_active_{handles,requests,resources}_total` are gauges with a counter's
  // suffix, which `promtool check metrics` rejects; each is the sum of the gauge of the same name
  // without `_total` (by type), so `sum()` over that one says the same.
  for (const name of ['handles', 'requests', 'resources']) registry.removeSingleMetric(`dataflow_nodejs_active_${name}_total`);

  const messages = new Counter({
    name: 'dataflow_messages_total',
    help: 'Messages handled by this process, by type, consumer and outcome (done, retry, dead, duplicate).',
    labelNames: ['type', 'consumer', 'outcome'] as const,
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'dataflow_handler_duration_seconds',
    help: 'How long handlers took, per consumer.',
    labelNames: ['consumer'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [registry],
  });
  const gifBytes = new Histogram({
    name: 'dataflow_gif_bytes',
    help: 'Size of the GIFs this process made.',
    buckets: [50e3, 100e3, 250e3, 500e3, 1e6, 2.5e6, 5e6, 10e6],
    registers: [registry],
  });
  const blobBytes = new Counter({
    name: 'dataflow_blob_bytes_total',
    help: 'Bytes workers in this process stored, per worker.',
    labelNames: ['worker'] as const,
    registers: [registry],
  });
  // One read of the counts per scrape, shared by the gauges that collect at once.
  let reading: Promise<TypeCount[]> | undefined;
  const readCounts = () => (reading ??= browser.counts().finally(() => setImmediate(() => (reading = undefined))));
  const typesOf = (consumer: string) => flow.types.filter((type) => flow.route(type) === consumer);
  new Gauge({
    name: 'dataflow_queue_depth',
    help: 'Messages recorded and not yet settled, per consumer, across the flow.',
    labelNames: ['consumer'] as const,
    registers: [registry],
    async collect() {
      const counts = await readCounts();
      this.reset();
      for (const { name } of flow.consumers()) {
        const types = new Set(typesOf(name));
        this.set({ consumer: name }, counts.filter((c) => c.status === 'pending' && types.has(c.type)).reduce((sum, c) => sum + c.count, 0));
      }
    },
  });
  new Gauge({
    name: 'dataflow_dead_letters',
    help: 'Dead-lettered messages, per type, across the flow.',
    labelNames: ['type'] as const,
    registers: [registry],
    async collect() {
      const counts = await readCounts();
      this.reset();
      for (const c of counts) if (c.status === 'dead') this.set({ type: c.type }, c.count);
    },
  });

  return {
    registry,
    listen(event) {
      const handled = outcomeOf(event);
      if (handled) messages.inc({ type: handled.type, consumer: handled.consumer, outcome: handled.outcome });
      switch (event.kind) {
        case 'done':
          duration.observe({ consumer: event.consumer }, event.durationMs / 1000);
          break;
        case 'stored':
          blobBytes.inc({ worker: event.consumer }, event.bytes);
          if (event.key.endsWith('.gif')) gifBytes.observe(event.bytes);
          break;
      }
    },
    contentType: registry.contentType,
    metrics: () => registry.metrics(),
  };
}
