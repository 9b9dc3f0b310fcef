/**
 * State store on SQLite (better-sqlite3). Every method is one atomic step; each write takes the
 * write lock first (BEGIN IMMEDIATE), so fan-in decisions are serialized even across processes
 * sharing the file. The fan-in tables hold the records the port describes (see schema.ts).
 *
 * Writes asked for at once (many handlers settling) share one commit: each runs in a savepoint of
 * the group's transaction and resolves once that commits (see `./commit-group.ts`), so a write is
 * as durable as in a transaction of its own, and one commit serves many.
 */
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Batch, CompleteSet, Member, MessageQuery, NewMessage, Part, Settlement, StateStore, StoredMessage } from '../../ports/state-store.js';
import { checkKnownSet, checkWindowSize, completeSet, keptExpected, toBatch, windowStep } from '../fan-in/decisions.js';
import { migrations } from './schema.js';
import { sqliteMessageBrowser } from './message-browser.js';
import type { MessageBrowser } from '../../ports/message-browser.js';
import { pruneInSteps } from '../retention/prune-rule.js';
import { withRefusals } from './refusal.js';
import { commitGroup } from './commit-group.js';

interface MessageRow {
  id: string;
  type: string;
  body: string;
  key: string | null;
  valid_time: number | null;
  caused_by: string | null;
  status: StoredMessage['status'];
  attempts: number;
  failures: number;
  reason: string | null;
  created_at: number;
  updated_at: number;
}

interface WindowRow {
  closed: number;
  members: string;
  opened_after: number | null;
  carried: number;
}

interface SetRow {
  expected: string | null;
  parts: string;
  completed_by: string | null;
  opened_after: number | null;
}

export function openSqliteStateStore(path: string): StateStore & MessageBrowser {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('busy_timeout = 10000');
  migrate(db);

  // The root of its tree: its cause's, or the cause itself when the store does not hold it.
  const insert = db.prepare(`
    INSERT INTO messages (id, type, body, key, valid_time, caused_by, status, attempts, reason, created_at, updated_at, root)
    VALUES (@id, @type, @body, @key, @validTime, @causedBy, @status, 0, @reason, @now, @now,
            COALESCE((SELECT root FROM messages WHERE id = @causedBy), @causedBy, @id))
    ON CONFLICT (id) DO NOTHING`);
  const selectOne = db.prepare<[string], MessageRow>('SELECT * FROM messages WHERE id = ?');
  const revived = db.prepare(`UPDATE messages SET status = 'pending', attempts = 0, failures = 0, reason = NULL, updated_at = @now WHERE id = @id`);
  const settlePending = db.prepare(`UPDATE messages SET status = @status, attempts = @attempts, reason = @reason, updated_at = @now WHERE id = @id AND status = 'pending'`);
  const countAttempt = db.prepare<{ id: string; change: number }, { attempts: number }>(
    `UPDATE messages SET attempts = MAX(0, attempts + @change) WHERE id = @id AND status = 'pending' RETURNING attempts`,
  );
  const countFailure = db.prepare<{ id: string; reason: string }>(
    `UPDATE messages SET failures = failures + 1, reason = @reason WHERE id = @id AND status = 'pending'`,
  );
  const exists = db.prepare<[string], { found: number }>('SELECT 1 AS found FROM messages WHERE id = ?');
  const linkOf = db.prepare<[string, string], { idx: number }>('SELECT idx FROM fan_in_links WHERE grp = ? AND id = ?');
  const batchRow = db.prepare<[string, number], { members: string; closed_by: string }>('SELECT members, closed_by FROM fan_in_batches WHERE grp = ? AND idx = ?');
  const windowRow = db.prepare<[string], WindowRow>('SELECT closed, members, opened_after, carried FROM fan_in_windows WHERE grp = ?');
  const putWindow = db.prepare(`
    INSERT INTO fan_in_windows (grp, closed, members, opened_after) VALUES (@group, @closed, @members, @openedAfter)
    ON CONFLICT (grp) DO UPDATE SET closed = excluded.closed, members = excluded.members, opened_after = excluded.opened_after, carried = 0`);
  const putLink = db.prepare('INSERT INTO fan_in_links (grp, id, idx) VALUES (?, ?, ?)');
  const putBatch = db.prepare('INSERT INTO fan_in_batches (grp, idx, members, closed_by) VALUES (?, ?, ?, ?)');
  const setRow = db.prepare<[string], SetRow>('SELECT expected, parts, completed_by, opened_after FROM fan_in_sets WHERE name = ?');
  const putSet = db.prepare(`
    INSERT INTO fan_in_sets (name, expected, parts, completed_by, opened_after) VALUES (@name, @expected, @parts, @completedBy, @openedAfter)
    ON CONFLICT (name) DO UPDATE SET expected = excluded.expected, parts = excluded.parts, completed_by = excluded.completed_by, opened_after = excluded.opened_after`);
  // A group carried over from before version 5 was kept as both kinds; its first use says which.
  const dropCarriedSet = db.prepare('DELETE FROM fan_in_sets WHERE name = ? AND expected IS NULL');
  const dropCarriedWindow = db.prepare('DELETE FROM fan_in_windows WHERE grp = ? AND carried = 1');
  const newestSeq = db.prepare<[], { seq: number }>('SELECT COALESCE(MAX(seq), 0) AS seq FROM messages');

  const saveAll = db.transaction((messages: NewMessage[], now: number) => {
    const inserted: string[] = [];
    for (const m of messages) {
      const result = insert.run({
        id: m.id,
        type: m.type,
        body: JSON.stringify(m.body),
        key: m.key ?? null,
        validTime: m.validTime ?? null,
        causedBy: m.causedBy ?? null,
        status: m.status ?? 'pending',
        reason: m.reason ?? null,
        now,
      });
      if (result.changes > 0) inserted.push(m.id);
    }
    return inserted;
  });

  const settleOne = db.transaction((id: string, settlement: Settlement, caused: NewMessage[], now: number): boolean => {
    const result = settlePending.run({ id, status: settlement.status, attempts: settlement.attempts, reason: settlement.status === 'dead' ? settlement.reason : null, now });
    if (result.changes === 0) {
      if (!exists.get(id)) throw new Error(`cannot settle message ${id}: it was never recorded`);
      return false;
    }
    saveAll(caused, now);
    return true;
  });

  const loadBatch = (group: string, index: number | undefined): Batch | undefined => {
    const row = index === undefined ? undefined : batchRow.get(group, index);
    return row && toBatch(group, index!, JSON.parse(row.members) as Member[], row.closed_by);
  };

  const addToWindowOnce = db.transaction((group: string, member: Member, size: number): Batch | undefined => {
    const joined = linkOf.get(group, member.id)?.idx;
    if (joined !== undefined) {
      const batch = loadBatch(group, joined);
      return batch?.closedBy === member.id ? batch : undefined;
    }
    const open = windowRow.get(group);
    if (open?.carried) dropCarriedSet.run(group);
    const index = (open?.closed ?? 0) + 1;
    const step = windowStep(open ? (JSON.parse(open.members) as Member[]) : [], member, size);
    putLink.run(group, member.id, index);
    if (!step.closes) {
      putWindow.run({ group, closed: index - 1, members: JSON.stringify(step.members), openedAfter: open?.opened_after ?? newestSeq.get()!.seq });
      return undefined;
    }
    putWindow.run({ group, closed: index, members: '[]', openedAfter: null });
    const members = JSON.stringify(step.batch);
    putBatch.run(group, index, members, member.id);
    // As stored: what the caller gets back is no object of its own.
    return toBatch(group, index, JSON.parse(members) as Member[], member.id);
  });

  const addPartOnce = db.transaction((name: string, expected: string[], part: Part): CompleteSet | undefined => {
    const row = setRow.get(name);
    const parts = row ? (JSON.parse(row.parts) as Record<string, unknown>) : {};
    const kept = keptExpected(name, row && row.expected !== null ? (JSON.parse(row.expected) as string[]) : undefined, expected, Object.keys(parts));
    if (row && row.expected === null) dropCarriedWindow.run(name);
    if (Object.hasOwn(parts, part.name)) {
      if (row!.expected === null) putSet.run({ name, expected: JSON.stringify(kept), parts: row!.parts, completedBy: row!.completed_by, openedAfter: row!.opened_after });
      return row!.completed_by === part.name ? completeSet(name, kept, parts, part.name) : undefined;
    }
    parts[part.name] = JSON.parse(JSON.stringify(part.value ?? null));
    const complete = completeSet(name, kept, parts, part.name);
    putSet.run({
      name,
      expected: JSON.stringify(kept),
      parts: JSON.stringify(parts),
      completedBy: complete ? part.name : null,
      openedAfter: complete ? null : (row?.opened_after ?? newestSeq.get()!.seq),
    });
    return complete;
  });

  const reviveAll = db.transaction((ids: string[] | 'all', now: number) => {
    const rows =
      ids === 'all'
        ? db.prepare<[], MessageRow>(`SELECT * FROM messages WHERE status = 'dead' ORDER BY seq`).all()
        : ids.map((id) => selectOne.get(id)).filter((row): row is MessageRow => row?.status === 'dead');
    for (const row of rows) revived.run({ id: row.id, now });
    return rows.map((row) => ({ ...toStored(row), status: 'pending' as const, attempts: 0, failures: 0, reason: undefined }));
  });

  const beginOne = db.transaction((message: NewMessage, now: number): MessageRow => {
    saveAll([message], now);
    countAttempt.get({ id: message.id, change: 1 }); // only if pending
    return selectOne.get(message.id)!;
  });

  const { write, flush } = commitGroup(db);
  const prunePin = db.prepare<[], { pin: number | null }>(prunePinSql);
  const pruneStep = db.prepare<[number, number, number]>(pruneSql);

  // A value SQLite refuses for good is a StoreRefusedError, the one refusal the core knows.
  return withRefusals({
    ...sqliteMessageBrowser(db, toStored as (row: never) => StoredMessage),
    async save(messages, now) {
      return write(() => saveAll(messages, now));
    },
    async get(id) {
      const row = selectOne.get(id);
      return row && toStored(row);
    },
    async settle(id, settlement, caused, now) {
      return write(() => settleOne(id, settlement, caused, now));
    },
    async recordAttempt(id, change = 1) {
      return write(() => countAttempt.get({ id, change })?.attempts);
    },
    async beginAttempt(message, now) {
      return toStored(await write(() => beginOne(message, now)));
    },
    async recordFailure(id, reason) {
      return write(() => countFailure.run({ id, reason }).changes > 0);
    },
    async find(query: MessageQuery) {
      const where: string[] = [];
      const params: unknown[] = [];
      if (query.type !== undefined) (where.push('type = ?'), params.push(query.type));
      if (query.key !== undefined) (where.push('key = ?'), params.push(query.key));
      if (query.status !== undefined) (where.push('status = ?'), params.push(query.status));
      if (typeof query.causedBy === 'string') (where.push('caused_by = ?'), params.push(query.causedBy));
      else if (query.causedBy !== undefined) (where.push('caused_by IN (SELECT value FROM json_each(?))'), params.push(JSON.stringify(query.causedBy)));
      if (query.validTime?.from !== undefined) (where.push('valid_time >= ?'), params.push(query.validTime.from));
      if (query.validTime?.to !== undefined) (where.push('valid_time <= ?'), params.push(query.validTime.to));
      const sql = `SELECT * FROM messages ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
        ORDER BY valid_time IS NULL, valid_time, seq LIMIT ?`;
      return db.prepare<unknown[], MessageRow>(sql).all(...params, query.limit ?? 1000).map(toStored);
    },
    async unsettled(rootIds) {
      if (rootIds.length === 0) return 0;
      // Along the index of pending messages by root: no walk of the tree.
      const row = db
        .prepare<string[], { pending: number }>(
          `SELECT COUNT(*) AS pending FROM messages
           WHERE status = 'pending' AND root IN (SELECT root FROM messages WHERE id IN (${rootIds.map(() => '?').join(', ')}))`,
        )
        .get(...rootIds)!;
      return row.pending;
    },
    async revive(ids, now) {
      return write(() => reviveAll(ids, now));
    },
    async addToWindow(group, member, size) {
      checkWindowSize(size);
      return write(() => addToWindowOnce(group, member, size));
    },
    async windowOf(group, memberId) {
      return loadBatch(group, linkOf.get(group, memberId)?.idx);
    },
    async openWindow(group) {
      const open = windowRow.get(group);
      return { group, index: (open?.closed ?? 0) + 1, members: open ? (JSON.parse(open.members) as Member[]) : [] };
    },
    async addPart(name, expected, part) {
      checkKnownSet(name, expected, part);
      return write(() => addPartOnce(name, expected, part));
    },
    async prune(before) {
      if (!Number.isFinite(before)) throw new Error(`prune: before must be epoch milliseconds, got ${before}`);
      const pin = prunePin.get()?.pin ?? Number.MAX_SAFE_INTEGER;
      return pruneInSteps(async (limit) => pruneStep.run(before, pin, limit).changes);
    },
    async close() {
      flush();
      db.close();
    },
  });
}

/** Rule 3 of prune (see prune-rule.ts): the first position of a window or known set still open. */
const prunePinSql = `SELECT MIN(pin) AS pin FROM (
  SELECT MIN(opened_after) AS pin FROM fan_in_windows WHERE opened_after IS NOT NULL
  UNION ALL SELECT MIN(opened_after) FROM fan_in_sets WHERE opened_after IS NOT NULL)`;

/**
 * One step of prune (see prune-rule.ts). The keys of pending messages are read once per step, by
 * the status index, into SQLite's ephemeral index for NOT IN: no probe per row of a long history.
 */
const pruneSql = `
  WITH RECURSIVE kept(id) AS (
    SELECT caused_by FROM messages WHERE status IN ('pending', 'dead') AND caused_by IS NOT NULL
    UNION
    SELECT m.caused_by FROM messages m JOIN kept ON m.id = kept.id WHERE m.caused_by IS NOT NULL
  )
  DELETE FROM messages WHERE seq IN (
    SELECT seq FROM messages
    WHERE status = 'done' AND updated_at < ?
      AND seq <= ?
      AND id NOT IN (SELECT id FROM kept)
      AND (key IS NULL OR key NOT IN (SELECT key FROM messages WHERE status = 'pending' AND key IS NOT NULL))
    ORDER BY seq LIMIT ?
  )`;

function migrate(db: Database.Database): void {
  const version = db.pragma('user_version', { simple: true }) as number;
  if (version > migrations.length) {
    throw new Error(`the state database is at schema version ${version}, newer than this release knows (${migrations.length})`);
  }
  for (let v = version; v < migrations.length; v++) {
    db.transaction(() => {
      db.exec(migrations[v]!);
      db.pragma(`user_version = ${v + 1}`);
    }).immediate();
  }
}

function toStored(row: MessageRow): StoredMessage {
  return {
    id: row.id,
    type: row.type,
    body: JSON.parse(row.body),
    key: row.key ?? undefined,
    validTime: row.valid_time ?? undefined,
    causedBy: row.caused_by ?? undefined,
    status: row.status,
    attempts: row.attempts,
    failures: row.failures,
    reason: row.reason ?? undefined,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}
