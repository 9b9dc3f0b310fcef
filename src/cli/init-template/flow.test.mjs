// The flow in memory, with dataflow's test kit: `node --test` runs this file.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createTestRuntime } from 'dataflow/testing';
import flow from './flow.mjs';

test('tidies a text, counts its words and writes a report', async () => {
  const kit = await createTestRuntime(flow);
  await kit.run({ type: 'please-tidy-text', text: '  Hello,   Data   Flow!  ' });

  const [counted] = kit.messages({ type: 'did-count-words' });
  assert.equal(counted.body.words, 3);
  // Every message records its cause, back to what was sent.
  assert.deepEqual(kit.chain(counted.id).map((m) => m.type), ['please-tidy-text', 'did-tidy-text', 'please-count-words', 'did-count-words']);
  assert.deepEqual(kit.blobs.list().map((b) => b.body.toString()), ['3 word(s): Hello, Data Flow!\n']);
  await kit.stop();
});

test('a message that does not fit its schema is rejected with the field, and kept as a dead letter', async () => {
  const kit = await createTestRuntime(flow);
  const { rejected } = await kit.run({ type: 'please-tidy-text', text: 42 });
  assert.match(rejected[0].reason, /text: expected a string/);
  assert.equal(kit.deadLetters().length, 1);
  await kit.stop();
});
