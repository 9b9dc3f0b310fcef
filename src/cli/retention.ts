/**
 * Retention for a long-running process (`DATAFLOW_RETENTION`, e.g. `30d`, read with the
 * settings): prunes the state store at start and then every tenth of the retention period (at
 * least a second apart, at most an hour). Every process may prune at once: each removal skips what another removed first.
 */
import type { StateStore } from '../ports/state-store.js';
import { runtimeEnv } from '../runtimes/env.js';

export interface Pruning {
  stop(): Promise<void>;
}

export function startPruning(state: StateStore, retentionMs: number, say: (text: string) => void, now = () => Date.now()): Pruning {
  if (!state.prune) throw new Error(`${runtimeEnv.retention} is set, but this state store cannot prune`);
  const prune = state.prune.bind(state);
  const everyMs = Math.min(3_600_000, Math.max(1000, Math.round(retentionMs / 10)));
  let running: Promise<void> | undefined;
  const round = () => {
    if (running) return; // a slow prune is not stacked on
    running = prune(now() - retentionMs)
      .then(
        (removed) => {
          if (removed > 0) say(`retention: removed ${removed} done message(s) settled more than ${retentionMs / 1000} s ago`);
        },
        (error: Error) => say(`retention: prune failed, trying again in ${Math.round(everyMs / 1000)} s: ${error.message}`),
      )
      .finally(() => (running = undefined));
  };
  round();
  const timer = setInterval(round, everyMs);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
