/**
 * A message's causal chain for its page: what caused it (up to the message that came from
 * outside) and what it caused (every message its handling sent, directly or not), capped.
 */
import { ancestors, causedTree, flatten } from '../../core/causal-chain.js';
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
  const maxDepth = options.maxDepth ?? 100;
  const chain = await ancestors(state, message.id, maxDepth + 2);
  const { tree, truncated } = await causedTree(state, message, options.maxNodes ?? 500);
  const all = flatten(tree);
  const descendants = all.filter((d) => d.depth <= maxDepth) as Descendant[];
  return {
    ancestors: chain.slice(Math.max(0, chain.length - 1 - maxDepth), -1),
    descendants,
    truncated: truncated || chain.length > maxDepth + 1 || descendants.length < all.length,
  };
}
