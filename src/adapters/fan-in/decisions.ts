/**
 * The fan-in decisions every state store makes, apart from how it keeps its records: given what a
 * store read (an open window, a known set), what the arrival changes. Each store reads, calls one
 * of these, and writes the result in one atomic step (see the port).
 */
import type { Batch, CompleteSet, Member, Part } from '../../ports/state-store.js';

export function checkWindowSize(size: number): void {
  if (!Number.isInteger(size) || size < 1) throw new Error(`addToWindow: size must be a positive integer, got ${size}`);
}

/** What a new member does to an open window: waits in it, or closes it with the members taken. */
export type WindowStep = { closes: false; members: Member[] } | { closes: true; batch: Member[] };

/** `waiting` in arrival order; a member that closes the window takes all of them. */
export function windowStep(waiting: Member[], member: Member, size: number): WindowStep {
  const members = [...waiting, { id: member.id, order: member.order, value: member.value ?? null }];
  if (members.length < size) return { closes: false, members };
  // Stable: equal orders keep their arrival order.
  return { closes: true, batch: members.sort((a, b) => a.order - b.order) };
}

export function toBatch(group: string, index: number, members: Member[], closedBy: string): Batch {
  return { group, index, members, closedBy };
}

/** Refuses a known set call that cannot mean what it says, naming what is wrong. */
export function checkKnownSet(set: string, expected: string[], part: Part): void {
  if (!Array.isArray(expected) || expected.length === 0) throw new Error(`addPart ${set}: expected must name at least one part`);
  const seen = new Set<string>();
  for (const name of expected) {
    if (typeof name !== 'string') throw new Error(`addPart ${set}: expected part names must be strings, got ${JSON.stringify(name)}`);
    if (seen.has(name)) throw new Error(`addPart ${set}: expected names part ${JSON.stringify(name)} twice`);
    seen.add(name);
  }
  if (!seen.has(part.name)) throw new Error(`addPart ${set}: part ${JSON.stringify(part.name)} is not one of the expected parts (${expected.map((n) => JSON.stringify(n)).join(', ')})`);
}

/**
 * The expected names a set keeps: those it has, or for a set carried over from before they were
 * recorded (`undefined`), those given now, which must cover the parts already there.
 */
export function keptExpected(set: string, kept: string[] | undefined, given: string[], arrived: string[]): string[] {
  if (kept === undefined) {
    const unknown = arrived.filter((name) => !given.includes(name));
    if (unknown.length > 0) throw new Error(`addPart ${set}: the set holds parts ${unknown.map((n) => JSON.stringify(n)).join(', ')} that expected does not name`);
    return given;
  }
  if (kept.length !== given.length || kept.some((name, i) => name !== given[i])) {
    throw new Error(`addPart ${set}: expected ${JSON.stringify(given)} differs from the parts the set awaits, ${JSON.stringify(kept)}`);
  }
  return kept;
}

/** The set once every expected part is in, else undefined. */
export function completeSet(set: string, expected: string[], parts: Record<string, unknown>, completedBy: string): CompleteSet | undefined {
  if (!expected.every((name) => Object.hasOwn(parts, name))) return undefined;
  return { set, parts: expected.map((name) => ({ name, value: parts[name] })), completedBy };
}
