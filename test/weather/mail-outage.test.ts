/**
 * A mail server that is down for a while: with the default retry policy the mail waits it out and
 * arrives, with no re-drive. Real processes (`dataflow send`), a real SMTP server on loopback.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { startSmtpServer } from '../support/smtp-server.js';
import { dataflowArgs } from '../support/cli.js';


describe('a mail server outage', () => {
  it('the mail server is down for 20 s: the mail still arrives, and nothing is dead-lettered', { timeout: 240_000 }, async () => {
    const dir = await mkdtemp(join(tmpdir(), 'dataflow-outage-'));
    const first = await startSmtpServer();
    const url = first.url;
    const port = Number(new URL(url).port);
    await first.close();
    const downAt = Date.now();

    const env: NodeJS.ProcessEnv = { ...process.env, DATAFLOW_DIR: dir, NO_COLOR: '1', SMTP_URL: url };
    for (const name of ['AERIS_CLIENT_ID', 'AERIS_CLIENT_SECRET', 'DATAFLOW_CONFIG', 'DATABASE_URL', 'DATAFLOW_RETRY']) delete env[name];
    let stderr = '';
    const sent = new Promise<{ code: number; stdout: string }>((resolve) => {
      const child = execFile(process.execPath, dataflowArgs('send', '-'), { env, cwd: dir, timeout: 200_000 }, (error, stdout) =>
        resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout }),
      );
      child.stderr!.on('data', (chunk) => (stderr += chunk));
      child.stdin!.end(JSON.stringify({ type: 'please-send-email', to: ['user@example.com'], from: 'dataflow@example.com', subject: 'Outage', body: '<p>still here</p>' }));
    });

    // The mail server stays down for 20 s, whatever the flow does meanwhile.
    await new Promise((resolve) => setTimeout(resolve, 20_000 - (Date.now() - downAt)));
    const back = await startSmtpServer({ port });
    try {
      const { code, stdout } = await sent;
      assert.match(stderr, /email-sender.*again in/, 'the mail was tried while the server was down');
      assert.equal(code, 0, `send says nothing died:\n${stderr}`);
      assert.match(stdout, /did-send-email/);
      const [mail] = await back.waitFor(1);
      assert.equal(mail!.subject, 'Outage');
    } finally {
      await back.close();
    }
  });
});
