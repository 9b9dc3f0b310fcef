/**
 * State store on PostgreSQL (node-postgres, PostgreSQL 11 or later), for many mediators and
 * workers on many machines.
 *
 * The tables come from `migrate()` in `./migrations.js`: run it once before opening stores (it is
 * safe to run on every start, from every process). The store does not migrate by itself, because
 * opening it is synchronous; a store used on an unmigrated schema fails saying so.
 *
 * Every method is one statement or one READ COMMITTED transaction, so each is one atomic step:
 *
 * - the fan-in (`addToWindow`, `addPart`) locks the one row it decides from: see `./fan-in.js`.
 * - `settle` updates the message only if it is still pending (a concurrent second settle waits on
 *   the row lock, then finds it settled and changes nothing), records what it caused and, given
 *   an `enqueue` hook, hands those messages to the hook on the same client inside the same
 *   transaction (a transactional outbox): a message is never sent for state that rolled back,
 *   and no state commits without its messages. Given a `settleWriter` instead, the queue's writes
 *   (the jobs, the handled job's completion) are parts of the settle's one statement.
 * - `beginAttempt` calls made at once share one statement (see `./statement-group.js`).
 *
 * `close()` ends nothing it did not create, and it creates nothing: the pool belongs to the
 * caller, who ends it after closing the store. `close()` waits for running calls, then refuses
 * new ones.
 */
import pg from 'pg';
import { foldCounts, postgresMessageBrowser } from './message-browser.js';
import type { MessageBrowser } from '../../ports/message-browser.js';
import { pruneInSteps } from '../retention/prune-rule.js';
import { storeRefusal } from './refusal.js';
import type { MessageQuery, NewMessage, Settlement, StateStore, StoredMessage } from '../../ports/state-store.js';
import { postgresFanIn } from './fan-in.js';
import type { SettleWriter } from './settle-writes.js';
import { statementGroup } from './statement-group.js';
import { prepared, preparedWith } from './prepared.js';
import { rowsSql, type Param, type RowColumn } from './rows-sql.js';

export interface PostgresStateStoreOptions {
  /** Connections to use. The store never ends it: `close()` leaves the pool to its owner. */
  pool: pg.Pool;
  /**
   * The schema holding the tables, as given to `migrate()`. @defaultValue the pool's search_path
   */
  schema?: string;
  /**
   * Delivers the messages a settle caused, inside the settle's transaction: use `client` for every
   * query (another connection would not see the uncommitted rows, and waits for a pool slot while
   * holding one). A hook that throws rolls the whole settle back, and `settle` rejects with its
   * error. Called with every message the settle caused (ids already recorded included: receivers
   * drop duplicates by id); not called when a settle caused none or was refused because the
   * message was no longer pending. Giving it sets `enqueuesOnSettle`.
   */
  enqueue?: (client: pg.PoolClient, messages: NewMessage[], context?: EnqueueContext) => Promise<void>;
  /**
   * For a queue in the same database: the writes a settle's one statement makes too (the caused
   * messages' jobs, the settled message's own job completed), see `./settle-writes.ts`. Given, it
   * takes `enqueue`'s place in every settle, which is then one statement whatever it caused, and
   * it sets `enqueuesOnSettle`; `enqueue` still serves saves and revives.
   */
  settleWriter?: SettleWriter;
  /**
   * Every write (a save, settle, revive) appends its net change of the counts to a small table,
   * so concurrent writers never queue on one counter row; after this many writes, the store folds
   * those changes into the counts, after the write and outside its transaction, unless another
   * process is folding right then. That keeps the change table to about this many writes' worth
   * per process, with nothing reading the counts, and reading them stays a pure read.
   * @defaultValue 1000
   */
  foldCountsEvery?: number;
}

/** Why the store enqueues: `settled` names the message whose settle caused the messages. */
export interface EnqueueContext {
  settled?: string;
}

interface MessageRow {
  seq: string;
  id: string;
  type: string;
  body: StoredMessage['body'];
  key: string | null;
  valid_time: string | null;
  caused_by: string | null;
  status: StoredMessage['status'];
  attempts: number;
  failures: number;
  reason: string | null;
  created_at: string;
  updated_at: string;
}

type Queryable = Pick<pg.PoolClient, 'query'>;

const defaultLimit = 1000;

/** The columns of a {@link MessageRow}, named for statements that are prepared (see `./prepared.ts`). */
const rowColumns = 'seq, id, type, body, key, valid_time, caused_by, status, attempts, failures, reason, created_at, updated_at';

export function openPostgresStateStore(options: PostgresStateStoreOptions): StateStore & MessageBrowser {
  const { pool, enqueue, settleWriter, schema, foldCountsEvery = 1000 } = options;
  if (!(foldCountsEvery >= 1)) throw new Error(`openPostgresStateStore: foldCountsEvery must be 1 or more, got ${foldCountsEvery}`);
  if (schema === '') throw new Error('openPostgresStateStore: schema must be a non-empty name');
  const prefix = schema === undefined ? '' : `${pg.escapeIdentifier(schema)}.`;
  const messages = `${prefix}messages`;
  const countTables = { counts: `${prefix}message_counts`, changes: `${prefix}message_count_changes` };

  let closed = false;
  const inFlight = new Set<Promise<unknown>>();

  let writesSinceFold = 0;
  /** Runs a write; past the threshold, folds the count changes in the background (see the option). */
  function write<T>(operation: () => Promise<T>): Promise<T> {
    return run(operation).then((result) => {
      if (++writesSinceFold >= foldCountsEvery && !closed) {
        writesSinceFold = 0;
        // Not awaited by the write, only by close(). A fold that fails changes nothing (one
        // statement); the next one takes its rows too.
        run(() => foldCountsUnlessBusy()).catch(() => {});
      }
      return result;
    });
  }

  async function foldCountsUnlessBusy(): Promise<void> {
    await transaction(async (client) => {
      // One folder at a time across processes; the others skip rather than wait for it.
      const { rows } = await client.query<{ locked: boolean }>(
        `SELECT pg_try_advisory_xact_lock(hashtextextended('dataflow.fold-counts:' || $1::regclass::oid::text, 0)) AS locked`,
        [countTables.changes],
      );
      if (rows[0]?.locked) await foldCounts(client, countTables);
    });
  }

  /** Runs one operation: refused after close, awaited by close, errors explained. */
  function run<T>(operation: () => Promise<T>): Promise<T> {
    if (closed) return Promise.reject(new Error('the PostgreSQL state store is closed'));
    const promise = operation().catch((error: unknown) => {
      throw storeRefusal(error) ?? explain(error, schema);
    });
    inFlight.add(promise);
    const forget = () => inFlight.delete(promise);
    promise.then(forget, forget);
    return promise;
  }

  async function transaction<T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    const client = await pool.connect();
    let broken: Error | undefined;
    try {
      // Explicit: the fan-in's row locks rely on each statement seeing what was committed before it.
      await client.query('BEGIN ISOLATION LEVEL READ COMMITTED');
      const result = await work(client);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch((rollbackError: Error) => {
        broken = rollbackError; // the connection is unusable: the pool must discard it
      });
      throw error;
    } finally {
      client.release(broken);
    }
  }

  /**
   * The statement inserting the messages whose id is new, in order, returning the ids inserted;
   * `guard` is a condition on the rows, e.g. that a settle's update happened.
   */
  function messageInsert(list: NewMessage[], now: number, param: Param, guard = 'TRUE'): string {
    const roots = rootsWithin(list);
    const rows = list.map((m, i) => [...messageValues(m), roots[i]!.cause, roots[i]!.hint]);
    const at = param(now);
    // The root of its tree: its cause's, if recorded before; else that of the cause's cause within
    // this list, walked up (rows of one statement do not see each other); else the cause itself,
    // or the message for one without a cause.
    return `INSERT INTO ${messages} (id, type, body, key, valid_time, caused_by, status, attempts, reason, created_at, updated_at, root)
       SELECT m.id, m.type, m.body, m.key, m.valid_time, m.caused_by, m.status, 0, m.reason, ${at}::bigint, ${at}::bigint,
              COALESCE((SELECT c.root FROM ${messages} c WHERE c.id = m.caused_by), (SELECT c.root FROM ${messages} c WHERE c.id = m.root_cause), m.root_hint)
       FROM ${rowsSql('m', [...messageRowColumns, ['root_cause', 'text'], ['root_hint', 'text']], rows, param)}
       WHERE ${guard}
       ORDER BY m.n
       ON CONFLICT (id) DO NOTHING
       RETURNING id`;
  }

  /** Inserts the messages whose id is new, in order; returns their ids in the order given. */
  async function insertMessages(db: Queryable, list: NewMessage[], now: number): Promise<string[]> {
    if (list.length === 0) return [];
    const { rows } = await db.query<{ id: string }>(preparedWith((param) => messageInsert(list, now, param)));
    const inserted = new Set(rows.map((r) => r.id));
    const ids: string[] = [];
    for (const m of list) {
      if (inserted.delete(m.id)) ids.push(m.id);
    }
    return ids;
  }

  /**
   * One statement: settles the message if it is still pending and, only then, records what it
   * caused and makes the settle writer's writes. (The caused messages' roots come from the settled
   * message, whose root the update leaves as it was, so the insert's snapshot from before the
   * update finds them.)
   */
  async function settleAndRecord(db: Queryable, id: string, settlement: Settlement, caused: NewMessage[], now: number, writer?: SettleWriter): Promise<boolean> {
    const reason = settlement.status === 'dead' ? settlement.reason : null;
    const guard = 'EXISTS (SELECT 1 FROM settled)';
    const values: unknown[] = [];
    const param: Param = (value) => `$${values.push(value)}`;
    const update = `UPDATE ${messages} SET status = ${param(settlement.status)}, attempts = ${param(settlement.attempts)}::int, reason = ${param(reason)}::text, updated_at = ${param(now)}::bigint
       WHERE id = ${param(id)} AND status = 'pending' RETURNING 1`;
    const parts = caused.length > 0 ? [messageInsert(caused, now, param, guard)] : [];
    const writes = writer ? await writer({ settled: id, caused, guard, param }) : { statements: [] };
    parts.push(...writes.statements);
    const { rows } = await db.query<{ settled: boolean }>(
      prepared(`WITH settled AS (${update})${parts.map((part, i) => `, write_${i} AS (${part})`).join('')} SELECT EXISTS (SELECT 1 FROM settled) AS settled`, values),
    );
    const done = rows[0]?.settled === true;
    if (done) writes.settled?.();
    return done;
  }

  /**
   * Begins attempts asked for at once in one statement (see `./statement-group.ts`): each message
   * recorded with its first attempt counted, or a pending one's attempt counted. A message known
   * and no longer pending changes nothing and comes back as it is, read in one more statement.
   */
  const beginAttempts = statementGroup<{ message: NewMessage; now: number }, MessageRow>(
    ({ message }) => message.id,
    async (items) => {
      const list = items.map((i) => i.message);
      const listed = items.map(({ message, now }) => [...messageValues(message), now]);
      const { rows } = await pool.query<MessageRow>(
        preparedWith(
          (param) => `INSERT INTO ${messages} AS known (id, type, body, key, valid_time, caused_by, status, attempts, reason, created_at, updated_at, root)
         SELECT m.id, m.type, m.body, m.key, m.valid_time, m.caused_by, m.status, CASE WHEN m.status = 'pending' THEN 1 ELSE 0 END, m.reason, m.now, m.now,
                COALESCE((SELECT c.root FROM ${messages} c WHERE c.id = m.caused_by), m.caused_by, m.id)
         FROM ${rowsSql('m', [...messageRowColumns, ['now', 'bigint']], listed, param)}
         ON CONFLICT (id) DO UPDATE SET attempts = known.attempts + 1 WHERE known.status = 'pending'
         RETURNING ${rowColumns}`,
        ),
      );
      const byId = new Map(rows.map((row) => [row.id, row]));
      const unchanged = list.filter((m) => !byId.has(m.id)).map((m) => m.id);
      if (unchanged.length > 0) {
        const found = await pool.query<MessageRow>(`SELECT * FROM ${messages} WHERE id = ANY($1::text[])`, [unchanged]);
        for (const row of found.rows) byId.set(row.id, row);
      }
      return list.map((m) => {
        const row = byId.get(m.id);
        if (!row) throw new Error(`message ${m.id} was neither recorded nor found`);
        return row;
      });
    },
  );

  const fanIn = postgresFanIn(
    pool,
    { messages, windows: `${prefix}fan_in_windows`, batches: `${prefix}fan_in_batches`, links: `${prefix}fan_in_links`, sets: `${prefix}fan_in_sets` },
    transaction,
  );

  return {
    ...postgresMessageBrowser(pool, messages, toStored as (row: never) => StoredMessage, countTables),
    enqueuesOnSettle: enqueue !== undefined || settleWriter !== undefined,

    save(list, now) {
      // Each message inserted now, once: a copy later in the same list, or one already known, is not enqueued again.
      const toEnqueue = (inserted: string[]) => {
        const fresh = new Set(inserted);
        return list.filter((m) => m.queue && (m.status ?? 'pending') === 'pending' && fresh.delete(m.id));
      };
      if (!enqueue || !list.some((m) => m.queue)) return write(() => insertMessages(pool, list, now));
      // Recorded and enqueued together: a message is never pending without its job.
      return write(() =>
        transaction(async (client) => {
          const inserted = await insertMessages(client, list, now);
          const fresh = toEnqueue(inserted);
          if (fresh.length > 0) await enqueue(client, fresh);
          return inserted;
        }),
      );
    },

    get(id) {
      return run(async () => {
        const { rows } = await pool.query<MessageRow>(prepared(`SELECT ${rowColumns} FROM ${messages} WHERE id = $1`, [id]));
        return rows[0] && toStored(rows[0]);
      });
    },

    settle(id: string, settlement: Settlement, caused: NewMessage[], now: number) {
      const neverRecorded = async (db: Queryable) => (await db.query(`SELECT 1 FROM ${messages} WHERE id = $1`, [id])).rowCount === 0;
      if (settleWriter || !enqueue || caused.length === 0) {
        // Nothing to enqueue, or enqueued by the statement's own writes: the one statement is the
        // whole step, with no transaction around it.
        return write(async () => {
          if (await settleAndRecord(pool, id, settlement, caused, now, settleWriter)) return true;
          if (await neverRecorded(pool)) throw new Error(`cannot settle message ${id}: it was never recorded`);
          return false;
        });
      }
      return write(() =>
        transaction(async (client) => {
          // Only a pending message: a concurrent second settle waits for the first's row lock,
          // then finds the row no longer pending and changes nothing.
          if (!(await settleAndRecord(client, id, settlement, caused, now))) {
            if (await neverRecorded(client)) throw new Error(`cannot settle message ${id}: it was never recorded`);
            return false;
          }
          await enqueue(client, caused, { settled: id });
          return true;
        }),
      );
    },

    recordAttempt(id, change = 1) {
      return run(async () => {
        const { rows } = await pool.query<{ attempts: number }>(
          `UPDATE ${messages} SET attempts = GREATEST(0, attempts + $2) WHERE id = $1 AND status = 'pending' RETURNING attempts`,
          [id, change],
        );
        return rows[0]?.attempts;
      });
    },

    beginAttempt(message, now) {
      return write(async () => toStored(await beginAttempts({ message, now })));
    },

    recordFailure(id, reason) {
      return run(async () => {
        const updated = await pool.query(`UPDATE ${messages} SET failures = failures + 1, reason = $2 WHERE id = $1 AND status = 'pending'`, [id, reason]);
        return (updated.rowCount ?? 0) > 0;
      });
    },

    find(query: MessageQuery) {
      return run(async () => {
        const limit = query.limit ?? defaultLimit;
        if (!Number.isInteger(limit) || limit < 0) throw new Error(`limit must be a non-negative integer, got ${limit}`);
        const where: string[] = [];
        const params: unknown[] = [];
        const add = (condition: (param: string) => string, value: unknown) => {
          params.push(value);
          where.push(condition(`$${params.length}`));
        };
        if (query.type !== undefined) add((p) => `type = ${p}`, query.type);
        if (query.key !== undefined) add((p) => `key = ${p}`, query.key);
        if (query.status !== undefined) add((p) => `status = ${p}`, query.status);
        if (typeof query.causedBy === 'string') add((p) => `caused_by = ${p}`, query.causedBy);
        else if (query.causedBy !== undefined) add((p) => `caused_by = ANY(${p}::text[])`, query.causedBy);
        if (query.validTime?.from !== undefined) add((p) => `valid_time >= ${p}`, query.validTime.from);
        if (query.validTime?.to !== undefined) add((p) => `valid_time <= ${p}`, query.validTime.to);
        params.push(limit);
        const { rows } = await pool.query<MessageRow>(
          `SELECT * FROM ${messages} ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
           ORDER BY valid_time ASC NULLS LAST, seq
           LIMIT $${params.length}`,
          params,
        );
        return rows.map(toStored);
      });
    },

    unsettled(rootIds) {
      return run(async () => {
        if (rootIds.length === 0) return 0;
        // Along the index of pending messages by root: no walk of the tree.
        const { rows } = await pool.query<{ pending: number }>(
          `SELECT COUNT(*)::integer AS pending FROM ${messages}
           WHERE status = 'pending' AND root IN (SELECT root FROM ${messages} WHERE id = ANY($1::text[]))`,
          [rootIds],
        );
        return rows[0]?.pending ?? 0;
      });
    },

    revive(ids, now, queueOf) {
      return write(() =>
        transaction(async (client) => {
          // One statement: a message revived concurrently by two callers goes to the first only,
          // since the second re-checks `status = 'dead'` after the first's row lock.
          const all = ids === 'all';
          if (!all && ids.length === 0) return [];
          const { rows } = await client.query<MessageRow>(
            `UPDATE ${messages} SET status = 'pending', attempts = 0, failures = 0, reason = NULL, updated_at = $1
             WHERE status = 'dead' ${all ? '' : 'AND id = ANY($2::text[])'}
             RETURNING *`,
            all ? [now] : [now, ids],
          );
          const order = all ? undefined : new Map(ids.map((id, i) => [id, i]));
          const revived = rows
            .sort((a, b) => (order ? order.get(a.id)! - order.get(b.id)! : compareSeq(a.seq, b.seq)))
            .map(toStored);
          if (enqueue && queueOf) {
            // Enqueued in the same transaction: a revived message is never pending without its job.
            const routed = revived.flatMap((m) => {
              const queue = queueOf(m.type);
              return queue ? [{ ...m, queue }] : [];
            });
            if (routed.length > 0) await enqueue(client, routed);
          }
          return revived;
        }),
      );
    },

    addToWindow(group, member, size) {
      return run(() => fanIn.addToWindow(group, member, size));
    },

    windowOf(group, memberId) {
      return run(() => fanIn.windowOf(group, memberId));
    },

    openWindow(group) {
      return run(() => fanIn.openWindow(group));
    },

    addPart(set, expected, part) {
      return run(() => fanIn.addPart(set, expected, part));
    },

    prune(before) {
      if (!Number.isFinite(before)) return Promise.reject(new Error(`prune: before must be epoch milliseconds, got ${before}`));
      return run(async () => {
        // Rule 3 (see prune-rule.ts): the first position of a window or known set still open.
        const pin = (await fanIn.prunePin()) ?? '9223372036854775807';
        // Each step its own statement: no long transaction, no lock held for long. Rows a
        // concurrent prune removed first are skipped, so processes may prune at once. The keys of
        // pending messages (rule 2) are read once per step by the status index, then hashed.
        const removed = await pruneInSteps(async (limit) => {
          const { rowCount } = await pool.query(
            `WITH RECURSIVE kept(id) AS (
               SELECT caused_by FROM ${messages} WHERE status IN ('pending', 'dead') AND caused_by IS NOT NULL
               UNION
               SELECT m.caused_by FROM ${messages} m JOIN kept ON m.id = kept.id WHERE m.caused_by IS NOT NULL
             ), held(key) AS (
               SELECT DISTINCT key FROM ${messages} WHERE status = 'pending' AND key IS NOT NULL
             )
             DELETE FROM ${messages} WHERE seq IN (
               SELECT m.seq FROM ${messages} m
               WHERE m.status = 'done' AND m.updated_at < $1 AND m.seq <= $2
                 AND NOT EXISTS (SELECT 1 FROM kept WHERE kept.id = m.id)
                 AND NOT EXISTS (SELECT 1 FROM held WHERE held.key = m.key)
               ORDER BY m.seq LIMIT $3
             )`,
            [before, pin, limit],
          );
          return rowCount ?? 0;
        });
        // A prune's deletes are many writes at once: fold them in now.
        await foldCountsUnlessBusy();
        return removed;
      });
    },

    async close() {
      closed = true;
      // Let running operations finish; the pool itself is the caller's to end.
      await Promise.allSettled([...inFlight]);
    },
  };
}

/** The messages' columns as arrays, for `unnest($1::text[], … $8::text[])`: id, type, body, key, valid time, cause, status, reason. */
/** The columns a new message brings, in the order {@link messageValues} gives them. */
const messageRowColumns: readonly RowColumn[] = [
  ['id', 'text'],
  ['type', 'text'],
  ['body', 'jsonb'],
  ['key', 'text'],
  ['valid_time', 'bigint'],
  ['caused_by', 'text'],
  ['status', 'text'],
  ['reason', 'text'],
];

function messageValues(m: NewMessage): unknown[] {
  return [m.id, m.type, JSON.stringify(m.body), m.key ?? null, m.validTime ?? null, m.causedBy ?? null, m.status ?? 'pending', m.reason ?? null];
}

function toStored(row: MessageRow): StoredMessage {
  return {
    id: row.id,
    type: row.type,
    body: row.body,
    key: row.key ?? undefined,
    validTime: row.valid_time === null ? undefined : Number(row.valid_time),
    causedBy: row.caused_by ?? undefined,
    status: row.status,
    attempts: row.attempts,
    failures: row.failures,
    reason: row.reason ?? undefined,
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
  };
}

/**
 * For each message, where its root comes from when its cause is not recorded yet: a cause within
 * the list is walked up to the first message whose cause is outside it (`cause`: that one's root,
 * or the cause itself) or that has none (`hint`: its own id).
 */
function rootsWithin(list: NewMessage[]): { cause: string | null; hint: string }[] {
  const found = new Map<string, { cause: string | null; hint: string }>();
  return list.map((m) => {
    const root = m.causedBy === undefined ? { cause: null, hint: m.id } : (found.get(m.causedBy) ?? { cause: m.causedBy, hint: m.causedBy });
    if (!found.has(m.id)) found.set(m.id, root);
    return root;
  });
}

/** Orders bigserial values, which pg returns as decimal strings. */
function compareSeq(a: string, b: string): number {
  return a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);
}

/** Adds the likely cause to errors that mean the schema was never migrated. */
function explain(error: unknown, schema: string | undefined): unknown {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  if (typeof message !== 'string') return error;
  const missingTable = code === '42P01' && /relation "(?:[^"]*\.)?(?:messages|fan_in_\w+)" does not exist/.test(message);
  const missingSchema = code === '3F000' && schema !== undefined && message.includes(`"${schema}"`);
  if (!missingTable && !missingSchema) return error;
  const where = schema === undefined ? "the pool's search_path" : `schema ${schema}`;
  return new Error(`the state store's tables are missing in ${where}: run migrate() first (${message})`, { cause: error });
}
