/**
 * A message's causal chain: what caused it (its `causedBy`, up to the message that came from
 * outside) and what it caused (every message its handling sent, directly or not), capped.
 */
import type { StateStore, StoredMessage } from '../../ports/state-store.js';

export interface Descendant {
  message: StoredMessage;
  /** 1 for what the message itself sent. */
  depth: number;
  parentId: string;
}

export interface CausalChain {
  /** The first cause first, the direct cause last. */
  ancestors: StoredMessage[];
  /** Depth first, each message before what it caused, siblings by arrival. */
  descendants: Descendant[];
  /** True when the cap left some out. */
  truncated: boolean;
}

export async function causalChain(state: StateStore, message: StoredMessage, options: { maxNodes?: number; maxDepth?: number } = {}): Promise<CausalChain> {
  const maxNodes = options.maxNodes ?? 500;
  const maxDepth = options.maxDepth ?? 100;
  let truncated = false;

  const ancestors: StoredMessage[] = [];
  const seen = new Set([message.id]);
  for (let cause = message.causedBy; cause !== undefined && !seen.has(cause); ) {
    if (ancestors.length >= maxDepth) {
      truncated = true;
      break;
    }
    seen.add(cause);
    const found = await state.get(cause);
    if (!found) break;
    ancestors.unshift(found);
    cause = found.causedBy;
  }

  // Breadth first, so a cap keeps the nearest messages; then laid out depth first for reading.
  const children = new Map<string, StoredMessage[]>();
  let count = 0;
  let frontier = [message.id];
  for (let depth = 1; frontier.length > 0 && !truncated; depth++) {
    const next: string[] = [];
    for (const id of frontier) {
      const room = maxNodes - count;
      if (room <= 0 || depth > maxDepth) {
        truncated = true;
        break;
      }
      const caused = (await state.find({ causedBy: id, limit: room + 1 })).filter((m) => !seen.has(m.id));
      if (caused.length > room) truncated = true;
      const kept = caused.slice(0, room).sort((a, b) => a.createdAt - b.createdAt || a.id.localeCompare(b.id));
      for (const m of kept) seen.add(m.id);
      count += kept.length;
      children.set(id, kept);
      next.push(...kept.map((m) => m.id));
    }
    frontier = next;
  }

  const descendants: Descendant[] = [];
  const visit = (id: string, depth: number) => {
    for (const child of children.get(id) ?? []) {
      descendants.push({ message: child, depth, parentId: id });
      visit(child.id, depth + 1);
    }
  };
  visit(message.id, 1);
  return { ancestors, descendants, truncated };
}
