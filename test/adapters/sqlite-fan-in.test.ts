import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { openSqliteStateStore } from '../../src/adapters/sqlite/state-store.js';
import type { Batch, CompleteSet } from '../../src/index.js';

const run = promisify(execFile);

it('fan-in holds across processes sharing one SQLite file: 4 processes x 10 members give 8 batches, each member in one', async () => {
  const path = join(await mkdtemp(join(tmpdir(), 'dataflow-fanin-')), 'state.db');
  await openSqliteStateStore(path).close(); // migrate once before the race
  const child = fileURLToPath(new URL('./window-adder-child.ts', import.meta.url));
  // Interleaved orders, so every process's members end up mixed in the batches.
  const outputs = await Promise.all(
    [0, 1, 2, 3].map((p) => run(process.execPath, ['--conditions=source', '--import', 'tsx', child, path, 'window', String(p * 1000), '10'], { encoding: 'utf8' })),
  );
  const batches = outputs.flatMap((o) => JSON.parse(o.stdout) as Batch[]);
  assert.equal(batches.length, 8);
  const members = batches.flatMap((b) => b.members.map((m) => m.id));
  assert.equal(members.length, 40);
  assert.equal(new Set(members).size, 40, 'no member in two batches');
  assert.deepEqual(batches.map((b) => b.index).sort((a, b) => a - b), [1, 2, 3, 4, 5, 6, 7, 8]);
  for (const batch of batches) assert.deepEqual(batch.members.map((m) => m.order), [...batch.members.map((m) => m.order)].sort((a, b) => a - b));
});

it('a known set completes once across processes sharing one SQLite file: 4 processes each adding every part of 10 sets', async () => {
  const path = join(await mkdtemp(join(tmpdir(), 'dataflow-fanin-')), 'state.db');
  await openSqliteStateStore(path).close();
  const child = fileURLToPath(new URL('./window-adder-child.ts', import.meta.url));
  const outputs = await Promise.all([0, 1, 2, 3].map(() => run(process.execPath, ['--conditions=source', '--import', 'tsx', child, path, 'set', '0', '10'], { encoding: 'utf8' })));
  const completions = outputs.flatMap((o) => JSON.parse(o.stdout) as (CompleteSet & { pid: number; part: string })[]);
  const bySet = new Map<string, typeof completions>();
  for (const c of completions) bySet.set(c.set, [...(bySet.get(c.set) ?? []), c]);
  assert.equal(bySet.size, 10, 'every set completed');
  for (const [set, got] of bySet) {
    // Its completer, and the replays of that same part by the processes that came after.
    assert.equal(new Set(got.map((c) => c.completedBy)).size, 1, `${set}: one completing part`);
    const completer = (got[0]!.parts.find((p) => p.name === got[0]!.completedBy)!.value as { pid: number }).pid;
    assert.equal(got.filter((c) => c.pid === completer).length, 1, `${set}: completed once by the process whose part was last`);
    assert.ok(got.every((c) => c.part === c.completedBy), `${set}: the others are replays of that same part`);
  }
});
