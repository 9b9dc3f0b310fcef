/**
 * How a delivery is stored as a pg-boss job, and read back.
 *
 * The job's data is the delivery `{ message, attempt }`. pg-boss's own retries (a handler that
 * threw, a job whose process died and whose expiration ran out) keep the data and count up the
 * job's `retryCount`, so a redelivered job arrives as `attempt + retryCount`: a crash or a throw
 * uses up one of the core's attempts like any other failure.
 */
import { randomBytes } from 'node:crypto';
import type { Delivery } from '../../ports/transport.js';
import type { FetchedJob } from './job-sql.js';

export interface DeliveryData {
  message: unknown;
  attempt: number;
}

/**
 * pg-boss's retries stand in only for crashes and runtime bugs: the core counts attempts and
 * decides backoff itself, so the limit is high and the delay short.
 */
export const crashRetryLimit = 1000;
export const crashRetryDelaySeconds = 1;

export function jobOptions(expireInSeconds: number) {
  return { expireInSeconds, retryLimit: crashRetryLimit, retryDelay: crashRetryDelaySeconds, retryBackoff: false };
}

export function jobData(delivery: Delivery): DeliveryData {
  return { message: delivery.message, attempt: delivery.attempt };
}

let lastMs = 0;
let counter = 0;

/** Random bytes drawn a few kilobytes at a time: one draw per id cost more than the rest of the id. */
let pool = Buffer.alloc(0);
let taken = 0;
function randomBlock(): Buffer {
  if (taken + 16 > pool.length) [pool, taken] = [randomBytes(4096), 0];
  const block = Buffer.from(pool.subarray(taken, taken + 16));
  taken += 16;
  return block;
}

/**
 * A UUIDv7 that sorts after every id this process made before. A retry's next attempt is sent
 * through pg-boss, whose own fetch orders by `created_on, id`, and every job of one insert has the
 * same `created_on` (the transaction's `now()`): with random ids a batch would come out in any
 * order. Ids that grow also keep the job table's key (`name, id`) filling its last page.
 */
export function orderedJobId(): string {
  const now = Date.now();
  if (now > lastMs) [lastMs, counter] = [now, 0];
  else if (++counter > 0xfff) [lastMs, counter] = [lastMs + 1, 0];
  const bytes = randomBlock();
  bytes.writeUIntBE(lastMs, 0, 6);
  bytes[6] = 0x70 | (counter >> 8);
  bytes[7] = counter & 0xff;
  bytes[8] = 0x80 | (bytes[8]! & 0x3f);
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export function deliveryOf(job: FetchedJob<DeliveryData>): Delivery {
  const attempt = Number.isInteger(job.data?.attempt) ? job.data.attempt : 1;
  return { message: job.data?.message, attempt: attempt + (job.retryCount ?? 0) };
}
