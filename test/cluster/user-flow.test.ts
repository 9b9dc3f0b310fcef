/** A user's flow module on the cluster runtime: `run --flow` processes do the work `send --flow` asks for. */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { skipWithoutPostgres } from '../support/postgres.js';
import { doublingFlow, userProject } from '../support/user-flow.js';
import { startCluster, type Cluster } from './cluster.js';

describe('a user flow on the cluster', { skip: await skipWithoutPostgres() }, () => {
  let cluster: Cluster;
  let flow = '';
  before(async () => {
    cluster = await startCluster();
    flow = join(await userProject({ 'flow.mjs': doublingFlow }), 'flow.mjs');
  });
  after(async () => {
    await cluster?.close();
  });

  it('run --flow processes (mediator, worker) handle what send --flow sends, through PostgreSQL and the shared blobs', { timeout: 120_000 }, async () => {
    const mediator = cluster.start(['mediator'], {}, ['--flow', flow]);
    const worker = cluster.start(['worker:doubler'], {}, ['--flow', flow]);
    await Promise.all([mediator.waitFor('waiting for messages'), worker.waitFor('waiting for messages')]);
    assert.match(mediator.output(), /dataflow: doubling; state in PostgreSQL/);
    const { code, stdout, stderr } = await cluster.send([{ type: 'please-double', n: 21 }, { type: 'please-double', n: 5 }], ['--flow', flow]);
    assert.equal(code, 0, `${stderr}\n${mediator.output()}\n${worker.output()}`);
    const results = stdout.trim().split('\n').map((line) => JSON.parse(line) as { type: string; result?: number });
    assert.deepEqual(results.filter((m) => m.type === 'did-double').map((m) => m.result).sort((a, b) => a! - b!), [10, 42]);
    assert.equal(await cluster.count('did-double'), 2);
    assert.equal(await readFile(join(cluster.blobsDir, 'dataflow', 'doubler', 'n-21-times-2.txt'), 'utf8'), '42');
  });
});
