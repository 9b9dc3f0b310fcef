import type { StateStore } from '../../src/ports/state-store.js';

/** Wraps a case so that it runs on a store freshly opened for it, closed whatever the case did. */
export function usingStore(open: () => Promise<StateStore>) {
  return (run: (store: StateStore) => Promise<void>) => async () => {
    const store = await open();
    try {
      await run(store);
    } finally {
      await store.close();
    }
  };
}
