/**
 * Many processes on one database: two mediators and two processes of each worker, all real.
 * 100 imageIds x 10 frames must give exactly 200 GIFs (5 frames each) and 200 mails.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { skipWithoutPostgres } from '../support/postgres.js';
import { frames, startCluster, type Cluster } from './cluster.js';

describe('the cluster runtime at scale', { skip: await skipWithoutPostgres() }, () => {
  let cluster: Cluster;
  before(async () => {
    cluster = await startCluster();
  });
  after(async () => {
    await cluster?.close();
  });

  it('2 mediators and 2 processes per worker: 100 imageIds x 10 frames give exactly 200 GIFs and 200 mails', { timeout: 300_000 }, async () => {
    const first = cluster.start(['mediator', 'worker:thumbnail-creator', 'worker:email-sender']);
    await first.waitFor('waiting for messages'); // the schema is migrated once, before the others race
    const processes = [
      first,
      cluster.start(['mediator', 'worker:thumbnail-creator', 'worker:email-sender']),
      cluster.start(['worker:gif-creator']),
      cluster.start(['worker:gif-creator']),
    ];
    await Promise.all(processes.map((p) => p.waitFor('waiting for messages')));
    const imageIds = Array.from({ length: 100 }, (_, i) => `map ${i}`);
    const { code, stderr } = await cluster.send(await frames(cluster, imageIds, 10, { width: 24, height: 16 }));
    assert.equal(code, 0, stderr);
    assert.equal(await cluster.count('did-create-thumbnail'), 1000);
    assert.equal(await cluster.count('please-create-gif'), 200);
    assert.equal(await cluster.count('did-create-gif'), 200);
    assert.equal(await cluster.count('did-send-email'), 200);
    const unfinished = await cluster.query<{ n: string }>(`SELECT COUNT(*) AS n FROM messages WHERE status <> 'done'`);
    assert.equal(Number(unfinished[0]?.n), 0, 'nothing dead, nothing pending');
    const reused = await cluster.query(
      `SELECT loc FROM (SELECT jsonb_array_elements(body->'locations')->>'Key' AS loc FROM messages WHERE type = 'please-create-gif') t GROUP BY loc HAVING COUNT(*) > 1`,
    );
    assert.deepEqual(reused, [], 'no frame in two GIFs');
  });
});
