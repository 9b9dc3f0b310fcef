/**
 * Leases: a running handler renews its job's lease, so the lease can be short. A killed process's
 * job comes back within about a lease (default settings, real processes), and a handler running
 * longer than the lease keeps its job.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, it } from 'node:test';
import pg from 'pg';
import { z } from 'zod';
import { outboxMailer } from '../../src/adapters/mail/outbox-mailer.js';
import { openClusterRuntime } from '../../src/runtimes/cluster.js';
import { defineFlow, defineMediator, defineMessage, defineWorker, type Runtime } from '../../src/index.js';
import { skipWithoutPostgres, testDatabaseUrl } from '../support/postgres.js';
import { frames, startCluster } from './cluster.js';

const activeJobs = (cluster: Awaited<ReturnType<typeof startCluster>>, queue: string) =>
  cluster.query<{ n: string }>(`SELECT COUNT(*) AS n FROM "${cluster.schema}_queue".job WHERE name = $1 AND state = 'active'`, [queue]).then((rows) => Number(rows[0]!.n));

describe('job leases', { skip: await skipWithoutPostgres() }, () => {
  it('with the default settings, a job held by a worker killed with SIGKILL completes in another process within a minute', { timeout: 180_000 }, async () => {
    const cluster = await startCluster({ leaseSeconds: 'default' });
    try {
      const rest = cluster.start(['mediator', 'worker:thumbnail-creator', 'worker:email-sender']);
      await rest.waitFor('waiting for messages');
      const doomed = cluster.start(['worker:gif-creator']);
      await doomed.waitFor('waiting for messages');
      const sending = cluster.send(await frames(cluster, ['killed'], 5, { width: 1600, height: 1200 }));
      const deadline = Date.now() + 60_000;
      while ((await activeJobs(cluster, 'gif-creator')) === 0) {
        assert.ok(Date.now() < deadline, 'a GIF job became active');
        await new Promise((r) => setTimeout(r, 20));
      }
      await doomed.kill('SIGKILL');
      const killedAt = Date.now();
      assert.equal(await cluster.count('did-create-gif'), 0, 'killed mid-job');
      const survivor = cluster.start(['worker:gif-creator']);
      while ((await cluster.count('did-create-gif')) === 0) {
        assert.ok(Date.now() - killedAt < 60_000, `the GIF was made within a minute of the kill:\n${survivor.output().slice(-2000)}`);
        await new Promise((r) => setTimeout(r, 200));
      }
      process.stderr.write(`a killed worker's GIF job was done by another process ${Date.now() - killedAt} ms after SIGKILL\n`);
      const { code, stderr } = await sending;
      assert.equal(code, 0, stderr);
      assert.equal(await cluster.count('did-send-email'), 1);
    } finally {
      await cluster.close();
    }
  });

  it('a handler running four times its lease is not taken over while it runs', { timeout: 120_000 }, async () => {
    const schema = `dataflow_lease_${randomBytes(4).toString('hex')}`;
    const dir = await mkdtemp(join(tmpdir(), 'dataflow-lease-'));
    const PleaseSleep = defineMessage('please-sleep', z.object({ ms: z.number() }));
    const DidSleep = defineMessage('did-sleep', z.object({ ms: z.number() }));
    const starts: string[] = [];
    const flowIn = (process: string) => () =>
      defineFlow({
        name: 'sleepy',
        workers: [
          defineWorker({
            name: 'sleeper',
            accepts: PleaseSleep,
            replies: DidSleep,
            timeoutMs: 60_000,
            async handle(m) {
              starts.push(process);
              await new Promise((resolve) => setTimeout(resolve, m.ms));
              return { ms: m.ms };
            },
          }),
        ],
        mediator: defineMediator({ name: 'mediator', rules: [] }),
        messages: [DidSleep],
      });
    const runtimes: Runtime[] = [];
    try {
      // Two processes' worth of runtimes, each with one free slot: whichever does not hold the job would take it over.
      for (const name of ['one', 'two']) {
        const runtime = await openClusterRuntime(flowIn(name), {
          databaseUrl: testDatabaseUrl,
          blobsUrl: pathToFileURL(join(dir, 'blobs')).href,
          mailer: outboxMailer(join(dir, 'outbox')),
          schema,
          leaseSeconds: 2,
          concurrency: { sleeper: 1 },
        });
        runtimes.push(runtime);
        await runtime.start();
      }
      const { accepted } = await runtimes[0]!.send([{ type: 'please-sleep', ms: 8000 }]);
      await runtimes[0]!.settled(accepted.map((m) => m.id));
      await new Promise((resolve) => setTimeout(resolve, 3000)); // a stray second start would show by now
      assert.equal(starts.length, 1, `started once, not taken over: ${starts.join(', ')}`);
      assert.equal((await runtimes[0]!.state.get(accepted[0]!.id))?.status, 'done');
    } finally {
      await Promise.all(runtimes.map((r) => r.stop()));
      const admin = new pg.Client({ connectionString: testDatabaseUrl });
      await admin.connect();
      await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await admin.query(`DROP SCHEMA IF EXISTS "${schema}_queue" CASCADE`);
      await admin.end();
    }
  });
});
