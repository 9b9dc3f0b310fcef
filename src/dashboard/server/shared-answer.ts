/**
 * One computation of an expensive answer (counts over the whole store) shared by every page that
 * asks after the same change: reused while no change of its topic was sent since, and for
 * `maxAgeMs` at most (changes made by other processes send no events).
 */
import type { ChangeFeed, Topic } from './change-feed.js';

export function sharedAnswer<T>(feed: ChangeFeed, topic: Topic, compute: () => Promise<T>, maxAgeMs = 1000): () => Promise<T> {
  let entry: { value: Promise<T>; version: number; at: number } | undefined;
  return () => {
    const version = feed.version(topic);
    if (entry && entry.version === version && Date.now() - entry.at < maxAgeMs) return entry.value;
    const value = compute();
    const mine = { value, version, at: Date.now() };
    entry = mine;
    value.catch(() => {
      if (entry === mine) entry = undefined;
    });
    return value;
  };
}
