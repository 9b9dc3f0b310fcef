/** What the API says about a stored message: a summary for lists, the whole of it for its page. */
import type { Flow } from '../../core/flow.js';
import type { StoredMessage } from '../../ports/state-store.js';

export interface MessageSummary {
  id: string;
  type: string;
  /** The consumer that handles it, or undefined for input the flow does not know. */
  consumer?: string;
  key?: string;
  validTime?: number;
  causedBy?: string;
  status: StoredMessage['status'];
  attempts: number;
  reason?: string;
  createdAt: number;
  updatedAt: number;
}

export function summarize(flow: Flow, message: StoredMessage): MessageSummary {
  return {
    id: message.id,
    type: message.type,
    consumer: flow.route(message.type),
    key: message.key,
    validTime: message.validTime,
    causedBy: message.causedBy,
    status: message.status,
    attempts: message.attempts,
    reason: message.reason,
    createdAt: message.createdAt,
    updatedAt: message.updatedAt,
  };
}
