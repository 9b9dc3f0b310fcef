/**
 * A job's lease: how long a process may hold a job without a sign of life before pg-boss hands it
 * to another. A running handler renews the lease of every job its process holds, every third of
 * the lease, so the lease can be short whatever a handler's timeout (as BullMQ's 30 s lock renewed
 * every 15 s, or an SQS visibility timeout the handler extends): a killed process's jobs come back
 * within about a lease, while a handler that runs for minutes keeps its job.
 *
 * pg-boss 10 expires a job when `started_on + expire_in < now()` (its `failJobsByTimeout` plan,
 * run by its maintenance; `expire_in` is the lease), so renewing moves `started_on` to now: the
 * lease then runs from the last sign of life. (Growing `expire_in` instead would carry the grown
 * value into the job's retry, which pg-boss copies whole, and a crash there would wait that long.)
 */
import type pg from 'pg';

export const leaseDefaults = {
  /** @defaultValue 30 */
  leaseSeconds: 30,
} as const;

export interface LeaseTimings {
  leaseSeconds: number;
  /** How often a process renews the leases of the jobs it holds. */
  renewEveryMs: number;
  /** How often pg-boss's maintenance looks for expired leases: a lost job waits at most this past its lease. */
  maintenanceIntervalSeconds: number;
}

export function leaseTimings(leaseSeconds: number = leaseDefaults.leaseSeconds): LeaseTimings {
  if (!(leaseSeconds >= 1)) throw new Error(`the lease must be at least 1 second, got ${leaseSeconds}`);
  const lease = Math.ceil(leaseSeconds); // pg-boss keeps whole seconds
  return { leaseSeconds: lease, renewEveryMs: (lease * 1000) / 3, maintenanceIntervalSeconds: Math.max(1, Math.min(60, Math.ceil(lease / 4))) };
}

/** Renews the leases of these active jobs of one queue; returns how many were still held. */
export async function renewLeases(db: Pick<pg.Pool, 'query'>, schema: string, queue: string, jobIds: string[]): Promise<number> {
  if (jobIds.length === 0) return 0;
  const { rowCount } = await db.query(`UPDATE "${schema}".job SET started_on = now() WHERE name = $1 AND id = ANY($2::uuid[]) AND state = 'active'`, [queue, jobIds]);
  return rowCount ?? 0;
}
