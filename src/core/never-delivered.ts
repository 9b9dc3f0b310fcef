/**
 * What the handling of a message caused and was never delivered: still pending, with no attempt
 * counted. A process that died between settling the cause and sending leaves exactly these; one
 * whose attempts were counted was delivered, so it is in the transport's hands already.
 *
 * Caused ids derive from the cause's (`derivedId(cause, 0)`, `1`, … in the order sent), which finds
 * those that name another message as their cause (a GIF's mail names the GIF); asking the store by
 * cause finds the rest, should retention have removed a sibling done long ago and so cut the walk
 * short.
 */
import type { StateStore, StoredMessage } from '../ports/state-store.js';
import { derivedId } from './ids.js';

export async function neverDelivered(state: StateStore, causeId: string): Promise<StoredMessage[]> {
  const found = new Map<string, StoredMessage>();
  for (let index = 0; ; index++) {
    const caused = await state.get(derivedId(causeId, index));
    if (!caused) break;
    found.set(caused.id, caused);
  }
  for (const caused of await state.find({ causedBy: causeId, status: 'pending' })) found.set(caused.id, caused);
  return [...found.values()].filter((caused) => caused.status === 'pending' && caused.attempts === 0);
}
