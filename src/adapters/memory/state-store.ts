/**
 * State store in memory, for tests and for trying a flow out: nothing outlives the process.
 *
 * Every method does its work without awaiting in between, so each is one atomic step, as the port
 * asks. Bodies and member values are copied through JSON on the way in and out, as a database
 * would keep them, so a caller that changes an object it got back changes nothing stored.
 */
import type { Batch, Member, MessageQuery, NewMessage, StateStore, StoredMessage } from '../../ports/state-store.js';
import { StoreRefusedError } from '../../core/errors.js';

interface Row {
  /** Arrival order. */
  seq: number;
  message: StoredMessage;
}

interface MemberRow {
  member: Member;
  seq: number;
  batch?: number;
  /** The newest message seq when it joined: what was recorded after it may be looked up (prune). */
  joinedAfter: number;
}

interface Group {
  members: Map<string, MemberRow>;
  batches: Map<number, { closedBy: string }>;
}

export interface MemoryStateStore extends StateStore {
  /** Every message recorded, in the order it arrived. */
  all(): StoredMessage[];
}

/** Refuses, as the SQL stores' CHECK constraints do, a status none of the three: before anything is kept. */
const refuseUnknownStatus = (messages: NewMessage[]) => {
  const odd = messages.find((m) => m.status !== undefined && !['pending', 'done', 'dead'].includes(m.status));
  if (odd) throw new StoreRefusedError(`the memory state store refused message ${odd.id}: status ${JSON.stringify(odd.status)} is none of pending, done, dead`);
};

const copy = <T>(value: T): T => (value === undefined ? value : JSON.parse(JSON.stringify(value)));

export function memoryStateStore(): MemoryStateStore {
  const rows = new Map<string, Row>();
  const children = new Map<string, Set<string>>();
  const groups = new Map<string, Group>();
  let lastSeq = 0;
  let memberSeq = 0;

  const out = (row: Row): StoredMessage => ({ ...row.message, body: copy(row.message.body) });

  const insert = (m: NewMessage, now: number): boolean => {
    if (rows.has(m.id)) return false;
    const message: StoredMessage = {
      id: m.id,
      type: m.type,
      body: copy(m.body),
      key: m.key,
      validTime: m.validTime,
      causedBy: m.causedBy,
      status: m.status ?? 'pending',
      attempts: 0,
      failures: 0,
      reason: m.reason,
      createdAt: now,
      updatedAt: now,
    };
    rows.set(m.id, { seq: ++lastSeq, message });
    if (m.causedBy !== undefined) children.set(m.causedBy, (children.get(m.causedBy) ?? new Set()).add(m.id));
    return true;
  };

  const groupOf = (name: string): Group => {
    let group = groups.get(name);
    if (!group) groups.set(name, (group = { members: new Map(), batches: new Map() }));
    return group;
  };

  const loadBatch = (name: string, group: Group, index: number): Batch | undefined => {
    const batch = group.batches.get(index);
    if (!batch) return undefined;
    const members = [...group.members.values()]
      .filter((row) => row.batch === index)
      .sort((a, b) => a.member.order - b.member.order || a.seq - b.seq)
      .map((row) => copy(row.member));
    return { group: name, index, members, closedBy: batch.closedBy };
  };

  /** Every message below these ids, these included, that the store holds. */
  const tree = (rootIds: string[]): string[] => {
    const seen = new Set<string>();
    const stack = rootIds.filter((id) => rows.has(id));
    while (stack.length > 0) {
      const id = stack.pop()!;
      if (seen.has(id)) continue;
      seen.add(id);
      for (const child of children.get(id) ?? []) stack.push(child);
    }
    return [...seen];
  };

  /** Rule 3 of prune (see prune-rule.ts): the first position of a batch still forming. */
  const prunePin = (): number => {
    let pin = Number.MAX_SAFE_INTEGER;
    for (const group of groups.values()) {
      for (const row of group.members.values()) if (row.batch === undefined) pin = Math.min(pin, row.joinedAfter);
    }
    return pin;
  };

  return {
    all: () => [...rows.values()].sort((a, b) => a.seq - b.seq).map(out),
    async save(messages, now) {
      refuseUnknownStatus(messages);
      return messages.filter((m) => insert(m, now)).map((m) => m.id);
    },
    async get(id) {
      const row = rows.get(id);
      return row && out(row);
    },
    async settle(id, settlement, caused, now) {
      const row = rows.get(id);
      if (!row) throw new Error(`cannot settle message ${id}: it was never recorded`);
      if (row.message.status !== 'pending') return false;
      refuseUnknownStatus([{ ...row.message, status: settlement.status }, ...caused]);
      const reason = settlement.status === 'dead' ? settlement.reason : undefined;
      row.message = { ...row.message, status: settlement.status, attempts: settlement.attempts, reason, updatedAt: now };
      for (const m of caused) insert(m, now);
      return true;
    },
    async recordAttempt(id, change = 1) {
      const row = rows.get(id);
      if (!row || row.message.status !== 'pending') return undefined;
      row.message = { ...row.message, attempts: Math.max(0, row.message.attempts + change) };
      return row.message.attempts;
    },
    async recordFailure(id, reason) {
      const row = rows.get(id);
      if (!row || row.message.status !== 'pending') return false;
      row.message = { ...row.message, failures: (row.message.failures ?? 0) + 1, reason };
      return true;
    },
    async find(query: MessageQuery) {
      const { from, to } = query.validTime ?? {};
      const found = [...rows.values()].filter(({ message: m }) =>
        (query.type === undefined || m.type === query.type) &&
        (query.key === undefined || m.key === query.key) &&
        (query.status === undefined || m.status === query.status) &&
        (query.causedBy === undefined || m.causedBy === query.causedBy) &&
        (from === undefined || (m.validTime !== undefined && m.validTime >= from)) &&
        (to === undefined || (m.validTime !== undefined && m.validTime <= to)),
      );
      // As the SQL stores order: by valid time, those without one last, then by arrival.
      const time = (row: Row) => row.message.validTime ?? Number.POSITIVE_INFINITY;
      found.sort((a, b) => time(a) - time(b) || a.seq - b.seq);
      return found.slice(0, query.limit ?? 1000).map(out);
    },
    async unsettled(rootIds) {
      return tree(rootIds).filter((id) => rows.get(id)!.message.status === 'pending').length;
    },
    async revive(ids, now) {
      const dead = ids === 'all' ? [...rows.values()].sort((a, b) => a.seq - b.seq) : ids.flatMap((id) => rows.get(id) ?? []);
      const revived = dead.filter((row) => row.message.status === 'dead');
      for (const row of revived) row.message = { ...row.message, status: 'pending', attempts: 0, failures: 0, reason: undefined, updatedAt: now };
      return revived.map(out);
    },
    async collect(name, member, size) {
      if (!Number.isInteger(size) || size < 1) throw new Error(`size must be a positive integer, got ${size}`);
      const group = groupOf(name);
      const existing = group.members.get(member.id);
      if (existing) {
        if (existing.batch === undefined) return undefined;
        const batch = loadBatch(name, group, existing.batch);
        return batch?.closedBy === member.id ? batch : undefined;
      }
      group.members.set(member.id, { member: { ...member, value: copy(member.value ?? null) }, seq: ++memberSeq, joinedAfter: lastSeq });
      const open = [...group.members.values()].filter((row) => row.batch === undefined).sort((a, b) => a.seq - b.seq);
      if (open.length < size) return undefined;
      const index = group.batches.size + 1;
      for (const row of open.slice(0, size)) row.batch = index;
      group.batches.set(index, { closedBy: member.id });
      return loadBatch(name, group, index);
    },
    async batchOf(name, memberId) {
      const group = groups.get(name);
      const row = group?.members.get(memberId);
      return row?.batch === undefined ? undefined : loadBatch(name, group!, row.batch);
    },
    async prune(before) {
      if (!Number.isFinite(before)) throw new Error(`prune: before must be epoch milliseconds, got ${before}`);
      // The same rule as the SQL stores': see prune-rule.ts.
      const kept = new Set<string>();
      const heldKeys = new Set<string>();
      for (const { message } of rows.values()) {
        if (message.status === 'done') continue;
        if (message.status === 'pending' && message.key !== undefined) heldKeys.add(message.key);
        for (let cause = message.causedBy; cause !== undefined && !kept.has(cause); cause = rows.get(cause)?.message.causedBy) kept.add(cause);
      }
      const pin = prunePin();
      let removed = 0;
      for (const [id, { seq, message }] of rows) {
        if (message.status !== 'done' || message.updatedAt >= before || seq > pin || kept.has(id)) continue;
        if (message.key !== undefined && heldKeys.has(message.key)) continue;
        rows.delete(id);
        if (message.causedBy !== undefined) children.get(message.causedBy)?.delete(id);
        removed++;
      }
      return removed;
    },
    async close() {},
  };
}
