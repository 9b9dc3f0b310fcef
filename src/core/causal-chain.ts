/** Follows `causedBy` links through the message log: up to the root, and down as a tree. */
import type { StateStore, StoredMessage } from '../ports/state-store.js';

export interface CausalNode {
  message: StoredMessage;
  caused: CausalNode[];
}

/** The message and its causes, root first. Stops at a message that is missing or loops. */
export async function ancestors(state: StateStore, id: string, limit = 100): Promise<StoredMessage[]> {
  const chain: StoredMessage[] = [];
  const seen = new Set<string>();
  let next: string | undefined = id;
  while (next && !seen.has(next) && chain.length < limit) {
    seen.add(next);
    const message = await state.get(next);
    if (!message) break;
    chain.unshift(message);
    next = message.causedBy;
  }
  return chain;
}

/**
 * The tree of what a message caused, directly or not. Walked breadth first, so a cap of
 * `maxNodes` (the root not counted) keeps the nearest messages; siblings in arrival order.
 */
export async function causedTree(state: StateStore, root: StoredMessage, maxNodes = 500): Promise<{ tree: CausalNode; truncated: boolean }> {
  const tree: CausalNode = { message: root, caused: [] };
  const seen = new Set([root.id]);
  let frontier = [tree];
  let count = 0;
  let truncated = false;
  while (frontier.length > 0 && !truncated) {
    const next: CausalNode[] = [];
    for (const node of frontier) {
      const room = maxNodes - count;
      if (room <= 0) {
        truncated = true;
        break;
      }
      const caused = (await state.find({ causedBy: node.message.id, limit: Math.min(room + 1, 100_000) })).filter((m) => !seen.has(m.id));
      if (caused.length > room) truncated = true;
      const kept = caused.slice(0, room).sort((a, b) => a.createdAt - b.createdAt || a.id.localeCompare(b.id));
      for (const message of kept) seen.add(message.id);
      count += kept.length;
      node.caused = kept.map((message) => ({ message, caused: [] }));
      next.push(...node.caused);
    }
    frontier = next;
  }
  return { tree, truncated };
}

/** The whole story of a message: from its root cause down to everything that root set off. */
export async function causalTree(state: StateStore, id: string, maxNodes = 500): Promise<{ tree: CausalNode; truncated: boolean } | undefined> {
  const root = (await ancestors(state, id))[0];
  return root && causedTree(state, root, maxNodes);
}

/** A tree's messages depth first, each before what it caused, with its depth below the root. */
export function flatten(node: CausalNode, depth = 0): { message: StoredMessage; depth: number; parentId?: string }[] {
  return node.caused.flatMap((child) => [{ message: child.message, depth: depth + 1, parentId: node.message.id }, ...flatten(child, depth + 1)]);
}
