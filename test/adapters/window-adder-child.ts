/** A child process for the multi-process fan-in test: adds its members to the window of a shared group. */
import { openSqliteStateStore } from '../../src/adapters/sqlite/state-store.js';

const [path, first, count] = process.argv.slice(2);
const store = openSqliteStateStore(path!);
const batches = [];
for (let i = 0; i < Number(count); i++) {
  const order = Number(first) + i;
  const batch = await store.addToWindow('frames:shared', { id: String(order), order, value: { pid: process.pid } }, 5);
  if (batch) batches.push(batch);
}
await store.close();
process.stdout.write(JSON.stringify(batches));
