/**
 * The root entry is the core alone: it imports with better-sqlite3, pg, pg-boss, nodemailer,
 * sharp and the AWS SDK unresolvable. The cluster entry loads the AWS SDK only for s3:// blobs.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { describe, it } from 'node:test';

const blocker = new URL('../support/block-packages.mjs', import.meta.url).href;

/** Runs an ESM snippet in a child with tsx, the `source` condition and the blocker. */
function withoutHeavyPackages(code: string, blocked?: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const args = ['--conditions=source', '--import', import.meta.resolve('tsx'), '--import', blocker, '--input-type=module', '-e', code];
    const env = { ...process.env, ...(blocked ? { DATAFLOW_BLOCKED: blocked } : {}) };
    execFile(process.execPath, args, { cwd: new URL('../..', import.meta.url), env, timeout: 60_000 }, (error, stdout, stderr) =>
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr }),
    );
  });
}

describe('the package entry points', () => {
  it('dataflow (the root) imports with the drivers, mailer, image library and AWS SDK absent, and defines a flow', async () => {
    const { code, stdout, stderr } = await withoutHeavyPackages(`
      const { defineFlow, defineMediator, defineWorker, defineMessage } = await import('dataflow');
      const flow = defineFlow({ name: 'f', workers: [], mediator: defineMediator({ name: 'm', rules: [] }) });
      console.log(typeof defineWorker, typeof defineMessage, flow.name);
    `);
    assert.equal(code, 0, stderr);
    assert.equal(stdout.trim(), 'function function f');
  });

  it('a serverless handler needs only the root: its processor answers a batch, what it caused sent before any ack', async () => {
    const { code, stdout, stderr } = await withoutHeavyPackages(`
      const { createProcessor, defineFlow, defineMediator, defineWorker, defineMessage } = await import('dataflow');
      const { memoryStateStore, memoryBlobStore } = await import('dataflow/testing');
      const schema = { '~standard': { version: 1, vendor: 'test', validate: (value) => ({ value }) } };
      const Ask = defineMessage('please-echo', schema);
      const Echo = defineMessage('did-echo', schema);
      const worker = defineWorker({ name: 'echo', accepts: Ask, replies: Echo, handle: async () => ({}) });
      const flow = defineFlow({ name: 'f', workers: [worker], mediator: defineMediator({ name: 'm', rules: [] }), messages: [Echo] });
      const sent = [];
      const processor = createProcessor({ flow, state: memoryStateStore(), blobs: memoryBlobStore(), sender: { send: async (queue, deliveries) => sent.push(queue + ':' + deliveries.length) } });
      const results = await processor.processBatch('echo', [{ message: { type: 'please-echo', id: 'a' }, attempt: 1 }, { message: 'not json', attempt: 1 }]);
      console.log(results.map((r) => r.outcome.kind).join(','), sent.join(','));
    `);
    assert.equal(code, 0, stderr);
    assert.equal(stdout.trim(), 'ack,dead m:1');
  });

  it('the blocker is real: dataflow/embedded, which needs better-sqlite3, does not import under it', async () => {
    const { code, stderr } = await withoutHeavyPackages(`await import('dataflow/embedded');`);
    assert.notEqual(code, 0);
    assert.match(stderr, /Cannot find package "(better-sqlite3|nodemailer|sharp)" \(blocked\)/);
  });

  it('dataflow/cluster opens a file:// blob store without the AWS SDK, and needs it for s3://', async () => {
    const { code, stdout, stderr } = await withoutHeavyPackages(
      `const { openBlobStore } = await import('dataflow/cluster');
      const blobs = await openBlobStore('file:///tmp/dataflow-entry-test-blobs');
      console.log(typeof blobs.put);
      await openBlobStore('s3://some-bucket/prefix').then(() => console.log('s3 opened'), (error) => console.log(error.message));`,
      '@aws-sdk/',
    );
    assert.equal(code, 0, stderr);
    assert.deepEqual(stdout.trim().split('\n'), ['function', 'Cannot find package "@aws-sdk/client-s3" (blocked)']);
  });
});
