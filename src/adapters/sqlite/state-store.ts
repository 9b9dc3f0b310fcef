/**
 * State store on SQLite (better-sqlite3). Every method is one transaction; `collect` takes the
 * write lock first (BEGIN IMMEDIATE), so fan-in decisions are serialized even across processes
 * sharing the file.
 */
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Batch, Member, MessageQuery, NewMessage, Settlement, StateStore, StoredMessage } from '../../ports/state-store.js';
import { migrations } from './schema.js';
import { sqliteMessageBrowser } from './message-browser.js';
import type { MessageBrowser } from '../../ports/message-browser.js';
import { pruneInSteps } from '../retention/prune-rule.js';
import { withRefusals } from './refusal.js';

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

interface MemberRow {
  id: string;
  ord: number;
  value: string;
  batch: number | null;
}

export function openSqliteStateStore(path: string): StateStore & MessageBrowser {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('busy_timeout = 10000');
  migrate(db);

  const insert = db.prepare(`
    INSERT INTO messages (id, type, body, key, valid_time, caused_by, status, attempts, reason, created_at, updated_at)
    VALUES (@id, @type, @body, @key, @validTime, @causedBy, @status, 0, @reason, @now, @now)
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
  const memberOf = db.prepare<[string, string], MemberRow>('SELECT id, ord, value, batch FROM members WHERE grp = ? AND id = ?');
  // joined_after: the newest message when the member joined, for prune (see prunePinSql).
  const insertMember = db.prepare('INSERT INTO members (grp, id, ord, value, joined_after) VALUES (?, ?, ?, ?, (SELECT COALESCE(MAX(seq), 0) FROM messages))');
  const unbatched = db.prepare<[string, number], { seq: number }>('SELECT seq FROM members WHERE grp = ? AND batch IS NULL ORDER BY seq LIMIT ?');
  const nextIndex = db.prepare<[string], { next: number }>('SELECT COALESCE(MAX(idx), 0) + 1 AS next FROM batches WHERE grp = ?');
  const assign = db.prepare('UPDATE members SET batch = ? WHERE seq = ?');
  const insertBatch = db.prepare('INSERT INTO batches (grp, idx, closed_by) VALUES (?, ?, ?)');
  const batchRow = db.prepare<[string, number], { closed_by: string }>('SELECT closed_by FROM batches WHERE grp = ? AND idx = ?');
  const batchMembers = db.prepare<[string, number], MemberRow>('SELECT id, ord, value, batch FROM members WHERE grp = ? AND batch = ? ORDER BY ord, seq');

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

  const loadBatch = (group: string, index: number): Batch | undefined => {
    const row = batchRow.get(group, index);
    if (!row) return undefined;
    const members = batchMembers.all(group, index).map(toMember);
    return { group, index, members, closedBy: row.closed_by };
  };

  const collectOne = db.transaction((group: string, member: Member, size: number): Batch | undefined => {
    const existing = memberOf.get(group, member.id);
    if (existing) {
      if (existing.batch === null) return undefined;
      const batch = loadBatch(group, existing.batch);
      return batch?.closedBy === member.id ? batch : undefined;
    }
    insertMember.run(group, member.id, member.order, JSON.stringify(member.value ?? null));
    const open = unbatched.all(group, size);
    if (open.length < size) return undefined;
    const index = nextIndex.get(group)!.next;
    for (const { seq } of open) assign.run(index, seq);
    insertBatch.run(group, index, member.id);
    return loadBatch(group, index);
  });

  const reviveAll = db.transaction((ids: string[] | 'all', now: number) => {
    const rows =
      ids === 'all'
        ? db.prepare<[], MessageRow>(`SELECT * FROM messages WHERE status = 'dead' ORDER BY seq`).all()
        : ids.map((id) => selectOne.get(id)).filter((row): row is MessageRow => row?.status === 'dead');
    for (const row of rows) revived.run({ id: row.id, now });
    return rows.map((row) => ({ ...toStored(row), status: 'pending' as const, attempts: 0, failures: 0, reason: undefined }));
  });

  const prunePin = db.prepare<[], { pin: number | null }>(prunePinSql);
  const pruneStep = db.prepare<[number, number, number]>(pruneSql);

  // A value SQLite refuses for good is a StoreRefusedError, the one refusal the core knows.
  return withRefusals({
    ...sqliteMessageBrowser(db, toStored as (row: never) => StoredMessage),
    async save(messages, now) {
      return saveAll.immediate(messages, now);
    },
    async get(id) {
      const row = selectOne.get(id);
      return row && toStored(row);
    },
    async settle(id, settlement, caused, now) {
      return settleOne.immediate(id, settlement, caused, now);
    },
    async recordAttempt(id, change = 1) {
      return countAttempt.get({ id, change })?.attempts;
    },
    async recordFailure(id, reason) {
      return countFailure.run({ id, reason }).changes > 0;
    },
    async find(query: MessageQuery) {
      const where: string[] = [];
      const params: unknown[] = [];
      if (query.type !== undefined) (where.push('type = ?'), params.push(query.type));
      if (query.key !== undefined) (where.push('key = ?'), params.push(query.key));
      if (query.status !== undefined) (where.push('status = ?'), params.push(query.status));
      if (query.causedBy !== undefined) (where.push('caused_by = ?'), params.push(query.causedBy));
      if (query.validTime?.from !== undefined) (where.push('valid_time >= ?'), params.push(query.validTime.from));
      if (query.validTime?.to !== undefined) (where.push('valid_time <= ?'), params.push(query.validTime.to));
      const sql = `SELECT * FROM messages ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
        ORDER BY valid_time IS NULL, valid_time, seq LIMIT ?`;
      return db.prepare<unknown[], MessageRow>(sql).all(...params, query.limit ?? 1000).map(toStored);
    },
    async unsettled(rootIds) {
      if (rootIds.length === 0) return 0;
      const row = db
        .prepare<string[], { pending: number }>(
          `WITH RECURSIVE tree(id) AS (
             SELECT id FROM messages WHERE id IN (${rootIds.map(() => '?').join(', ')})
             UNION SELECT m.id FROM messages m JOIN tree ON m.caused_by = tree.id)
           SELECT COUNT(*) AS pending FROM messages WHERE status = 'pending' AND id IN (SELECT id FROM tree)`,
        )
        .get(...rootIds)!;
      return row.pending;
    },
    async revive(ids, now) {
      return reviveAll.immediate(ids, now);
    },
    async collect(group, member, size) {
      if (!Number.isInteger(size) || size < 1) throw new Error(`size must be a positive integer, got ${size}`);
      return collectOne.immediate(group, member, size);
    },
    async prune(before) {
      if (!Number.isFinite(before)) throw new Error(`prune: before must be epoch milliseconds, got ${before}`);
      const pin = prunePin.get()?.pin ?? Number.MAX_SAFE_INTEGER;
      return pruneInSteps(async (limit) => pruneStep.run(before, pin, limit).changes);
    },
    async batchOf(group, memberId) {
      const row = memberOf.get(group, memberId);
      return row?.batch == null ? undefined : loadBatch(group, row.batch);
    },
    async close() {
      db.close();
    },
  });
}

/** Rule 3 of prune (see prune-rule.ts): the first position of a batch still forming. */
const prunePinSql = `SELECT MIN(COALESCE(joined_after, 0)) AS pin FROM members WHERE batch IS NULL`;

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

function toMember(row: MemberRow): Member {
  return { id: row.id, order: row.ord, value: JSON.parse(row.value) };
}
