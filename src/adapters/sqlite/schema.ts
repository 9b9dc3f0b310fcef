/** Versioned schema for the SQLite state store; each entry migrates from the previous version. */
export const migrations: string[] = [
  `
  CREATE TABLE messages (
    seq        INTEGER PRIMARY KEY AUTOINCREMENT,
    id         TEXT NOT NULL UNIQUE,
    type       TEXT NOT NULL,
    body       TEXT NOT NULL,
    key        TEXT,
    valid_time INTEGER,
    caused_by  TEXT,
    status     TEXT NOT NULL CHECK (status IN ('pending', 'done', 'dead')),
    attempts   INTEGER NOT NULL DEFAULT 0,
    reason     TEXT,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
  );
  CREATE INDEX messages_by_type_key_time ON messages (type, key, valid_time, seq);
  CREATE INDEX messages_by_status ON messages (status, seq);
  CREATE INDEX messages_by_cause ON messages (caused_by);

  CREATE TABLE members (
    seq        INTEGER PRIMARY KEY AUTOINCREMENT,
    grp        TEXT NOT NULL,
    id         TEXT NOT NULL,
    ord        REAL NOT NULL,
    value      TEXT NOT NULL,
    batch      INTEGER,
    UNIQUE (grp, id)
  );
  CREATE INDEX members_unbatched ON members (grp, batch, seq);

  CREATE TABLE batches (
    grp        TEXT NOT NULL,
    idx        INTEGER NOT NULL,
    closed_by  TEXT NOT NULL,
    PRIMARY KEY (grp, idx)
  );
  `,
  `
  CREATE INDEX messages_by_type_seq ON messages (type, seq);
  CREATE INDEX messages_by_key_seq ON messages (key, seq);
  CREATE INDEX messages_by_settled ON messages (updated_at);
  `,
  // Counts by type and status kept by triggers, so every write (whichever statement makes it)
  // moves them in its own transaction and reading them scans nothing; created_at indexed for
  // time-window searches; and, per fan-in member and batch, the newest message when it joined or
  // closed, from which on prune keeps what the fan-in may still look up (see prune).
  // NULL: from before this version; a member then keeps everything while it waits.
  `
  CREATE INDEX messages_by_created ON messages (created_at, seq);

  CREATE TABLE message_counts (
    type   TEXT NOT NULL,
    status TEXT NOT NULL,
    n      INTEGER NOT NULL,
    PRIMARY KEY (type, status)
  ) WITHOUT ROWID;
  INSERT INTO message_counts (type, status, n) SELECT type, status, COUNT(*) FROM messages GROUP BY type, status;

  CREATE TRIGGER messages_counted_on_insert AFTER INSERT ON messages BEGIN
    INSERT INTO message_counts (type, status, n) VALUES (NEW.type, NEW.status, 1)
      ON CONFLICT (type, status) DO UPDATE SET n = n + 1;
  END;
  CREATE TRIGGER messages_counted_on_update AFTER UPDATE OF type, status ON messages
  WHEN OLD.type IS NOT NEW.type OR OLD.status IS NOT NEW.status BEGIN
    UPDATE message_counts SET n = n - 1 WHERE type = OLD.type AND status = OLD.status;
    INSERT INTO message_counts (type, status, n) VALUES (NEW.type, NEW.status, 1)
      ON CONFLICT (type, status) DO UPDATE SET n = n + 1;
  END;
  CREATE TRIGGER messages_counted_on_delete AFTER DELETE ON messages BEGIN
    UPDATE message_counts SET n = n - 1 WHERE type = OLD.type AND status = OLD.status;
  END;

  ALTER TABLE members ADD COLUMN joined_after INTEGER;
  ALTER TABLE batches ADD COLUMN closed_after INTEGER;
  CREATE INDEX batches_by_closed ON batches (closed_after);
  `,
  // Attempts that failed and were retried, apart from those begun: the difference is the attempts
  // whose process died. Pending messages from before this version count every attempt as failed:
  // which of them died is not known, and none is reported as a death it may not have been.
  `
  ALTER TABLE messages ADD COLUMN failures INTEGER NOT NULL DEFAULT 0;
  UPDATE messages SET failures = attempts WHERE status = 'pending';
  `,
  // Fan-in records a key-value store can keep too (see the port): per group an open window (fewer
  // members than its size) and one row per closed batch, per member a small link, per known set
  // one row; and per message the root of its causal tree, so what is pending below a root is one
  // count on an index. Roots are filled by walking the causes once; a cause the store does not
  // hold is taken as the root, as a save does.
  //
  // The members and batches tables go. Their groups are carried over, and since the old tables
  // did not say whether a group was a window or a known set, each group becomes what its rows can
  // be: a window always (links, batches, the members still waiting), and a known set too when it
  // has at most one batch and nothing outside it (complete with that batch's members, or still
  // awaiting parts). Either way its expected names, which the old rows did not keep (nor their
  // order), come with the first part added after the upgrade. A group
  // still open is thus both a window and a set, both holding prune where its first member joined;
  // the first use as one (`carried` on the window, no `expected` on the set) drops the other.
  `
  ALTER TABLE messages ADD COLUMN root TEXT;
  CREATE TEMP TABLE message_roots (id TEXT PRIMARY KEY, root TEXT NOT NULL) WITHOUT ROWID;
  INSERT INTO message_roots (id, root)
  WITH RECURSIVE tree(id, root) AS (
    SELECT id, COALESCE(caused_by, id) FROM messages WHERE caused_by IS NULL OR caused_by NOT IN (SELECT id FROM messages)
    UNION
    SELECT m.id, tree.root FROM messages m JOIN tree ON m.caused_by = tree.id
  )
  SELECT id, MIN(root) FROM tree GROUP BY id;
  UPDATE messages SET root = r.root FROM message_roots r WHERE r.id = messages.id;
  UPDATE messages SET root = id WHERE root IS NULL;
  DROP TABLE temp.message_roots;
  CREATE INDEX messages_pending_by_root ON messages (root) WHERE status = 'pending';

  CREATE TABLE fan_in_windows (
    grp          TEXT PRIMARY KEY,
    closed       INTEGER NOT NULL,
    members      TEXT NOT NULL,
    opened_after INTEGER,
    carried      INTEGER NOT NULL DEFAULT 0
  );
  CREATE INDEX fan_in_windows_open ON fan_in_windows (opened_after) WHERE opened_after IS NOT NULL;
  CREATE TABLE fan_in_batches (
    grp       TEXT NOT NULL,
    idx       INTEGER NOT NULL,
    members   TEXT NOT NULL,
    closed_by TEXT NOT NULL,
    PRIMARY KEY (grp, idx)
  ) WITHOUT ROWID;
  CREATE TABLE fan_in_links (
    grp TEXT NOT NULL,
    id  TEXT NOT NULL,
    idx INTEGER NOT NULL,
    PRIMARY KEY (grp, id)
  ) WITHOUT ROWID;
  CREATE TABLE fan_in_sets (
    name         TEXT PRIMARY KEY,
    expected     TEXT,
    parts        TEXT NOT NULL,
    completed_by TEXT,
    opened_after INTEGER
  );
  CREATE INDEX fan_in_sets_open ON fan_in_sets (opened_after) WHERE opened_after IS NOT NULL;

  CREATE TEMP TABLE old_groups AS
    SELECT grp,
           (SELECT COUNT(*) FROM batches b WHERE b.grp = g.grp) AS batches,
           (SELECT COALESCE(MAX(idx), 0) FROM batches b WHERE b.grp = g.grp) AS closed,
           (SELECT COUNT(*) FROM members m WHERE m.grp = g.grp AND m.batch IS NULL) AS waiting,
           (SELECT MIN(COALESCE(joined_after, 0)) FROM members m WHERE m.grp = g.grp AND m.batch IS NULL) AS opened_after
    FROM (SELECT DISTINCT grp FROM members) g;
  INSERT INTO fan_in_links (grp, id, idx)
    SELECT m.grp, m.id, COALESCE(m.batch, g.closed + 1) FROM members m JOIN old_groups g ON g.grp = m.grp;
  INSERT INTO fan_in_batches (grp, idx, members, closed_by)
    SELECT b.grp, b.idx,
           (SELECT json_group_array(json_object('id', m.id, 'order', m.ord, 'value', json(m.value)) ORDER BY m.ord, m.seq)
            FROM members m WHERE m.grp = b.grp AND m.batch = b.idx),
           b.closed_by
    FROM batches b;
  INSERT INTO fan_in_windows (grp, closed, members, opened_after, carried)
    SELECT g.grp, g.closed,
           (SELECT json_group_array(json_object('id', m.id, 'order', m.ord, 'value', json(m.value)) ORDER BY m.seq)
            FROM members m WHERE m.grp = g.grp AND m.batch IS NULL),
           g.opened_after, g.batches = 0
    FROM old_groups g;
  INSERT INTO fan_in_sets (name, expected, parts, completed_by, opened_after)
    SELECT g.grp,
           NULL,
           (SELECT json_group_object(m.id, json(m.value)) FROM members m WHERE m.grp = g.grp),
           (SELECT b.closed_by FROM batches b WHERE b.grp = g.grp),
           CASE WHEN g.batches = 0 THEN g.opened_after END
    FROM old_groups g WHERE g.batches = 0 OR (g.batches = 1 AND g.waiting = 0);
  DROP TABLE temp.old_groups;
  DROP TABLE members;
  DROP TABLE batches;
  `,
];
