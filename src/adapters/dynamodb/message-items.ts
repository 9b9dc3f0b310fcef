/**
 * How a message is kept as a DynamoDB item (see `./table.js` for the keys and indexes): the body
 * as JSON text (kept exactly as given, and measured before it is written), the index attributes
 * each status carries, and the sortable `order`.
 */
import type { MessageStatus, NewMessage, StoredMessage } from '../../ports/state-store.js';
import { refusal } from './dynamo-errors.js';
import { shardOf } from './counts.js';
import { TTL_ATTRIBUTE } from './table.js';

/** DynamoDB refuses items over 400 KB; a body this size leaves room for the rest of the item. */
export const MAX_BODY_BYTES = 350 * 1024;

export interface MessageItem {
  pk: string;
  sk: '-';
  id: string;
  type: string;
  body: string;
  key?: string;
  typeKey?: string;
  validTime?: number;
  causedBy?: string;
  status: MessageStatus;
  attempts: number;
  failures: number;
  reason?: string;
  createdAt: number;
  updatedAt: number;
  root: string;
  arrival: string;
  order: string;
  /** Unique to the settle call that settled it. */
  settledBy?: string;
  pendingRoot?: string;
  deadLetter?: 'dead';
  /** The browser's newest-first index: a shard of all messages, and the time recorded, then arrival. */
  recentShard: string;
  recorded: string;
  /** The browser's activity index, on settled messages only. */
  settledShard?: string;
  [TTL_ATTRIBUTE]?: number;
}

export const messageKey = (id: string) => ({ pk: `msg#${id}`, sk: '-' as const });

/** The partition of the type-and-key index: both parts whole, so no key can pose as another type's. */
export const typeKeyOf = (type: string, key: string) => JSON.stringify([type, key]);

/** Valid times sort as text: offset to be non-negative, zero-padded; none sorts after every one. */
export function validTimePrefix(validTime: number | undefined): string {
  if (validTime === undefined) return 'z';
  return `v${String(Math.round(validTime) + 9e15).padStart(17, '0')}`;
}

let lastMs = 0;
let counter = 0;
/** Wall-clock ms, then a counter within this process: later calls sort later here. */
export function nextArrival(): string {
  const ms = Date.now();
  if (ms > lastMs) {
    lastMs = ms;
    counter = 0;
  } else counter++;
  return `${String(lastMs).padStart(15, '0')}.${String(counter).padStart(9, '0')}.${Math.random().toString(36).slice(2, 8)}`;
}

/** The item for a new message, refused when its body would make the item too large. */
export function newMessageItem(m: NewMessage, root: string, now: number, ttlSeconds: number): MessageItem {
  const body = JSON.stringify(m.body);
  const bytes = Buffer.byteLength(body);
  if (bytes > MAX_BODY_BYTES) {
    throw refusal(`message ${m.id} (${m.type}) is ${bytes} bytes of JSON, over the ${MAX_BODY_BYTES} bytes a DynamoDB item can hold here (400 KB in all): keep large data in the blob store and send its location`);
  }
  const status = m.status ?? 'pending';
  const arrival = nextArrival();
  return {
    ...messageKey(m.id),
    id: m.id,
    type: m.type,
    body,
    key: m.key,
    typeKey: m.key === undefined ? undefined : typeKeyOf(m.type, m.key),
    validTime: m.validTime,
    causedBy: m.causedBy,
    status,
    attempts: 0,
    failures: 0,
    reason: m.reason,
    createdAt: now,
    updatedAt: now,
    root,
    arrival,
    order: `${validTimePrefix(m.validTime)}#${arrival}`,
    recentShard: `recent#${shardOf(m.id)}`,
    recorded: recordedKey(now, arrival),
    ...statusAttributes(m.id, status, root, now, ttlSeconds),
  };
}

/** The index and TTL attributes that go with a status: a message is in the sparse index of its status only. */
export function statusAttributes(id: string, status: MessageStatus, root: string, now: number, ttlSeconds: number): Pick<MessageItem, 'pendingRoot' | 'deadLetter' | 'settledShard' | typeof TTL_ATTRIBUTE> {
  if (status === 'pending') return { pendingRoot: root };
  const settledShard = `settled#${shardOf(id)}`;
  if (status === 'dead') return { deadLetter: 'dead', settledShard };
  return { [TTL_ATTRIBUTE]: Math.floor(now / 1000) + ttlSeconds, settledShard };
}

/** Sorts as text by the time recorded (epoch ms, caller's clock), then by arrival. */
export const recordedKey = (createdAt: number, arrival: string) => `${String(Math.max(0, Math.round(createdAt))).padStart(15, '0')}.${arrival}`;

export function toStored(item: MessageItem | Record<string, unknown>): StoredMessage {
  const m = item as MessageItem;
  return {
    id: m.id,
    type: m.type,
    body: JSON.parse(m.body) as StoredMessage['body'],
    key: m.key,
    validTime: m.validTime,
    causedBy: m.causedBy,
    status: m.status,
    attempts: m.attempts,
    failures: m.failures ?? 0,
    reason: m.reason,
    createdAt: m.createdAt,
    updatedAt: m.updatedAt,
  };
}

/**
 * The root of each message's tree, for messages about to be recorded: its cause's root when the
 * store holds the cause (`known`), a cause earlier in the same list walked up, else the cause
 * itself; a message with no cause is its own root.
 */
export function rootsOf(list: NewMessage[], known: Map<string, string>): string[] {
  const within = new Map<string, string>();
  return list.map((m) => {
    const root = m.causedBy === undefined ? m.id : (known.get(m.causedBy) ?? within.get(m.causedBy) ?? m.causedBy);
    if (!within.has(m.id)) within.set(m.id, root);
    return root;
  });
}
