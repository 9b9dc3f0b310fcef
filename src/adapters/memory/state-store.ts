/**
 * State store in memory, for tests and for trying a flow out: nothing outlives the process.
 *
 * Every method does its work without awaiting in between, so each is one atomic step, as the port
 * asks. Bodies and member values are copied through JSON on the way in and out, as a database
 * would keep them, so a caller that changes an object it got back changes nothing stored.
 */
import { causesOf, type Batch, type Member, type MessageQuery, type NewMessage, type StateStore, type StoredMessage } from '../../ports/state-store.js';
import { checkKnownSet, checkWindowSize, completeSet, keptExpected, toBatch, windowStep } from '../fan-in/decisions.js';
import { StoreRefusedError } from '../../core/errors.js';

interface Row {
  /** Arrival order. */
  seq: number;
  /** The root of its causal tree (see the port's `unsettled`). */
  root: string;
  message: StoredMessage;
}

/** The records the port describes for a key-value store, one map each. */
interface OpenWindowRecord {
  closed: number;
  members: Member[];
  /** The newest message seq when its first member joined: what came after may be looked up (prune). */
  openedAfter?: number;
}

interface KnownSetRecord {
  expected: string[];
  parts: Record<string, unknown>;
  completedBy?: string;
  openedAfter?: number;
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
  const windows = new Map<string, OpenWindowRecord>();
  /** By group, then index. */
  const batches = new Map<string, Map<number, Batch>>();
  /** By group, then member id: the index of the window it joined. */
  const links = new Map<string, Map<string, number>>();
  const sets = new Map<string, KnownSetRecord>();
  let lastSeq = 0;

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
    const root = m.causedBy === undefined ? m.id : (rows.get(m.causedBy)?.root ?? m.causedBy);
    rows.set(m.id, { seq: ++lastSeq, root, message });
    return true;
  };

  const batchOf = (group: string, index: number | undefined): Batch | undefined => {
    const batch = index === undefined ? undefined : batches.get(group)?.get(index);
    return batch && copy(batch);
  };

  /** Rule 3 of prune (see prune-rule.ts): the first position of a window or known set still open. */
  const prunePin = (): number => {
    let pin = Number.MAX_SAFE_INTEGER;
    for (const record of [...windows.values(), ...sets.values()]) if (record.openedAfter !== undefined) pin = Math.min(pin, record.openedAfter);
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
    async beginAttempt(message, now) {
      refuseUnknownStatus([message]);
      insert({ ...message, queue: undefined }, now);
      const row = rows.get(message.id)!;
      if (row.message.status === 'pending') row.message = { ...row.message, attempts: row.message.attempts + 1 };
      return out(row);
    },
    async recordFailure(id, reason) {
      const row = rows.get(id);
      if (!row || row.message.status !== 'pending') return false;
      row.message = { ...row.message, failures: (row.message.failures ?? 0) + 1, reason };
      return true;
    },
    async find(query: MessageQuery) {
      const { from, to } = query.validTime ?? {};
      const causes = causesOf(query);
      const found = [...rows.values()].filter(({ message: m }) =>
        (query.type === undefined || m.type === query.type) &&
        (query.key === undefined || m.key === query.key) &&
        (query.status === undefined || m.status === query.status) &&
        (causes === undefined || (m.causedBy !== undefined && causes.has(m.causedBy))) &&
        (from === undefined || (m.validTime !== undefined && m.validTime >= from)) &&
        (to === undefined || (m.validTime !== undefined && m.validTime <= to)),
      );
      // As the SQL stores order: by valid time, those without one last, then by arrival.
      const time = (row: Row) => row.message.validTime ?? Number.POSITIVE_INFINITY;
      found.sort((a, b) => time(a) - time(b) || a.seq - b.seq);
      return found.slice(0, query.limit ?? 1000).map(out);
    },
    async unsettled(rootIds) {
      const roots = new Set(rootIds.flatMap((id) => rows.get(id)?.root ?? []));
      let pending = 0;
      for (const row of rows.values()) if (row.message.status === 'pending' && roots.has(row.root)) pending++;
      return pending;
    },
    async revive(ids, now) {
      const dead = ids === 'all' ? [...rows.values()].sort((a, b) => a.seq - b.seq) : ids.flatMap((id) => rows.get(id) ?? []);
      const revived = dead.filter((row) => row.message.status === 'dead');
      for (const row of revived) row.message = { ...row.message, status: 'pending', attempts: 0, failures: 0, reason: undefined, updatedAt: now };
      return revived.map(out);
    },
    async addToWindow(group, member, size) {
      checkWindowSize(size);
      const linked = links.get(group) ?? new Map<string, number>();
      const joined = linked.get(member.id);
      if (joined !== undefined) {
        const batch = batchOf(group, joined);
        return batch?.closedBy === member.id ? batch : undefined;
      }
      const open = windows.get(group) ?? { closed: 0, members: [] };
      const index = open.closed + 1;
      const step = windowStep(open.members, copy(member), size);
      links.set(group, linked.set(member.id, index));
      if (!step.closes) {
        windows.set(group, { ...open, members: step.members, openedAfter: open.openedAfter ?? lastSeq });
        return undefined;
      }
      windows.set(group, { closed: index, members: [] });
      const batch = toBatch(group, index, step.batch, member.id);
      batches.set(group, (batches.get(group) ?? new Map()).set(index, batch));
      return copy(batch);
    },
    async windowOf(group, memberId) {
      return batchOf(group, links.get(group)?.get(memberId));
    },
    async openWindow(group) {
      const open = windows.get(group) ?? { closed: 0, members: [] };
      return { group, index: open.closed + 1, members: copy(open.members) };
    },
    async addPart(name, expected, part) {
      checkKnownSet(name, expected, part);
      const record = sets.get(name);
      const kept = keptExpected(name, record?.expected, expected, Object.keys(record?.parts ?? {}));
      if (record && Object.hasOwn(record.parts, part.name)) {
        return record.completedBy === part.name ? copy(completeSet(name, kept, record.parts, part.name)) : undefined;
      }
      const parts = { ...record?.parts, [part.name]: copy(part.value ?? null) };
      const complete = completeSet(name, kept, parts, part.name);
      sets.set(name, { expected: [...kept], parts, completedBy: complete ? part.name : undefined, openedAfter: complete ? undefined : (record?.openedAfter ?? lastSeq) });
      return copy(complete);
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
        removed++;
      }
      return removed;
    },
    async close() {},
  };
}
