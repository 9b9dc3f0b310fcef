/**
 * Runs work for one key after the work already running or waiting for that key, and work for
 * different keys side by side: the processor's promise that two copies of one message id never
 * run at once in its process, whatever the transport hands out. It holds nothing across
 * processes; there, the state store's conditional settle keeps one outcome per message.
 */
export interface OneAtATime {
  /** Runs `work` once every earlier call with the same key has finished; without a key, at once. */
  run<T>(key: string | undefined, work: () => Promise<T>): Promise<T>;
  /** Keys with work running or waiting. */
  busy(): number;
}

export function oneAtATime(): OneAtATime {
  const tails = new Map<string, Promise<unknown>>();
  return {
    run(key, work) {
      if (key === undefined) return work();
      const previous = tails.get(key) ?? Promise.resolve();
      const result = previous.then(work, work);
      const tail = result.then(
        () => undefined,
        () => undefined,
      );
      tails.set(key, tail);
      // The last one out forgets the key, so the map holds only keys with work.
      void tail.then(() => {
        if (tails.get(key) === tail) tails.delete(key);
      });
      return result;
    },
    busy: () => tails.size,
  };
}
