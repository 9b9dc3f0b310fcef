/**
 * The fan-in records on PostgreSQL: the open window of each group, one row per closed batch, a
 * link per member, one row per known set (see the port for what each holds).
 *
 * Each operation is one READ COMMITTED transaction that locks the one row it decides from (the
 * group's open window, or the set) with SELECT … FOR UPDATE: concurrent adders to one group queue
 * on that row, across every process and machine, and each sees what the one before committed. So
 * a member never lands in two batches and no index is skipped; the primary keys on batches and
 * links back this up (a writer that skipped the lock would fail, not corrupt). A member already
 * linked is replayed without taking the lock: a link never changes. Within one process, calls for
 * the same row also queue before taking a connection, so a hot group does not tie up the pool
 * waiting on its lock.
 */
import type pg from 'pg';
import { prepared } from './prepared.js';
import type { Batch, CompleteSet, Member, OpenWindow, Part } from '../../ports/state-store.js';
import { checkKnownSet, checkWindowSize, completeSet, keptExpected, toBatch, windowStep } from '../fan-in/decisions.js';

type Queryable = Pick<pg.PoolClient, 'query'>;

export interface FanInTables {
  messages: string;
  windows: string;
  batches: string;
  links: string;
  sets: string;
}

export interface PostgresFanIn {
  addToWindow(group: string, member: Member, size: number): Promise<Batch | undefined>;
  windowOf(group: string, memberId: string): Promise<Batch | undefined>;
  openWindow(group: string): Promise<OpenWindow>;
  addPart(set: string, expected: string[], part: Part): Promise<CompleteSet | undefined>;
  /** Rule 3 of prune: the first message position of a window or known set still open, if any. */
  prunePin(): Promise<string | undefined>;
}

interface WindowRow {
  closed: number;
  members: Member[];
  opened_after: string | null;
  carried: boolean;
}

interface SetRow {
  expected: string[] | null;
  parts: Record<string, unknown>;
  completed_by: string | null;
  opened_after: string | null;
}

export function postgresFanIn(
  pool: pg.Pool,
  tables: FanInTables,
  transaction: <T>(work: (client: pg.PoolClient) => Promise<T>) => Promise<T>,
): PostgresFanIn {
  const { messages, windows, batches, links, sets } = tables;
  const queues = new Map<string, Promise<unknown>>();
  const newestSeq = `(SELECT COALESCE(MAX(seq), 0) FROM ${messages})`;

  /** Runs calls with the same key one after another in this process. */
  function serialized<T>(key: string, work: () => Promise<T>): Promise<T> {
    const next = (queues.get(key) ?? Promise.resolve()).then(work, work);
    const settled = next.then(
      () => undefined,
      () => undefined,
    );
    queues.set(key, settled);
    void settled.then(() => {
      if (queues.get(key) === settled) queues.delete(key);
    });
    return next;
  }

  async function linkOf(db: Queryable, group: string, memberId: string): Promise<number | undefined> {
    const { rows } = await db.query<{ idx: number }>(prepared(`SELECT idx FROM ${links} WHERE grp = $1 AND id = $2`, [group, memberId]));
    return rows[0]?.idx;
  }

  async function loadBatch(db: Queryable, group: string, index: number | undefined): Promise<Batch | undefined> {
    if (index === undefined) return undefined;
    const { rows } = await db.query<{ members: Member[]; closed_by: string }>(prepared(`SELECT members, closed_by FROM ${batches} WHERE grp = $1 AND idx = $2`, [group, index]));
    return rows[0] && toBatch(group, index, rows[0].members, rows[0].closed_by);
  }

  async function replay(db: Queryable, group: string, memberId: string, index: number): Promise<Batch | undefined> {
    const batch = await loadBatch(db, group, index);
    return batch?.closedBy === memberId ? batch : undefined;
  }

  /** The row, locked for this transaction; created first when missing. */
  async function locked<R extends pg.QueryResultRow>(client: Queryable, select: string, create: string, key: string): Promise<R | undefined> {
    const found = await client.query<R>(prepared(select, [key]));
    if (found.rows[0]) return found.rows[0];
    const created = await client.query(prepared(create, [key]));
    // Created here: it is already ours. Otherwise another transaction created it first: lock it.
    return created.rowCount === 0 ? (await client.query<R>(prepared(select, [key]))).rows[0] : undefined;
  }

  const addOnce = (group: string, member: Member, size: number) =>
    transaction(async (client) => {
      const open = await locked<WindowRow>(
        client,
        `SELECT closed, members, opened_after, carried FROM ${windows} WHERE grp = $1 FOR UPDATE`,
        `INSERT INTO ${windows} (grp, closed, members) VALUES ($1, 0, '[]') ON CONFLICT (grp) DO NOTHING`,
        group,
      );
      const index = (open?.closed ?? 0) + 1;
      const linked = await client.query(prepared(`INSERT INTO ${links} (grp, id, idx) VALUES ($1, $2, $3) ON CONFLICT (grp, id) DO NOTHING`, [group, member.id, index]));
      if (linked.rowCount === 0) return replay(client, group, member.id, (await linkOf(client, group, member.id))!);
      // A group carried over from before version 6 was kept as both kinds: this use says which.
      if (open?.carried) await client.query(prepared(`DELETE FROM ${sets} WHERE name = $1 AND expected IS NULL`, [group]));
      const step = windowStep(open?.members ?? [], member, size);
      if (!step.closes) {
        await client.query(
          prepared(`UPDATE ${windows} SET members = $2::jsonb, opened_after = COALESCE(opened_after, ${newestSeq}), carried = false WHERE grp = $1`, [group, JSON.stringify(step.members)]),
        );
        return undefined;
      }
      await client.query(prepared(`UPDATE ${windows} SET closed = $2, members = '[]', opened_after = NULL, carried = false WHERE grp = $1`, [group, index]));
      const members = JSON.stringify(step.batch);
      await client.query(prepared(`INSERT INTO ${batches} (grp, idx, members, closed_by) VALUES ($1, $2, $3::jsonb, $4)`, [group, index, members, member.id]));
      // As stored: what the caller gets back is no object of its own.
      return toBatch(group, index, JSON.parse(members) as Member[], member.id);
    });

  const addPartOnce = (name: string, expected: string[], part: Part) =>
    transaction(async (client) => {
      const row = await locked<SetRow>(
        client,
        `SELECT expected, parts, completed_by, opened_after FROM ${sets} WHERE name = $1 FOR UPDATE`,
        `INSERT INTO ${sets} (name, expected, parts) VALUES ($1, NULL, '{}') ON CONFLICT (name) DO NOTHING`,
        name,
      );
      const parts = row?.parts ?? {};
      const carried = row !== undefined && row.expected === null && Object.keys(parts).length > 0;
      const kept = keptExpected(name, row?.expected ?? undefined, expected, Object.keys(parts));
      if (carried) await client.query(prepared(`DELETE FROM ${windows} WHERE grp = $1 AND carried`, [name]));
      if (Object.hasOwn(parts, part.name)) {
        if (carried) await client.query(prepared(`UPDATE ${sets} SET expected = $2::jsonb WHERE name = $1`, [name, JSON.stringify(kept)]));
        return row!.completed_by === part.name ? completeSet(name, kept, parts, part.name) : undefined;
      }
      const complete = completeSet(name, kept, { ...parts, [part.name]: JSON.parse(JSON.stringify(part.value ?? null)) }, part.name);
      await client.query(
        prepared(
          `UPDATE ${sets} SET expected = $2::jsonb, parts = parts || jsonb_build_object($3::text, $4::jsonb), completed_by = $5,
             opened_after = CASE WHEN $5::text IS NULL THEN COALESCE(opened_after, ${newestSeq}) END
           WHERE name = $1`,
          [name, JSON.stringify(kept), part.name, JSON.stringify(part.value ?? null), complete ? part.name : null],
        ),
      );
      return complete;
    });

  return {
    async addToWindow(group, member, size) {
      checkWindowSize(size);
      const joined = await linkOf(pool, group, member.id);
      if (joined !== undefined) return replay(pool, group, member.id, joined);
      return serialized(`window:${group}`, () => addOnce(group, member, size));
    },
    async windowOf(group, memberId) {
      return loadBatch(pool, group, await linkOf(pool, group, memberId));
    },
    async openWindow(group) {
      const { rows } = await pool.query<{ closed: number; members: Member[] }>(prepared(`SELECT closed, members FROM ${windows} WHERE grp = $1`, [group]));
      return { group, index: (rows[0]?.closed ?? 0) + 1, members: rows[0]?.members ?? [] };
    },
    async addPart(name, expected, part) {
      checkKnownSet(name, expected, part);
      return serialized(`set:${name}`, () => addPartOnce(name, expected, part));
    },
    async prunePin() {
      const { rows } = await pool.query<{ pin: string | null }>(
        `SELECT LEAST((SELECT MIN(opened_after) FROM ${windows} WHERE opened_after IS NOT NULL),
                      (SELECT MIN(opened_after) FROM ${sets} WHERE opened_after IS NOT NULL)) AS pin`,
      );
      return rows[0]?.pin ?? undefined;
    },
  };
}
