/**
 * What became of a message a consumer handled, read from the runtime's events: the one reading
 * the Prometheus metrics (./metrics.ts) and the CloudWatch metrics (./emf-metrics.ts) count.
 */
import type { FlowEvent } from '../core/events.js';

export type Outcome = 'done' | 'retry' | 'dead' | 'duplicate';

export interface MessageOutcome {
  consumer: string;
  /** The message's type. */
  type: string;
  outcome: Outcome;
}

/** The outcome an event tells of; none for an event that tells of no outcome (received, stored). */
export function outcomeOf(event: FlowEvent): MessageOutcome | undefined {
  switch (event.kind) {
    case 'done':
    case 'retry':
      return { consumer: event.consumer, type: event.message.type, outcome: event.kind };
    case 'dead':
    case 'duplicate':
      return { consumer: event.consumer, type: event.type, outcome: event.kind };
    default:
      return undefined;
  }
}
