/** The one pool builder's first query: its error names the server, never a password. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkReachable, postgresPool } from '../../src/adapters/postgres/pool.js';

describe('checkReachable', () => {
  it('names the server without the password, also when the password holds a raw /', async () => {
    // Nothing listens on port 1: the connection is refused at once.
    const pool = postgresPool({ connectionString: 'postgres://dataflow@127.0.0.1:1/flows' });
    try {
      const url = 'postgres://dataflow:5432/secret-word-9@127.0.0.1:1/flows';
      await assert.rejects(checkReachable(pool, { url, setting: 'DATABASE_URL' }), (error: Error) => {
        assert.match(error.message, /^DATABASE_URL: cannot use PostgreSQL at 127\.0\.0\.1:1\/flows: the connection was refused/);
        assert.ok(!error.message.includes('secret-word'), error.message);
        return true;
      });
    } finally {
      await pool.end();
    }
  });
});
