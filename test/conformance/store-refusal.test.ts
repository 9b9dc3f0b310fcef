import { describe } from 'node:test';
import { memoryStateStore } from '../../src/adapters/memory/state-store.js';
import { migrate } from '../../src/adapters/postgres/migrations.js';
import { openPostgresStateStore } from '../../src/adapters/postgres/state-store.js';
import { openSqliteStateStore } from '../../src/adapters/sqlite/state-store.js';
import type { StateStore } from '../../src/index.js';
import { freshSchema, skipWithoutPostgres } from '../support/postgres.js';
import { storeRefusalConformance } from './store-refusal.case.js';

storeRefusalConformance('in memory', async () => memoryStateStore());
storeRefusalConformance('SQLite', async () => openSqliteStateStore(':memory:'));

describe('PostgreSQL', { skip: await skipWithoutPostgres() }, () => {
  const open = async (): Promise<StateStore> => {
    const db = await freshSchema();
    await migrate(db.pool);
    const store = openPostgresStateStore({ pool: db.pool });
    return { ...store, close: async () => (await store.close(), await db.drop()) };
  };
  const frame = (id: string, extra: object) => ({ id, type: 'did-fetch-amp-image', body: { type: 'did-fetch-amp-image', id, dateCreated: 1 }, ...extra });
  storeRefusalConformance('PostgreSQL', open, [
    { what: 'a NUL character in a body', message: frame('nul', { body: { type: 'did-fetch-amp-image', id: 'nul', dateCreated: 1, text: 'a\u0000b' } }), reason: /SQLSTATE 22P05/ },
    { what: 'a valid time out of bigint\'s range', message: frame('far', { validTime: 1e20 }), reason: /SQLSTATE 22003/ },
  ]);
});
