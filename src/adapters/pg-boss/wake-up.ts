/**
 * A polling loop's sleep that can be cut short: `sleep(ms)` waits the interval unless `wake()` was
 * called since the last `rest()` (work arrived) or `wake()` comes while it waits.
 */
export function wakeUp(isStopped: () => boolean) {
  let woken = false;
  let cutShort: (() => void) | undefined;
  return {
    wake() {
      woken = true;
      cutShort?.();
    },
    /** Starts a new round: only a wake from now on cuts the next sleep short. */
    rest() {
      woken = false;
    },
    sleep(ms: number): Promise<void> {
      return new Promise((resolve) => {
        if (woken || isStopped()) return resolve();
        const done = () => {
          clearTimeout(timer);
          cutShort = undefined;
          resolve();
        };
        const timer = setTimeout(done, ms);
        cutShort = done;
      });
    },
  };
}
