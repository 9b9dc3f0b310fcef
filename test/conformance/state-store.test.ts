import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqliteStateStore } from '../../src/adapters/sqlite/state-store.js';
import { memoryStateStore } from '../../src/adapters/memory/state-store.js';
import { stateStoreConformance } from './state-store.case.js';

stateStoreConformance('SQLite in memory', async () => openSqliteStateStore(':memory:'));
stateStoreConformance('SQLite file', async () => openSqliteStateStore(join(await mkdtemp(join(tmpdir(), 'dataflow-state-')), 'state.db')));
stateStoreConformance('in memory', async () => memoryStateStore());
