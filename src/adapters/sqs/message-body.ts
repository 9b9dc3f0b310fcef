/**
 * A delivery on SQS: the body is the message as JSON, exactly what a Lambda handler or another
 * tool reads; the attempt comes from SQS's own ApproximateReceiveCount. A delivery sent as a
 * later attempt (attempt > 1) carries the number it starts from in a message attribute.
 */
import type { MessageAttributeValue } from '@aws-sdk/client-sqs';
import type { SQSRecord } from './sqs-event.js';
import type { Delivery } from '../../ports/transport.js';

const FIRST_ATTEMPT = 'dataflow-first-attempt';

/**
 * SQS's historical limit for a message and for a whole batch. AWS raised it to 1 MiB in 2025, but
 * older queues, LocalStack and other emulators keep 256 KiB, and the set-up makes its queues
 * with it, so the limit holds everywhere. Messages carry locations, not bytes, and stay far below.
 */
export const MAX_MESSAGE_BYTES = 256 * 1024;

export interface OutgoingMessage {
  body: string;
  attributes: Record<string, MessageAttributeValue>;
  /** What SQS counts against its limit: the body and every attribute's name, type and value. */
  bytes: number;
}

export function outgoingMessage(delivery: Delivery): OutgoingMessage {
  const json = JSON.stringify(delivery.message);
  if (json === undefined) throw new Error(`cannot send ${String(delivery.message)} on SQS: a message must be JSON`);
  // JSON escapes control characters but not U+FFFE/U+FFFF, which SQS refuses in a body.
  const body = json.replace(/[\uFFFE\uFFFF]/g, (c) => `\\u${c.charCodeAt(0).toString(16)}`);
  const attributes: Record<string, MessageAttributeValue> = {};
  if (delivery.attempt > 1) attributes[FIRST_ATTEMPT] = { DataType: 'Number', StringValue: String(delivery.attempt) };
  let bytes = Buffer.byteLength(body);
  for (const [name, value] of Object.entries(attributes)) bytes += Buffer.byteLength(name) + Buffer.byteLength(value.DataType!) + Buffer.byteLength(value.StringValue ?? '');
  return { body, attributes, bytes };
}

/** What to call a message in an error: its type and id when it has them. */
export function describeMessage(message: unknown): string {
  const { type, id } = (typeof message === 'object' && message !== null ? message : {}) as { type?: unknown; id?: unknown };
  if (typeof id === 'string') return `message ${id}${typeof type === 'string' ? ` (${type})` : ''}`;
  return 'a message without an id';
}

/** The delivery an SQS record carries; a body that is not JSON is handed on as text. */
export function deliveryOf(record: SQSRecord): Delivery {
  let message: unknown;
  try {
    message = JSON.parse(record.body);
  } catch {
    message = record.body; // the core records it as dead, with why
  }
  const received = Number(record.attributes.ApproximateReceiveCount);
  const first = Number(record.messageAttributes[FIRST_ATTEMPT]?.stringValue ?? 1);
  const attempt = (Number.isInteger(first) && first > 0 ? first : 1) + (Number.isInteger(received) && received > 0 ? received : 1) - 1;
  return { message, attempt };
}

/** A delivery's message id, when it has one: the key two copies share. */
export function messageIdOf(delivery: Delivery): string | undefined {
  const id = (typeof delivery.message === 'object' && delivery.message !== null ? (delivery.message as { id?: unknown }).id : undefined);
  return typeof id === 'string' ? id : undefined;
}
