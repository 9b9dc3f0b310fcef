/** `dataflow send` on the cluster when no process consumes a queue its work needs: it says so and stops waiting. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { skipWithoutPostgres } from '../support/postgres.js';
import { startCluster, type Cluster } from './cluster.js';

const fetch = { type: 'please-fetch-amp-image', imageId: 'nobody-fetches', layers: ['flat-dk'], width: 64, height: 48, center: 'athens,ga', zoom: 5, validTime: '-0h' };

describe('send with no process on a queue', { skip: await skipWithoutPostgres() }, () => {
  let cluster: Cluster;
  before(async () => {
    cluster = await startCluster();
    await cluster.start(['mediator']).waitFor('waiting for messages');
  });
  after(async () => {
    await cluster?.close();
  });

  it('with only a mediator running, send names amp-image-fetcher after the 30 s grace and exits non-zero', { timeout: 120_000 }, async () => {
    const started = Date.now();
    const { code, stderr } = await cluster.send([fetch]);
    const seconds = (Date.now() - started) / 1000;
    assert.notEqual(code, 0, stderr);
    assert.match(stderr, /no process consumes amp-image-fetcher .*for over 30 s.*start dataflow run --role worker:amp-image-fetcher/);
    assert.ok(seconds >= 30 && seconds < 60, `gave up after ${seconds.toFixed(1)} s`);
    assert.equal(await cluster.count('please-fetch-amp-image', 'pending'), 1, 'the message waits for a fetcher; nothing is lost');
  });

  it('--timeout bounds the whole wait, and still names what no process consumes', { timeout: 60_000 }, async () => {
    const started = Date.now();
    const { code, stderr } = await cluster.send([{ ...fetch, imageId: 'nobody-fetches-2' }], ['--timeout', '2s']);
    const seconds = (Date.now() - started) / 1000;
    assert.notEqual(code, 0, stderr);
    assert.match(stderr, /gave up after 2 s with 1 message\(s\) still pending: no process consumes amp-image-fetcher/);
    assert.ok(seconds < 25, `gave up after ${seconds.toFixed(1)} s`);
  });

  it('--timeout must be a duration', async () => {
    const { code, stderr } = await cluster.send([fetch], ['--timeout', 'soon']);
    assert.equal(code, 64);
    assert.match(stderr, /--timeout must be a duration like 30d, 12h, 90m or 45s.*got "soon"/);
  });
});
