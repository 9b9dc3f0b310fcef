/** Faults a cluster must survive, each with real processes. */
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { skipWithoutPostgres } from '../support/postgres.js';
import { frames, startCluster, type Cluster } from './cluster.js';

describe('cluster faults', { skip: await skipWithoutPostgres() }, () => {
  let cluster: Cluster;
  beforeEach(async () => {
    cluster = await startCluster({ leaseSeconds: 3 });
  });
  afterEach(async () => {
    await cluster?.close();
  });

  const activeJobs = async (queue: string) =>
    Number((await cluster.query<{ n: string }>(`SELECT COUNT(*) AS n FROM "${cluster.schema}_queue".job WHERE name = $1 AND state = 'active'`, [queue]))[0]!.n);

  it('a worker killed with SIGKILL mid-job: its message is delivered again and the flow completes, one GIF per window', { timeout: 120_000 }, async () => {
    const rest = cluster.start(['mediator', 'worker:thumbnail-creator', 'worker:email-sender']);
    await rest.waitFor('waiting for messages');
    const doomed = cluster.start(['worker:gif-creator'], { DATAFLOW_CONCURRENCY: 'gif-creator=1' });
    await doomed.waitFor('waiting for messages');
    // Large noisy frames, so a GIF takes long enough to be caught in the middle.
    const sending = cluster.send(await frames(cluster, ['a', 'b', 'c', 'd'], 5, { width: 1600, height: 1200 }));
    const deadline = Date.now() + 60_000;
    while ((await activeJobs('gif-creator')) === 0) {
      assert.ok(Date.now() < deadline, 'a GIF job became active');
      await new Promise((r) => setTimeout(r, 20));
    }
    await doomed.kill('SIGKILL');
    const survivor = cluster.start(['worker:gif-creator']);
    const { code, stderr } = await sending;
    assert.equal(code, 0, `${stderr}\n${survivor.output()}`);
    assert.equal(await cluster.count('did-create-gif'), 4);
    assert.equal(await cluster.count('did-send-email'), 4);
  });

  it('a worker stopped with SIGTERM mid-job finishes what it holds, exits cleanly, and loses nothing', { timeout: 120_000 }, async () => {
    const rest = cluster.start(['mediator', 'worker:thumbnail-creator', 'worker:email-sender']);
    await rest.waitFor('waiting for messages');
    const stopping = cluster.start(['worker:gif-creator'], { DATAFLOW_CONCURRENCY: 'gif-creator=1' });
    await stopping.waitFor('waiting for messages');
    const sending = cluster.send(await frames(cluster, ['s1', 's2', 's3'], 5, { width: 1600, height: 1200 }));
    const deadline = Date.now() + 60_000;
    while ((await activeJobs('gif-creator')) === 0) {
      assert.ok(Date.now() < deadline, 'a GIF job became active');
      await new Promise((r) => setTimeout(r, 20));
    }
    const code = await stopping.kill('SIGTERM');
    assert.equal(code, 0, stopping.output().slice(-2000));
    assert.match(stopping.output(), /stopping: letting running work finish/);
    assert.ok((await cluster.count('please-create-gif')) >= 1, 'the GIF it was making was finished, not dropped');
    cluster.start(['worker:gif-creator']);
    const { code: sent, stderr } = await sending;
    assert.equal(sent, 0, stderr);
    assert.equal(await cluster.count('did-create-gif'), 3);
    assert.equal(await cluster.count('did-send-email'), 3);
  });

  it('a mediator killed mid-stream: no duplicate GIF or mail, no lost frame', { timeout: 120_000 }, async () => {
    const workers = cluster.start(['worker:thumbnail-creator', 'worker:gif-creator', 'worker:email-sender']);
    const doomed = cluster.start(['mediator']);
    await Promise.all([workers.waitFor('waiting for messages'), doomed.waitFor('waiting for messages')]);
    const sending = cluster.send(await frames(cluster, Array.from({ length: 10 }, (_, i) => `m${i}`), 10));
    // Kill it once it has handled some frames, whatever it is doing then.
    const deadline = Date.now() + 60_000;
    while ((await cluster.count('did-fetch-amp-image')) < 30) {
      assert.ok(Date.now() < deadline, 'the mediator made progress');
      await new Promise((r) => setTimeout(r, 10));
    }
    await doomed.kill('SIGKILL');
    cluster.start(['mediator']);
    const { code, stderr } = await sending;
    assert.equal(code, 0, stderr);
    assert.equal(await cluster.count('did-fetch-amp-image'), 100, 'no lost frame');
    assert.equal(await cluster.count('please-create-gif'), 20, 'no duplicate GIF request');
    assert.equal(await cluster.count('did-create-gif'), 20);
    assert.equal(await cluster.count('please-send-email'), 20, 'no duplicate mail');
    assert.equal(await cluster.count('did-send-email'), 20);
  });

  it('a poison message ends in the dead letters after its tries and blocks nothing', { timeout: 120_000 }, async () => {
    // A fast policy: by default a failing message is tried for minutes.
    const all = cluster.start(['mediator', 'worker:thumbnail-creator', 'worker:gif-creator', 'worker:email-sender'], { DATAFLOW_RETRY: 'maxAttempts=5,baseDelayMs=200,maxDelayMs=2000' });
    await all.waitFor('waiting for messages');
    const poison = { type: 'please-create-thumbnail', imageId: 'poison', location: { Bucket: 'dataflow', Key: 'amp-image-fetcher/missing.png' }, width: 10, height: 10, validTime: 1 };
    const { code, stdout } = await cluster.send([poison, ...(await frames(cluster, ['healthy'], 5))]);
    assert.equal(code, 2, 'send says something died');
    const [dead] = await cluster.query<{ type: string; reason: string; attempts: number }>(`SELECT type, reason, attempts FROM messages WHERE status = 'dead'`);
    assert.equal(dead?.type, 'please-create-thumbnail');
    assert.match(dead!.reason, /no blob at dataflow\/amp-image-fetcher\/missing\.png.*after 5 attempts/);
    assert.equal(dead!.attempts, 5);
    assert.equal(await cluster.count('did-send-email'), 1, 'the healthy frames went through');
    assert.match(stdout, /did-send-email/);
  });
});
