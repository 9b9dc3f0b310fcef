import { describe } from 'node:test';
import { openSqliteStateStore } from '../../src/adapters/sqlite/state-store.js';
import { openPostgresStateStore } from '../../src/adapters/postgres/state-store.js';
import { migrate } from '../../src/adapters/postgres/migrations.js';
import { freshSchema, skipWithoutPostgres } from '../support/postgres.js';
import { messageBrowserConformance } from './message-browser.case.js';

messageBrowserConformance('SQLite', async () => openSqliteStateStore(':memory:'));

describe('PostgreSQL', { skip: await skipWithoutPostgres() }, () => {
  messageBrowserConformance('PostgreSQL', async () => {
    const db = await freshSchema();
    await migrate(db.pool);
    const store = openPostgresStateStore({ pool: db.pool });
    return { ...store, close: async () => (await store.close(), await db.drop()) };
  });
});
