/**
 * A process that dies between settle and send: it runs the toy flow, and the moment the state
 * store has settled the message `cause` as done (its reply recorded, pending), it kills itself
 * with SIGKILL, before the reply is handed to the transport.
 *
 * argv: sqlite <file> <blobs dir> | postgres <url> <schema> <blobs dir>
 */
import pg from 'pg';
import { diskBlobStore } from '../../src/adapters/disk/blob-store.js';
import { inProcessTransport } from '../../src/adapters/in-process/transport.js';
import { pgBossTransport } from '../../src/adapters/pg-boss/transport.js';
import { openPostgresStateStore } from '../../src/adapters/postgres/state-store.js';
import { openSqliteStateStore } from '../../src/adapters/sqlite/state-store.js';
import { createRuntime, type StateStore, type Transport } from '../../src/index.js';
import { toyFlow } from '../support/toy-flow.js';

const [stack, ...args] = process.argv.slice(2);

/** The store, but the process dies as soon as `cause` is settled done. */
function dyingAfterSettle(store: StateStore): StateStore {
  return {
    ...store,
    async settle(id, settlement, caused, now) {
      const settled = await store.settle(id, settlement, caused, now);
      if (id === 'cause' && settlement.status === 'done') process.kill(process.pid, 'SIGKILL');
      return settled;
    },
  };
}

let state: StateStore;
let transport: Transport;
let blobsDir: string;
if (stack === 'sqlite') {
  const [file, dir] = args as [string, string];
  state = openSqliteStateStore(file);
  transport = inProcessTransport();
  blobsDir = dir;
} else if (stack === 'postgres') {
  const [url, schema, dir] = args as [string, string, string];
  // No outbox: the reply is sent after the settle commits, as with a queue outside the database.
  state = openPostgresStateStore({ pool: new pg.Pool({ connectionString: url, max: 4 }), schema });
  transport = pgBossTransport({ connectionString: url, schema: `${schema}_queue`, expireInSeconds: 2, maintenanceIntervalSeconds: 1, pollingIntervalSeconds: 0.1 });
  blobsDir = dir;
} else {
  throw new Error('usage: settle-then-die-child sqlite <file> <blobs dir> | postgres <url> <schema> <blobs dir>');
}

const runtime = createRuntime({ flow: toyFlow().flow, state: dyingAfterSettle(state), blobs: diskBlobStore(blobsDir), transport });
await runtime.start();
await runtime.send([{ type: 'please-double', id: 'cause', n: 3 }]);
// Never reached: the settle kills the process. Should it not, say so.
await new Promise((r) => setTimeout(r, 20_000));
process.stdout.write('still alive\n');
process.exit(1);
