/**
 * Versioned schema for the PostgreSQL state store.
 *
 * `migrations` is an ordered list: entry `i` takes the schema from version `i` to version `i + 1`,
 * and a release only ever appends to it. The versions applied are recorded in
 * `dataflow_migrations(version, applied_at)`, next to the tables.
 *
 * `migrate` is safe to call from many processes at once, and again on every start: it runs in one
 * transaction that first takes a transaction-scoped advisory lock for the target schema, so one
 * caller applies what is missing while the others wait, then find nothing left to do. PostgreSQL
 * DDL is transactional, so a failed step leaves the schema as it was before the call.
 */
import pg from 'pg';

export interface Migration {
  /** 1, 2, 3 …: the schema version this step produces. */
  version: number;
  /** What the step does, for errors and the log. */
  name: string;
  /** Runs with the target schema first on the search_path, so names stay unqualified. */
  sql: string;
}

export const migrations: readonly Migration[] = [
  {
    version: 1,
    name: 'messages, fan-in members and batches',
    sql: `
      CREATE TABLE messages (
        seq        bigserial PRIMARY KEY,
        id         text NOT NULL UNIQUE,
        type       text NOT NULL,
        body       jsonb NOT NULL,
        key        text,
        valid_time bigint,
        caused_by  text,
        status     text NOT NULL CHECK (status IN ('pending', 'done', 'dead')),
        attempts   integer NOT NULL DEFAULT 0,
        reason     text,
        created_at bigint NOT NULL,
        updated_at bigint NOT NULL
      );
      CREATE INDEX messages_by_type_key_time ON messages (type, key, valid_time, seq);
      CREATE INDEX messages_by_status ON messages (status, seq);
      CREATE INDEX messages_by_cause ON messages (caused_by);

      CREATE TABLE members (
        seq        bigserial PRIMARY KEY,
        grp        text NOT NULL,
        id         text NOT NULL,
        ord        double precision NOT NULL,
        value      jsonb NOT NULL,
        batch      integer,
        UNIQUE (grp, id)
      );
      CREATE INDEX members_unbatched ON members (grp, batch, seq);

      CREATE TABLE batches (
        grp        text NOT NULL,
        idx        integer NOT NULL,
        closed_by  text NOT NULL,
        PRIMARY KEY (grp, idx)
      );
    `,
  },
  {
    version: 2,
    name: 'indexes for browsing messages',
    sql: `
      CREATE INDEX messages_by_type_seq ON messages (type, seq);
      CREATE INDEX messages_by_key_seq ON messages (key, seq);
      CREATE INDEX messages_by_settled ON messages (updated_at);
    `,
  },
  {
    version: 3,
    name: 'attempts are counted before handling and given back at shutdown: never below 0',
    sql: `
      ALTER TABLE messages ADD CONSTRAINT messages_attempts_not_negative CHECK (attempts >= 0);
    `,
  },
  {
    version: 4,
    name: 'counts kept as messages change, created_at indexed, fan-in positions for prune',
    // Counts: triggers move them in the writing statement's own transaction, whichever statement it
    // is. Concurrent settles of one type would queue on a single counter row, so each statement
    // appends its net change to message_count_changes instead (insert-only, nothing to wait for),
    // which the state store folds into message_counts as it writes (reading the counts sums both,
    // writing nothing). The table is locked
    // first so no write slips between the backfill and the triggers.
    sql: `
      LOCK TABLE messages IN SHARE ROW EXCLUSIVE MODE;
      CREATE INDEX messages_by_created ON messages (created_at, seq);
      ALTER TABLE members ADD COLUMN joined_after bigint;
      ALTER TABLE batches ADD COLUMN closed_after bigint;
      CREATE INDEX batches_by_closed ON batches (closed_after);

      CREATE TABLE message_counts (
        type   text NOT NULL,
        status text NOT NULL,
        n      bigint NOT NULL,
        PRIMARY KEY (type, status)
      );
      CREATE TABLE message_count_changes (
        seq    bigserial PRIMARY KEY,
        type   text NOT NULL,
        status text NOT NULL,
        n      bigint NOT NULL
      );
      INSERT INTO message_counts (type, status, n) SELECT type, status, COUNT(*) FROM messages GROUP BY type, status;

      CREATE FUNCTION messages_count_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        INSERT INTO message_count_changes (type, status, n) SELECT type, status, COUNT(*) FROM new_rows GROUP BY type, status;
        RETURN NULL;
      END $$;
      CREATE FUNCTION messages_count_updated() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        INSERT INTO message_count_changes (type, status, n)
        SELECT type, status, SUM(n) FROM (
          SELECT type, status, -1 AS n FROM old_rows
          UNION ALL
          SELECT type, status, 1 AS n FROM new_rows
        ) moved GROUP BY type, status HAVING SUM(n) <> 0;
        RETURN NULL;
      END $$;
      CREATE FUNCTION messages_count_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        INSERT INTO message_count_changes (type, status, n) SELECT type, status, -COUNT(*) FROM old_rows GROUP BY type, status;
        RETURN NULL;
      END $$;
      -- The functions find their tables in this schema whatever the caller's search_path.
      DO $$
      BEGIN
        EXECUTE format('ALTER FUNCTION messages_count_inserted() SET search_path = %I', current_schema());
        EXECUTE format('ALTER FUNCTION messages_count_updated() SET search_path = %I', current_schema());
        EXECUTE format('ALTER FUNCTION messages_count_deleted() SET search_path = %I', current_schema());
      END $$;
      -- Once per statement, not per row: a bulk insert adds one change row per type and status.
      CREATE TRIGGER messages_counted_on_insert AFTER INSERT ON messages
        REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION messages_count_inserted();
      CREATE TRIGGER messages_counted_on_update AFTER UPDATE ON messages
        REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION messages_count_updated();
      CREATE TRIGGER messages_counted_on_delete AFTER DELETE ON messages
        REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION messages_count_deleted();
    `,
  },
  {
    version: 5,
    name: 'failed attempts counted apart from those begun, to tell them from attempts whose process died',
    // Pending messages from before this version count every attempt as failed: which of them died
    // is not known, and none is reported as a death it may not have been.
    sql: `
      ALTER TABLE messages ADD COLUMN failures integer NOT NULL DEFAULT 0;
      UPDATE messages SET failures = attempts WHERE status = 'pending';
    `,
  },
  {
    version: 6,
    name: 'fan-in records a key-value store can keep too, and each message its root',
    // Per group an open window (fewer members than its size) and one row per closed batch, per
    // member a small link, per known set one row (see the port); per message the root of its
    // causal tree, so what is pending below a root is one count on an index. Roots are filled by
    // walking the causes once; a cause the store does not hold is taken as the root, as a save
    // does. It may stay empty only in rows written around the store (a benchmark's), which no
    // wait counts.
    //
    // The members and batches tables go. Their groups are carried over, and since the old tables
    // did not say whether a group was a window or a known set, each group becomes what its rows
    // can be: a window always (links, batches, the members still waiting), and a known set too
    // when it has at most one batch and nothing outside it (complete with that batch's members, or
    // still awaiting parts). Either way its expected names, which the old rows did not keep (nor
    // their order), come with the first part added after the upgrade.
    // A group still open is thus both, each holding prune where its first member joined; the first
    // use as one (\`carried\` on the window, no \`expected\` on the set) drops the other.
    // The tables are locked first, so no write by a process still running slips between the
    // backfill and the carry-over and is lost.
    sql: `
      LOCK TABLE messages, members, batches IN SHARE ROW EXCLUSIVE MODE;
      ALTER TABLE messages ADD COLUMN root text;
      WITH RECURSIVE tree(id, root) AS (
        SELECT m.id, COALESCE(m.caused_by, m.id) FROM messages m
        WHERE m.caused_by IS NULL OR NOT EXISTS (SELECT 1 FROM messages c WHERE c.id = m.caused_by)
        UNION
        SELECT m.id, tree.root FROM messages m JOIN tree ON m.caused_by = tree.id
      )
      UPDATE messages m SET root = tree.root FROM tree WHERE tree.id = m.id;
      UPDATE messages SET root = id WHERE root IS NULL;
      CREATE INDEX messages_pending_by_root ON messages (root) WHERE status = 'pending';

      CREATE TABLE fan_in_windows (
        grp          text PRIMARY KEY,
        closed       integer NOT NULL,
        members      jsonb NOT NULL,
        opened_after bigint,
        carried      boolean NOT NULL DEFAULT false
      );
      CREATE INDEX fan_in_windows_open ON fan_in_windows (opened_after) WHERE opened_after IS NOT NULL;
      CREATE TABLE fan_in_batches (
        grp       text NOT NULL,
        idx       integer NOT NULL,
        members   jsonb NOT NULL,
        closed_by text NOT NULL,
        PRIMARY KEY (grp, idx)
      );
      CREATE TABLE fan_in_links (
        grp text NOT NULL,
        id  text NOT NULL,
        idx integer NOT NULL,
        PRIMARY KEY (grp, id)
      );
      CREATE TABLE fan_in_sets (
        name         text PRIMARY KEY,
        expected     jsonb,
        parts        jsonb NOT NULL,
        completed_by text,
        opened_after bigint
      );
      CREATE INDEX fan_in_sets_open ON fan_in_sets (opened_after) WHERE opened_after IS NOT NULL;

      CREATE TEMP TABLE fan_in_old_groups ON COMMIT DROP AS
        SELECT g.grp,
               (SELECT COUNT(*) FROM batches b WHERE b.grp = g.grp) AS batches,
               (SELECT COALESCE(MAX(idx), 0) FROM batches b WHERE b.grp = g.grp) AS closed,
               (SELECT COUNT(*) FROM members m WHERE m.grp = g.grp AND m.batch IS NULL) AS waiting,
               (SELECT MIN(COALESCE(joined_after, 0)) FROM members m WHERE m.grp = g.grp AND m.batch IS NULL) AS opened_after
        FROM (SELECT DISTINCT grp FROM members) g;
      INSERT INTO fan_in_links (grp, id, idx)
        SELECT m.grp, m.id, COALESCE(m.batch, g.closed + 1) FROM members m JOIN fan_in_old_groups g ON g.grp = m.grp;
      INSERT INTO fan_in_batches (grp, idx, members, closed_by)
        SELECT b.grp, b.idx,
               (SELECT jsonb_agg(jsonb_build_object('id', m.id, 'order', m.ord, 'value', m.value) ORDER BY m.ord, m.seq)
                FROM members m WHERE m.grp = b.grp AND m.batch = b.idx),
               b.closed_by
        FROM batches b;
      INSERT INTO fan_in_windows (grp, closed, members, opened_after, carried)
        SELECT g.grp, g.closed,
               COALESCE((SELECT jsonb_agg(jsonb_build_object('id', m.id, 'order', m.ord, 'value', m.value) ORDER BY m.seq)
                         FROM members m WHERE m.grp = g.grp AND m.batch IS NULL), '[]'),
               g.opened_after, g.batches = 0
        FROM fan_in_old_groups g;
      INSERT INTO fan_in_sets (name, expected, parts, completed_by, opened_after)
        SELECT g.grp,
               NULL,
               (SELECT jsonb_object_agg(m.id, m.value) FROM members m WHERE m.grp = g.grp),
               (SELECT b.closed_by FROM batches b WHERE b.grp = g.grp),
               CASE WHEN g.batches = 0 THEN g.opened_after END
        FROM fan_in_old_groups g WHERE g.batches = 0 OR (g.batches = 1 AND g.waiting = 0);
      DROP TABLE members;
      DROP TABLE batches;
    `,
  },
];

export interface MigrateOptions {
  /**
   * The schema to hold the tables; created when missing. @defaultValue the first schema on the
   * pool's search_path (`current_schema()`)
   */
  schema?: string;
}

export interface MigrateResult {
  /** The version found before the call (0 for an empty schema). */
  from: number;
  /** The version after it. */
  to: number;
}

/** Brings the state store's tables up to the latest version; see the module comment. */
export async function migrate(pool: pg.Pool, options: MigrateOptions = {}): Promise<MigrateResult> {
  const { schema } = options;
  if (schema === '') throw new Error('migrate: schema must be a non-empty name');
  for (const [i, m] of migrations.entries()) {
    if (m.version !== i + 1) throw new Error(`migrate: migration list is out of order at position ${i} (version ${m.version})`);
  }

  const client = await pool.connect();
  let from = 0;
  let step: Migration | undefined;
  try {
    // READ COMMITTED whatever the server default: each statement after the lock must see what the
    // previous lock holder committed.
    await client.query('BEGIN ISOLATION LEVEL READ COMMITTED');
    // Lock first: CREATE SCHEMA/TABLE IF NOT EXISTS race with each other when run concurrently.
    await client.query(`SELECT pg_advisory_xact_lock(hashtextextended('dataflow.migrate:' || COALESCE($1::text, current_schema(), ''), 0))`, [
      schema ?? null,
    ]);
    if (schema !== undefined) {
      const name = pg.escapeIdentifier(schema);
      await client.query(`CREATE SCHEMA IF NOT EXISTS ${name}`);
      await client.query(`SET LOCAL search_path TO ${name}`);
    } else {
      const { rows } = await client.query<{ schema: string | null }>('SELECT current_schema() AS schema');
      if (!rows[0]?.schema) throw new Error('no schema on the search_path exists to hold the tables; create one or pass { schema }');
    }
    await client.query(`CREATE TABLE IF NOT EXISTS dataflow_migrations (
      version    integer PRIMARY KEY,
      applied_at timestamptz NOT NULL DEFAULT now()
    )`);
    const { rows } = await client.query<{ version: number | null }>('SELECT MAX(version) AS version FROM dataflow_migrations');
    from = rows[0]?.version ?? 0;
    if (from > migrations.length) {
      throw new Error(`the state database is at schema version ${from}, newer than this release knows (${migrations.length})`);
    }
    for (const m of migrations.slice(from)) {
      step = m;
      await client.query(m.sql);
      await client.query('INSERT INTO dataflow_migrations (version) VALUES ($1)', [m.version]);
    }
    step = undefined;
    await client.query('COMMIT');
    return { from, to: migrations.length };
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    const where = schema === undefined ? '' : ` in schema ${schema}`;
    if (step) {
      throw new Error(
        `state store migration to version ${step.version} (${step.name}) failed${where}; the schema stays at version ${from}: ${(error as Error).message}`,
        { cause: error },
      );
    }
    throw new Error(`state store migration failed${where}: ${(error as Error).message}`, { cause: error });
  } finally {
    client.release();
  }
}
