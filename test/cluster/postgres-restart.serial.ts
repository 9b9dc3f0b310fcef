/**
 * PostgreSQL restarted during a run: every process reconnects and the run completes with nothing
 * lost. It restarts the machine's server, so it runs alone, after the other suites
 * (`npm run test:serial`), and only where it may: as root, with pg_ctlcluster.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { skipWithoutPostgres } from '../support/postgres.js';
import { frames, startCluster, type Cluster } from './cluster.js';

function restartPostgres(): void {
  const [version] = readdirSync('/etc/postgresql');
  execFileSync('pg_ctlcluster', ['--skip-systemctl-redirect', version!, 'main', 'restart'], { stdio: 'inherit' });
}

const cannotRestart = process.getuid?.() !== 0 ? 'restarting PostgreSQL needs root' : undefined;

describe('PostgreSQL restarted during a run', { skip: cannotRestart ?? (await skipWithoutPostgres()) }, () => {
  let cluster: Cluster;
  before(async () => {
    cluster = await startCluster({ leaseSeconds: 3 });
  });
  after(async () => {
    await cluster?.close();
  });

  it('every process reconnects and the run completes with nothing lost', { timeout: 240_000 }, async () => {
    const first = cluster.start(['mediator', 'worker:thumbnail-creator', 'worker:gif-creator', 'worker:email-sender']);
    await first.waitFor('waiting for messages');
    const second = cluster.start(['mediator', 'worker:thumbnail-creator', 'worker:gif-creator', 'worker:email-sender']);
    await second.waitFor('waiting for messages');
    const sending = cluster.send(await frames(cluster, Array.from({ length: 20 }, (_, i) => `r${i}`), 10));
    const deadline = Date.now() + 60_000;
    while ((await cluster.count('did-create-thumbnail')) < 20) {
      assert.ok(Date.now() < deadline, 'the run made progress before the restart');
      await new Promise((r) => setTimeout(r, 20));
    }
    restartPostgres();
    const { code, stderr } = await sending;
    assert.equal(code, 0, `${stderr}\n--- first:\n${first.output().slice(-3000)}\n--- second:\n${second.output().slice(-3000)}`);
    assert.equal(first.child.exitCode, null, 'the processes are still running');
    assert.equal(second.child.exitCode, null);
    assert.equal(await cluster.count('did-fetch-amp-image'), 200, 'no frame lost');
    assert.equal(await cluster.count('did-create-gif'), 40);
    assert.equal(await cluster.count('did-send-email'), 40);
    assert.equal(await cluster.count('please-send-email', 'dead'), 0);
  });
});
