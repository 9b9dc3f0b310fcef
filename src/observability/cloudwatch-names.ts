/**
 * The CloudWatch metrics the AWS handlers publish (as EMF log lines) and the deployed stack's
 * dashboard and alarms read: one list, so the two cannot drift apart. Every metric carries the
 * `service` dimension, set to the deployment's prefix, so stages side by side stay apart.
 * Each handler invocation writes one EMF line per metric and set of dimension values when it ends
 * (see ./emf-metrics.ts): counts summed over the invocation, durations and sizes one value each.
 */
export const METRIC_NAMESPACE = 'Dataflow';

export const METRICS = {
  /** Messages handled, per consumer and outcome (done, retry, dead, duplicate). */
  messages: { name: 'Messages', unit: 'Count', dimensions: ['service', 'consumer', 'outcome'] },
  /** Messages handled, per message type and outcome. */
  messagesByType: { name: 'MessagesByType', unit: 'Count', dimensions: ['service', 'type', 'outcome'] },
  /** How long each handling took, per consumer. */
  handlerDuration: { name: 'HandlerDuration', unit: 'Milliseconds', dimensions: ['service', 'consumer'] },
  /** Messages dead-lettered, per consumer. */
  deadLetters: { name: 'DeadLetters', unit: 'Count', dimensions: ['service', 'consumer'] },
  /** Bytes of each GIF stored. */
  gifBytes: { name: 'GifBytes', unit: 'Bytes', dimensions: ['service'] },
} as const;
