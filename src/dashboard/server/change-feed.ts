/**
 * Tells open pages what changed, a few times a second at most, and the flow picture (whose counts
 * cost a scan of the store) once a second at most. Fed by the runtime's events when this process
 * runs consumers, otherwise by polling the store (only while a page listens).
 */
import type { FlowEvent } from '../../core/events.js';

export type Topic = 'flow' | 'messages' | 'dead' | 'gallery';
export const allTopics: readonly Topic[] = ['flow', 'messages', 'dead', 'gallery'];

export interface Change {
  topics: Topic[];
  at: number;
}

export interface ChangeFeed {
  subscribe(listener: (change: Change) => void): () => void;
  /** Something changed here (a re-drive), whatever the events say. */
  notify(topics: readonly Topic[]): void;
  /** How many changes of this topic were sent: answers computed since the last one are current. */
  version(topic: Topic): number;
  close(): void;
}

export function topicsOf(event: FlowEvent): Topic[] {
  switch (event.kind) {
    case 'received':
    case 'retry':
      return ['flow', 'messages'];
    case 'done':
      return ['flow', 'messages', 'gallery'];
    case 'dead':
      return ['flow', 'messages', 'dead'];
    default:
      return [];
  }
}

export function createChangeFeed(options: {
  onEvent?: (listener: (event: FlowEvent) => void) => () => void;
  /** Changes when the store does; polled when there are no events. */
  signature: () => Promise<string>;
  pollMs?: number;
  /** @defaultValue 250 */
  throttleMs?: number;
  /** Slower topics. @defaultValue { flow: 1000 } */
  topicIntervalMs?: Partial<Record<Topic, number>>;
}): ChangeFeed {
  const pollMs = options.pollMs ?? 1000;
  const throttleMs = options.throttleMs ?? 250;
  const intervals: Partial<Record<Topic, number>> = options.topicIntervalMs ?? { flow: 1000 };
  const listeners = new Set<(change: Change) => void>();
  const pending = new Set<Topic>();
  const lastSent = new Map<Topic, number>();
  const versions = new Map<Topic, number>();
  let timer: NodeJS.Timeout | undefined;
  let poller: NodeJS.Timeout | undefined;
  let closed = false;

  const dueAt = (topic: Topic) => (lastSent.get(topic) ?? 0) + (intervals[topic] ?? throttleMs);

  const schedule = () => {
    if (timer || pending.size === 0 || closed) return;
    const wait = Math.max(0, Math.min(...[...pending].map(dueAt)) - Date.now());
    timer = setTimeout(flush, wait);
    timer.unref();
  };

  function flush() {
    timer = undefined;
    const now = Date.now();
    const topics = [...pending].filter((topic) => dueAt(topic) <= now);
    if (topics.length > 0) {
      for (const topic of topics) {
        pending.delete(topic);
        lastSent.set(topic, now);
        versions.set(topic, (versions.get(topic) ?? 0) + 1);
      }
      const change: Change = { topics, at: now };
      for (const listener of listeners) listener(change);
    }
    schedule();
  }

  const notify = (topics: readonly Topic[]) => {
    if (closed || topics.length === 0) return;
    if (listeners.size === 0) {
      // Nobody listens: answers computed from now on are stale all the same.
      for (const topic of topics) versions.set(topic, (versions.get(topic) ?? 0) + 1);
      return;
    }
    for (const topic of topics) pending.add(topic);
    schedule();
  };

  const unsubscribeEvents = options.onEvent?.((event) => notify(topicsOf(event)));

  let last: string | undefined;
  const poll = async () => {
    const started = Date.now();
    try {
      const now = await options.signature();
      if (last !== undefined && now !== last) notify(allTopics);
      last = now;
    } catch {
      // the store is briefly unreachable: ask again next time
    }
    if (!closed && listeners.size > 0) {
      // A slow store is asked less often, so polling never takes more than a tenth of the time.
      poller = setTimeout(poll, Math.max(pollMs, 10 * (Date.now() - started)));
      poller.unref();
    } else {
      poller = undefined;
      last = undefined;
    }
  };

  return {
    subscribe(listener) {
      listeners.add(listener);
      if (!unsubscribeEvents && !poller && !closed) {
        poller = setTimeout(poll, 0);
        poller.unref();
      }
      return () => {
        listeners.delete(listener);
      };
    },
    notify,
    version: (topic) => versions.get(topic) ?? 0,
    close() {
      closed = true;
      unsubscribeEvents?.();
      clearTimeout(timer);
      clearTimeout(poller);
      listeners.clear();
    },
  };
}
