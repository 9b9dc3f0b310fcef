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
  const { trees, truncated } = await causedForest(state, [root], maxNodes);
  return { tree: trees[0]!, truncated };
}

/** Causes asked about in one query: a level of many trees costs a few queries, not one per message. */
const CAUSES_PER_QUERY = 500;
/** The most messages one query returns; a level's share past it is asked for cause by cause. */
const MOST_PER_QUERY = 100_000;

/**
 * The trees of what each of these messages caused, walked together a level at a time, so that
 * `maxNodes` (the roots not counted) caps them all; a message reached twice stands once.
 * `truncated` says that the cap left some out, not merely that it was reached.
 */
export async function causedForest(state: StateStore, roots: StoredMessage[], maxNodes = 500): Promise<{ trees: CausalNode[]; truncated: boolean }> {
  const trees = roots.map((message): CausalNode => ({ message, caused: [] }));
  const seen = new Set(roots.map((m) => m.id));
  let count = 0;
  let truncated = false;
  /** Gives `node` the messages it caused, as far as room is left (there is some). */
  const attach = (node: CausalNode, found: StoredMessage[]) => {
    const room = maxNodes - count;
    const caused = found.filter((m) => !seen.has(m.id));
    if (caused.length > room) truncated = true;
    const kept = caused.slice(0, room).sort((a, b) => a.createdAt - b.createdAt || a.id.localeCompare(b.id));
    for (const message of kept) seen.add(message.id);
    count += kept.length;
    node.caused = kept.map((message) => ({ message, caused: [] }));
  };
  /** Whether any of these caused a message the trees do not hold yet: what a cap, once reached, leaves out. */
  const causedMore = async (nodes: CausalNode[]): Promise<boolean> => {
    for (let at = 0; at < nodes.length; at += CAUSES_PER_QUERY) {
      // A message they caused is one already held only when it is one of the roots.
      const found = await state.find({ causedBy: nodes.slice(at, at + CAUSES_PER_QUERY).map((n) => n.message.id), limit: roots.length + 1 });
      if (found.some((m) => !seen.has(m.id))) return true;
    }
    return false;
  };
  const oneByOne = async (nodes: CausalNode[]) => {
    for (const [index, node] of nodes.entries()) {
      const room = maxNodes - count;
      if (room <= 0) {
        truncated ||= await causedMore(nodes.slice(index));
        return;
      }
      const found = await state.find({ causedBy: node.message.id, limit: Math.min(room + 1, MOST_PER_QUERY) });
      attach(node, found);
      // A full answer below the room: the rest of what it caused was not asked for.
      if (found.length >= MOST_PER_QUERY && room >= MOST_PER_QUERY) truncated = true;
    }
  };
  let frontier = trees;
  while (frontier.length > 0 && !truncated) {
    for (let at = 0; at < frontier.length && !truncated; at += CAUSES_PER_QUERY) {
      const room = maxNodes - count;
      if (room <= 0) {
        truncated = await causedMore(frontier.slice(at));
        break;
      }
      const nodes = frontier.slice(at, at + CAUSES_PER_QUERY);
      if (nodes.length > 1) {
        const found = await state.find({ causedBy: nodes.map((n) => n.message.id), limit: Math.min(room + 1, MOST_PER_QUERY) });
        if (found.length <= room && found.length < MOST_PER_QUERY) {
          const byCause = new Map<string, StoredMessage[]>();
          for (const m of found) {
            const siblings = byCause.get(m.causedBy!);
            if (siblings) siblings.push(m);
            else byCause.set(m.causedBy!, [m]);
          }
          for (const node of nodes) attach(node, byCause.get(node.message.id) ?? []);
          continue;
        }
      }
      // One node, or past the room, or a full answer that may have left some out: which are kept
      // must not depend on how the level was split, so these nodes are asked about one by one.
      await oneByOne(nodes);
    }
    frontier = frontier.flatMap((node) => node.caused);
  }
  return { trees, truncated };
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
