/**
 * The host's settings, read once: the defaults every part shares, an error naming the variable for
 * each that cannot work, and the values reaching the parts that use them (the dashboard's token).
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { leaseDefaults } from '../src/adapters/pg-boss/lease.js';
import { readSettings } from '../src/cli/settings.js';
import { SettingError } from '../src/core/url-setting.js';
import { dataflowArgs, runDataflow } from './support/cli.js';

describe('readSettings', () => {
  it('fills in the documented defaults, the same ones the runtimes fall back to', () => {
    const settings = readSettings({}, { cwd: '/srv/app' });
    assert.equal(settings.dir, resolve('/srv/app', '.dataflow'));
    assert.equal(settings.schema, 'dataflow');
    assert.equal(settings.leaseSeconds, leaseDefaults.leaseSeconds, "the transport's own default");
    assert.equal(settings.linkExpiresSeconds, 604_800);
    assert.equal(settings.logLevel, 'info');
    assert.equal(settings.logTo, 'stderr');
    assert.deepEqual(settings.dashboard, { port: 7070, host: '127.0.0.1', token: undefined });
    assert.equal(settings.databaseUrl, undefined);
    assert.equal(settings.retry, undefined);
    assert.equal(settings.retentionMs, undefined);
    assert.equal(settings.s3PathStyle, false);
    assert.deepEqual(settings.secrets, []);
    assert.equal(readSettings({}, { cwd: '/srv/app', terminal: true }).logTo, join('/srv/app', '.dataflow', 'dataflow.log'), 'on a terminal, logs go beside the data');
  });

  it('reads every setting into typed values', () => {
    const settings = readSettings(
      {
        DATAFLOW_DIR: 'data',
        DATABASE_URL: 'postgres://app:db-password@db:5432/flows',
        DATAFLOW_SCHEMA: 'flows_1',
        DATAFLOW_LEASE_SECONDS: '45',
        DATAFLOW_RETRY: 'maxAttempts=3,email-sender.maxAttempts=9',
        DATAFLOW_RETENTION: '30d',
        DATAFLOW_CONCURRENCY: 'mediator=8',
        DATAFLOW_LOG: 'logs/df.log',
        DATAFLOW_DASHBOARD_PORT: 'off',
        DATAFLOW_DASHBOARD_TOKEN: 'a-token-of-24-characters',
        AWS_ENDPOINT_URL: 'http://127.0.0.1:9000',
      },
      { cwd: '/srv/app' },
    );
    assert.equal(settings.dir, '/srv/app/data');
    assert.equal(settings.schema, 'flows_1');
    assert.equal(settings.leaseSeconds, 45);
    assert.deepEqual(settings.retry, { maxAttempts: 3, perConsumer: { 'email-sender': { maxAttempts: 9 } } });
    assert.equal(settings.retentionMs, 30 * 86_400_000);
    assert.deepEqual(settings.concurrency, { mediator: 8 });
    assert.equal(settings.logTo, '/srv/app/logs/df.log');
    assert.equal(settings.dashboard.port, undefined, 'off');
    assert.equal(settings.s3PathStyle, true, 'an S3-compatible endpoint wants path-style addresses');
    assert.deepEqual([...settings.secrets].sort(), ['a-token-of-24-characters', 'db-password']);
  });

  it('names the variable of the first setting that cannot work', () => {
    const cases: [Record<string, string>, RegExp][] = [
      [{ DATAFLOW_LEASE_SECONDS: 'soon' }, /^DATAFLOW_LEASE_SECONDS must be a positive number, got "soon"$/],
      [{ DATAFLOW_SCHEMA: 'My-Schema' }, /^DATAFLOW_SCHEMA must be lower-case letters, digits and _/],
      [{ DATAFLOW_LINK_EXPIRES_SECONDS: '700000' }, /^DATAFLOW_LINK_EXPIRES_SECONDS must be a whole number of seconds up to 604800/],
      [{ DATAFLOW_LOG_LEVEL: 'loud' }, /^DATAFLOW_LOG_LEVEL must be debug, info, warn, error or silent, got "loud"$/],
      [{ DATAFLOW_CONCURRENCY: 'mediator' }, /^DATAFLOW_CONCURRENCY must look like thumbnail-creator=4,mediator=8/],
      [{ DATAFLOW_RETRY: 'tries=3' }, /^DATAFLOW_RETRY must be comma-separated field=number pairs/],
      [{ DATAFLOW_RETENTION: 'forever' }, /^DATAFLOW_RETENTION must be a duration like 30d/],
      [{ DATAFLOW_DASHBOARD_PORT: '99999' }, /^DATAFLOW_DASHBOARD_PORT must be a port from 0 to 65535, or off, got "99999"$/],
      [{ SMTP_URL: 'mail.example.com:25' }, /^SMTP_URL is not a valid URL/],
    ];
    for (const [env, expected] of cases) {
      assert.throws(() => readSettings(env), (error: Error) => error instanceof SettingError && expected.test(error.message), JSON.stringify(env));
    }
  });
});

describe('settings through the command', () => {
  it('a setting that cannot work stops a command at start, in one line, with exit code 1', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'dataflow-read-settings-'));
    const { code, stderr } = await runDataflow(['failed'], { cwd: dir, env: { DATAFLOW_DIR: dir, DATAFLOW_LOG_LEVEL: 'loud' } });
    assert.equal(code, 1);
    assert.equal(stderr, 'dataflow: DATAFLOW_LOG_LEVEL must be debug, info, warn, error or silent, got "loud"\n');
  });

  it('the dashboard gets its host and token from the settings: off loopback only with the token', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'dataflow-read-settings-'));
    const env = { DATAFLOW_DIR: dir, DATAFLOW_DASHBOARD_HOST: '0.0.0.0' };
    const token = 'correct-horse-battery-staple-42';
    const processEnv: NodeJS.ProcessEnv = { ...process.env, ...env, DATAFLOW_DASHBOARD_TOKEN: token, NO_COLOR: '1' };
    for (const name of ['DATABASE_URL', 'DATAFLOW_FLOW', 'DATAFLOW_CONFIG', 'AERIS_CLIENT_ID', 'AERIS_CLIENT_SECRET']) delete processEnv[name];
    const child = spawn(process.execPath, dataflowArgs('dashboard', '--port', '0'), { env: processEnv, cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      let logs = '';
      const port = await new Promise<string>((resolvePort, reject) => {
        child.stderr!.on('data', (chunk: Buffer) => {
          logs += chunk.toString();
          const match = /dashboard: http:\/\/0\.0\.0\.0:(\d+)/.exec(logs);
          if (match) resolvePort(match[1]!);
        });
        child.once('exit', (code) => reject(new Error(`exited ${code}: ${logs}`)));
      });
      assert.equal((await fetch(`http://127.0.0.1:${port}/api/flow`)).status, 401);
      assert.equal((await fetch(`http://127.0.0.1:${port}/api/flow`, { headers: { authorization: `Bearer ${token}` } })).status, 200);
    } finally {
      child.kill('SIGTERM');
    }

    const withoutToken = await runDataflow(['dashboard', '--port', '0'], { cwd: dir, env });
    assert.equal(withoutToken.code, 1);
    assert.match(withoutToken.stderr, /will not listen on 0\.0\.0\.0 without a token: set DATAFLOW_DASHBOARD_TOKEN/);
  });
});
