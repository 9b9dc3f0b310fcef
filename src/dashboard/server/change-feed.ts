/**
 * Tells open pages what changed, a few times a second at most, and the flow picture (whose counts
 * cost a scan of the store) once a second at most. Fed by the runtime's events when this process
 * runs consumers, otherwise by polling the store (only while a page listens).
 *
 * Topics: `flow`, `messages`, `dead`, and `view:<id>` for each view the flow contributes, which
 * changes when a message of a type it names (`changesOn`) arrives, is retried or dies, or, when it
 * names none, whenever a message settles.
 */
import type { FlowEvent } from '../../core/events.js';
import type { FlowView } from '../../core/flow-view.js';

export type Topic = string;
export const coreTopics: readonly Topic[] = ['flow', 'messages', 'dead'];
export const viewTopic = (id: string): Topic => `view:${id}`;

/** What the feed needs of a view. */
export type WatchedView = Pick<FlowView, 'id' | 'changesOn'>;

export interface Change {
  topics: Topic[];
  at: number;
}

export interface ChangeFeed {
  /** Every topic it knows, the views' too. */
  readonly topics: readonly Topic[];
  subscribe(listener: (change: Change) => void): () => void;
  /** Something changed here (a re-drive), whatever the events say. */
  notify(topics: readonly Topic[]): void;
  /** How many changes of this topic were sent: answers computed since the last one are current. */
  version(topic: Topic): number;
  close(): void;
}

/** The message types an event is about: the message handled, and those its handler sent. */
function typesOf(event: FlowEvent): string[] {
  switch (event.kind) {
    case 'received':
    case 'retry':
      return [event.message.type];
    case 'done':
      return [event.message.type, ...event.sent.map((sent) => sent.type)];
    case 'dead':
      return [event.type];
    default:
      return [];
  }
}

export function topicsOf(event: FlowEvent, views: readonly WatchedView[] = []): Topic[] {
  const types = typesOf(event);
  if (types.length === 0) return [];
  const topics: Topic[] = event.kind === 'dead' ? ['flow', 'messages', 'dead'] : ['flow', 'messages'];
  for (const view of views) {
    const changed = view.changesOn ? types.some((type) => view.changesOn!.includes(type)) : event.kind === 'done' || event.kind === 'dead';
    if (changed) topics.push(viewTopic(view.id));
  }
  return topics;
}

export function createChangeFeed(options: {
  onEvent?: (listener: (event: FlowEvent) => void) => () => void;
  /** The flow's own views, each a topic of its own. */
  views?: readonly WatchedView[];
  /** Changes when the store does; polled when there are no events. */
  signature: () => Promise<string>;
  pollMs?: number;
  /** @defaultValue 250 */
  throttleMs?: number;
  /** Slower topics. @defaultValue { flow: 1000 } */
  topicIntervalMs?: Partial<Record<Topic, number>>;
}): ChangeFeed {
  const views = options.views ?? [];
  const allTopics = [...coreTopics, ...views.map((view) => viewTopic(view.id))];
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

  const unsubscribeEvents = options.onEvent?.((event) => notify(topicsOf(event, views)));

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
    topics: allTopics,
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
