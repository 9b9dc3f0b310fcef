/**
 * CloudWatch metrics from the AWS handlers, as EMF (Embedded Metric Format) log lines that
 * CloudWatch Logs turns into metrics: the names, units and dimensions of ./cloudwatch-names.ts,
 * from the runtime's events (as ./metrics.ts does for Prometheus).
 *
 * Each invocation gathers its own metrics ({@link EmfMetrics.around}, an AsyncLocalStorage scope,
 * so handlers running at once in one process, as the local host runs them, never mix theirs) and
 * writes them when it ends, thrown or not: nothing carries over to the next invocation, and events
 * outside any invocation are not counted. Counts are summed per invocation; durations and GIF
 * sizes keep one value each. An EMF object holds one set of dimension values, so each metric and
 * value set gets its own line (several, past 99 values), built by Powertools Metrics
 * (`serializeMetrics`; one object a series, made once and reused), scrubbed of the known secrets
 * and handed to `write`.
 *
 * Format: https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { Metrics, type MetricUnit } from '@aws-lambda-powertools/metrics';
import type { FlowEvent } from '../core/events.js';
import type { Logger } from '../core/logger.js';
import { METRICS, METRIC_NAMESPACE } from './cloudwatch-names.js';
import { outcomeOf } from './message-outcome.js';

type MetricSpec = (typeof METRICS)[keyof typeof METRICS];
type Unit = (typeof MetricUnit)[keyof typeof MetricUnit];

export interface EmfMetricsOptions {
  /** The `service` dimension of every metric: the deployment's prefix. */
  service: string;
  /** Takes each finished EMF line (one JSON object, no newline). */
  write(line: string): void;
  /** Scrubs known secrets from each line before it is written. @defaultValue none */
  redact?: (text: string) => string;
  /** Told when a line could not be written: metrics never change what happens to a message. */
  log?: Logger;
}

export interface InvocationInfo {
  /** Lambda's request id, kept as EMF metadata (searchable in the logs, no dimension). */
  requestId?: string;
}

export interface EmfMetrics {
  /** Feed it the runtime's events; it counts those of the invocation under way. */
  listen(event: FlowEvent): void;
  /** Runs one invocation, and writes what it gathered when it ends, thrown or not. */
  around<T>(invocation: InvocationInfo, run: () => Promise<T>): Promise<T>;
}

/**
 * Values of one metric on one line. Powertools publishes a metric by itself once it holds 100
 * values, straight to its own console: past the scrubber and the configured destination. So a
 * series with more values in one invocation is written as several lines, each below that.
 */
const VALUES_PER_LINE = 99;

/** How many series' Metrics objects are kept for reuse; past it, the oldest built is dropped. */
const MOST_SERIES_KEPT = 1000;

interface Series {
  spec: MetricSpec;
  dimensions: Record<string, string>;
  /** Counts are summed; other units keep each value. */
  values: number[];
}

export function createEmfMetrics(options: EmfMetricsOptions): EmfMetrics {
  const scope = new AsyncLocalStorage<Map<string, Series>>();
  const redact = options.redact ?? ((text: string) => text);

  const add = (spec: MetricSpec, dimensions: Record<string, string>, value: number) => {
    const gathered = scope.getStore();
    if (!gathered) return;
    const key = `${spec.name}\n${JSON.stringify(dimensions)}`;
    const series = gathered.get(key) ?? { spec, dimensions, values: [] };
    gathered.set(key, series);
    if (spec.unit === 'Count' && series.values.length > 0) series.values[0]! += value;
    else series.values.push(value);
  };

  // A series' Metrics holds its dimensions as its defaults and is emptied after each line, so one
  // serves every invocation; a line is made and written with no await between, so invocations at
  // once never share one half-made.
  const built = new Map<string, Metrics>();
  const metricsOf = (key: string, dimensions: Record<string, string>) => {
    let metrics = built.get(key);
    if (metrics === undefined) {
      metrics = new Metrics({ namespace: METRIC_NAMESPACE, serviceName: options.service, defaultDimensions: dimensions });
      built.set(key, metrics);
      // Types come from the messages: however many a long-lived host sees, it keeps MOST_SERIES_KEPT.
      if (built.size > MOST_SERIES_KEPT) built.delete(built.keys().next().value!);
    }
    return metrics;
  };

  const flush = (gathered: Map<string, Series>, invocation: InvocationInfo) => {
    for (const [key, { spec, dimensions, values }] of gathered) {
      const metrics = metricsOf(key, dimensions);
      for (let at = 0; at < values.length; at += VALUES_PER_LINE) {
        try {
          if (invocation.requestId) metrics.addMetadata('requestId', invocation.requestId);
          for (const value of values.slice(at, at + VALUES_PER_LINE)) metrics.addMetric(spec.name, spec.unit as Unit, value);
          options.write(redact(JSON.stringify(metrics.serializeMetrics())));
        } finally {
          metrics.clearMetrics();
          metrics.clearMetadata();
        }
      }
    }
  };

  return {
    listen(event) {
      const handled = outcomeOf(event);
      if (handled) {
        add(METRICS.messages, { consumer: handled.consumer, outcome: handled.outcome }, 1);
        add(METRICS.messagesByType, { type: handled.type, outcome: handled.outcome }, 1);
      }
      switch (event.kind) {
        case 'done':
          add(METRICS.handlerDuration, { consumer: event.consumer }, event.durationMs);
          break;
        case 'dead':
          add(METRICS.deadLetters, { consumer: event.consumer }, 1);
          break;
        case 'stored':
          if (event.key.endsWith('.gif')) add(METRICS.gifBytes, {}, event.bytes);
          break;
      }
    },
    async around(invocation, run) {
      const gathered = new Map<string, Series>();
      try {
        return await scope.run(gathered, run);
      } finally {
        try {
          flush(gathered, invocation);
        } catch (error) {
          options.log?.warn({ reason: redact((error as Error)?.message ?? String(error)) }, 'could not write the invocation\'s metrics');
        }
      }
    },
  };
}
