/**
 * What a flow declares a worker touches (`defineFlow({ access })`) holds in every runtime, not only
 * where IAM enforces it: a read or write outside it dead-letters the message at once, saying which
 * key and what the declaration allows, and the flow goes on.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { z } from 'zod';
import { defineFlow, defineMediator, defineMessage, defineWorker, type Message } from '../../src/index.js';
import { createTestRuntime } from '../../src/testing/index.js';

const PleaseCopy = defineMessage('please-copy', z.object({ from: z.string(), to: z.string() }));
const DidCopy = defineMessage('did-copy', z.object({ key: z.string() }));

function copyFlow(access: Parameters<typeof defineFlow>[0]['access']) {
  const copier = defineWorker({
    name: 'copier',
    accepts: PleaseCopy,
    replies: DidCopy,
    async handle(m, { blobs }) {
      const body = await blobs.get({ Bucket: 'dataflow', Key: m.from });
      const location = await blobs.put(m.to, body);
      return { key: location.Key };
    },
  });
  return defineFlow({ name: 'copy', workers: [copier], mediator: defineMediator({ name: 'mediator', rules: [] }), messages: [DidCopy], access });
}

async function copying(access: Parameters<typeof copyFlow>[0], copies: { from: string; to: string }[]) {
  const kit = await createTestRuntime(copyFlow(access));
  for (const key of ['uploads/a.txt', 'private/b.txt']) await kit.blobs.put({ Bucket: 'dataflow', Key: key }, Buffer.from(key));
  await kit.run(copies.map((c) => ({ type: 'please-copy', ...c })));
  const done = kit.messages({ type: 'did-copy' }).map((m) => (m.body as Message).key);
  const dead = kit.deadLetters().map((m) => [(m.body as Message).from, m.attempts, m.reason]);
  await kit.stop();
  return { done, dead };
}

describe('declared access', () => {
  it('dead-letters a read outside what the worker declares it reads, and a write outside what it writes, naming both', async () => {
    const { done, dead } = await copying({ copier: { reads: ['uploads/'], writes: ['copier/copies/'] } }, [
      { from: 'uploads/a.txt', to: 'copies/a.txt' },
      { from: 'private/b.txt', to: 'copies/b.txt' },
      { from: 'uploads/a.txt', to: 'elsewhere/a.txt' },
    ]);
    assert.deepEqual(done, ['copier/copies/a.txt'], 'what it declares goes on');
    assert.deepEqual(dead.map(([from, attempts]) => [from, attempts]), [['private/b.txt', 1], ['uploads/a.txt', 1]], 'no retry: it can never work');
    assert.match(String(dead[0]![2]), /copier may read only under uploads\/, not "private\/b\.txt": add its prefix to reads in defineFlow\(\{ access: \{ "copier": … \} \}\)/);
    assert.match(String(dead[1]![2]), /copier may write only under copier\/copies\/, not "copier\/elsewhere\/a\.txt"/);
  });

  it('lets a worker the flow declares nothing for read every blob and write its own prefix', async () => {
    const { done, dead } = await copying(undefined, [{ from: 'private/b.txt', to: 'b.txt' }]);
    assert.deepEqual(done, ['copier/b.txt']);
    assert.equal(dead.length, 0);
  });

  it('refuses every read to a worker declared with none', async () => {
    const { dead } = await copying({ copier: { writes: ['copier/'] } }, [{ from: 'uploads/a.txt', to: 'a.txt' }]);
    assert.match(String(dead[0]?.[2]), /copier declares no reads, not "uploads\/a\.txt"/);
  });
});
