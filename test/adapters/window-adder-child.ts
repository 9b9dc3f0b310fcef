/**
 * A child process for the multi-process fan-in tests: adds its members to the window of a shared
 * group (`window`), or its parts to shared known sets (`set`), and prints what it got back.
 *
 * argv: <database file> <window|set> <first> <count>
 */
import { openSqliteStateStore } from '../../src/adapters/sqlite/state-store.js';

const [path, mode, first, count] = process.argv.slice(2);
const store = openSqliteStateStore(path!);
const results = [];
for (let i = 0; i < Number(count); i++) {
  const n = Number(first) + i;
  if (mode === 'window') {
    const batch = await store.addToWindow('frames:shared', { id: String(n), order: n, value: { pid: process.pid } }, 5);
    if (batch) results.push(batch);
  } else {
    // Every process adds every part of each set: ten sets of four parts.
    for (const part of ['gif', 'thumbnail:1', 'thumbnail:2', 'thumbnail:3']) {
      const set = await store.addPart(`mail:${i}`, ['gif', 'thumbnail:1', 'thumbnail:2', 'thumbnail:3'], { name: part, value: { pid: process.pid } });
      if (set) results.push({ ...set, pid: process.pid, part });
    }
  }
}
await store.close();
process.stdout.write(JSON.stringify(results));
