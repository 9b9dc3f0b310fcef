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
];
