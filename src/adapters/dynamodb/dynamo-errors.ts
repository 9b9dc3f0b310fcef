/**
 * What DynamoDB's refusals mean for the store: a failed condition (someone else wrote first), a
 * lost race inside a transaction, or an item DynamoDB will never take (too large, invalid).
 */
import { NonRetriableError } from '../../core/errors.js';

export const isConditionFailed = (error: unknown) => (error as Error | undefined)?.name === 'ConditionalCheckFailedException';

/** The reason codes of a cancelled transaction, one per item in the order sent; undefined for other errors. */
export function cancellationCodes(error: unknown): (string | undefined)[] | undefined {
  const e = error as { name?: string; CancellationReasons?: { Code?: string }[]; message?: string };
  if (e?.name !== 'TransactionCanceledException') return undefined;
  if (e.CancellationReasons) return e.CancellationReasons.map((r) => (r.Code === 'None' ? undefined : r.Code));
  // Without the structured reasons, the message lists them: "… [ConditionalCheckFailed, None]".
  const listed = /\[([^\]]*)\]/.exec(e.message ?? '')?.[1];
  return listed?.split(',').map((code) => (code.trim() === 'None' ? undefined : code.trim()));
}

/** A transaction another writer beat: its conditions failed, or it collided with one in flight. */
export function lostRace(error: unknown): boolean {
  if ((error as Error | undefined)?.name === 'TransactionConflictException') return true;
  const codes = cancellationCodes(error);
  return codes !== undefined && codes.some((c) => c === 'ConditionalCheckFailed' || c === 'TransactionConflict');
}

/**
 * The error for an item the store refuses for good. A NonRetriableError: the message goes to the
 * dead letters at once. (Once the port has its own type for "refused for good", this is the one
 * place to use it.)
 */
export const refusal = (message: string, cause?: unknown): Error => new NonRetriableError(message, cause === undefined ? undefined : { cause });

/** DynamoDB refuses this item for good (too large, or invalid): no retry can help. */
export function refusedForGood(error: unknown, what: string): Error | undefined {
  const e = error as Error | undefined;
  if (e?.name !== 'ValidationException' && !cancellationCodes(error)?.includes('ValidationError')) return undefined;
  if (!/size|too large|invalid|empty/i.test(e?.message ?? '')) return undefined;
  return refusal(`DynamoDB refused ${what}: ${e?.message} (an item holds at most 400 KB)`, error);
}

/** A jittered wait that grows with the attempt, for writers that lost a race. */
export const raceBackoff = (attempt: number) => new Promise<void>((resolve) => setTimeout(resolve, Math.random() * Math.min(200, 5 * 2 ** Math.min(attempt, 6))));
