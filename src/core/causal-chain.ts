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

/** The tree of what a message caused, directly or not, breadth first, at most `limit` nodes. */
export async function causedTree(state: StateStore, root: StoredMessage, limit = 500): Promise<{ tree: CausalNode; truncated: boolean }> {
  const tree: CausalNode = { message: root, caused: [] };
  const queue = [tree];
  let count = 1;
  let truncated = false;
  while (queue.length > 0) {
    const node = queue.shift()!;
    for (const child of await state.find({ causedBy: node.message.id })) {
      if (count >= limit) {
        truncated = true;
        break;
      }
      const childNode = { message: child, caused: [] };
      node.caused.push(childNode);
      queue.push(childNode);
      count++;
    }
  }
  return { tree, truncated };
}

/** The whole story of a message: from its root cause down to everything that root set off. */
export async function causalTree(state: StateStore, id: string, limit = 500): Promise<{ tree: CausalNode; truncated: boolean } | undefined> {
  const chain = await ancestors(state, id);
  const root = chain[0];
  return root && causedTree(state, root, limit);
}
