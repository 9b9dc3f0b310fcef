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
];
