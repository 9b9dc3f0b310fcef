/**
 * The CPU PostgreSQL spends serving one run, on a machine shared with other work: the processes
 * of the run connect with their own `application_name` (node-postgres reads `PGAPPNAME`), and a
 * sampler looks up, every 200 ms, the server processes (backends) of those connections in
 * `pg_stat_activity` and reads their CPU from /proc. A backend that ends between two samples
 * loses its last 200 ms; one that cannot be read (not Linux, another user's) counts nothing.
 */
import pg from 'pg';
import { processCpuSeconds } from './cpu.js';

export interface BackendCpuSampler {
  /** Stops sampling; resolves with the CPU seconds the run's backends used since `start`. */
  stop(): Promise<number>;
}

/** Samples the backends whose `application_name` holds `tag` (unique to the run: its schema's name). */
export function sampleBackendCpu(connectionString: string, tag: string): BackendCpuSampler {
  const client = new pg.Client({ connectionString });
  client.on('error', () => {});
  /** Per backend: its CPU when first seen (0 for one that began during the run) and when last seen. */
  const seen = new Map<number, { first: number; last: number }>();
  let stopped = false;
  let firstRound = true;
  const sample = async () => {
    const { rows } = await client.query<{ pid: number }>("SELECT pid FROM pg_stat_activity WHERE strpos(application_name, $1) > 0", [tag]);
    for (const { pid } of rows) {
      const cpu = processCpuSeconds(pid);
      if (cpu === undefined) continue;
      const known = seen.get(pid);
      if (known) known.last = cpu;
      else seen.set(pid, { first: firstRound ? cpu : 0, last: cpu });
    }
    firstRound = false;
  };
  const running = (async () => {
    await client.connect();
    while (!stopped) {
      await sample().catch(() => {});
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    await sample().catch(() => {});
  })();
  return {
    async stop() {
      stopped = true;
      await running.catch(() => {});
      await client.end().catch(() => {});
      return [...seen.values()].reduce((sum, { first, last }) => sum + (last - first), 0);
    },
  };
}
