/**
 * URL settings through the `dataflow` command: a wrong one stops the command at start with the
 * variable's name and what is wrong, and a password in one reaches no output, log or stored file.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, readdir } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { SMTPServer } from 'smtp-server';
import { dataflowArgs } from './support/cli.js';

const PASSWORD = `pw${randomBytes(12).toString('hex')}`;

async function dataflow(args: string[], settings: Record<string, string>, input?: string) {
  const dir = await mkdtemp(join(tmpdir(), 'dataflow-settings-'));
  const env: NodeJS.ProcessEnv = { ...process.env, DATAFLOW_DIR: dir, NO_COLOR: '1' };
  for (const name of ['AERIS_CLIENT_ID', 'AERIS_CLIENT_SECRET', 'AERIS_MAPS_URL', 'SMTP_URL', 'DATAFLOW_CONFIG', 'DATABASE_URL', 'DATAFLOW_BLOBS', 'DATAFLOW_LOG']) delete env[name];
  return new Promise<{ code: number; stdout: string; stderr: string; dir: string }>((resolve) => {
    const child = execFile(process.execPath, dataflowArgs(...args), { env: { ...env, ...settings }, cwd: dir, timeout: 60_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr, dir });
    });
    if (input !== undefined) child.stdin!.end(input);
  });
}

async function assertNoPassword(result: { stdout: string; stderr: string; dir: string }) {
  assert.ok(!result.stdout.includes(PASSWORD), `the password is in the output: ${result.stdout}`);
  assert.ok(!result.stderr.includes(PASSWORD), `the password is in the logs: ${result.stderr}`);
  const entries = await readdir(result.dir, { recursive: true, withFileTypes: true });
  for (const file of entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name))) {
    assert.ok(!(await readFile(file)).toString('latin1').includes(PASSWORD), `the password is in ${file}`);
  }
}

/** The command stopped at once, saying only what is wrong with the setting. */
async function assertRefused(result: { code: number; stdout: string; stderr: string; dir: string }, expected: RegExp) {
  assert.equal(result.code, 1, `${result.stdout}\n${result.stderr}`);
  assert.equal(result.stderr.trim().split('\n').length, 1, result.stderr);
  assert.match(result.stderr, expected);
  assert.doesNotMatch(result.stderr, /Invalid URL|ENOTFOUND|ECONNREFUSED/);
  await assertNoPassword(result);
}

describe('URL settings', () => {
  it('a DATABASE_URL that is not PostgreSQL\'s, or no URL, stops every command naming the variable and never its password', async () => {
    const mysql = /^dataflow: DATABASE_URL must be a postgres:\/\/ or postgresql:\/\/ URL, not mysql:\/\/ \(got "mysql:\/\/\*\*\*@127\.0\.0\.1:9\/app"\)/;
    for (const command of [['run', '--once'], ['failed'], ['migrate'], ['trace', 'some-id'], ['dashboard', '--port', '0']]) {
      await assertRefused(await dataflow(command, { DATABASE_URL: `mysql://root:${PASSWORD}@127.0.0.1:9/app` }), mysql);
    }
    const cases: [string, RegExp][] = [
      ['not a url', /^dataflow: DATABASE_URL is not a valid URL \(got "not a url"\): expected one like postgres:\/\//],
      ['127.0.0.1:9/app', /^dataflow: DATABASE_URL is not a valid URL \(got "127\.0\.0\.1:9\/app"; did you mean "postgres:\/\/127\.0\.0\.1:9\/app"\?\)/],
      [`postgres://app:${PASSWORD}@127.0.0.1:99999/app`, /^dataflow: DATABASE_URL is not a valid URL \(got "postgres:\/\/\*\*\*@127\.0\.0\.1:99999\/app"\)/],
    ];
    for (const [value, expected] of cases) await assertRefused(await dataflow(['migrate'], { DATABASE_URL: value }), expected);
  });

  it('SMTP_URL, DATAFLOW_BLOBS and AERIS_MAPS_URL are checked at start, each named with what is wrong', async () => {
    const aeris = { AERIS_CLIENT_ID: 'client-abc', AERIS_CLIENT_SECRET: 'secret-xyz' };
    const cases: [Record<string, string>, RegExp][] = [
      [{ SMTP_URL: 'mail.example.com:587' }, /SMTP_URL is not a valid URL \(got "mail\.example\.com:587"; did you mean "smtp:\/\/mail\.example\.com:587"\?\)/],
      [{ SMTP_URL: `http://mailer:${PASSWORD}@127.0.0.1:9` }, /SMTP_URL must be an smtp:\/\/ or smtps:\/\/ URL, not http:\/\/ \(got "http:\/\/\*\*\*@127\.0\.0\.1:9"\)/],
      [{ DATAFLOW_BLOBS: '/srv/blobs' }, /DATAFLOW_BLOBS must be file:\/\/\/folder or s3:\/\/bucket\/prefix \(got "\/srv\/blobs"\)/],
      [{ DATAFLOW_BLOBS: `s3://key:${PASSWORD}@bucket/runs` }, /DATAFLOW_BLOBS: invalid blobs URL "s3:\/\/\*\*\*@bucket\/runs": credentials do not belong in the URL/],
      [{ ...aeris, AERIS_MAPS_URL: '127.0.0.1:7920' }, /AERIS_MAPS_URL is not a valid URL \(got "127\.0\.0\.1:7920"; did you mean "http:\/\/127\.0\.0\.1:7920"\?\)/],
      [{ ...aeris, AERIS_MAPS_URL: 'ftp://maps.example.com' }, /AERIS_MAPS_URL must be an http:\/\/ or https:\/\/ URL/],
    ];
    for (const [settings, expected] of cases) await assertRefused(await dataflow(['run', '--once'], settings), expected);
  });

  it('a password in AERIS_MAPS_URL stops the start, named, and reaches no output, log or file', async () => {
    const settings = { AERIS_CLIENT_ID: 'client-abc', AERIS_CLIENT_SECRET: 'secret-xyz', AERIS_MAPS_URL: `http://maps:${PASSWORD}@127.0.0.1:9` };
    await assertRefused(await dataflow(['run', '--once'], settings), /AERIS_MAPS_URL must not hold a user name or password \(got "http:\/\/\*\*\*@127\.0\.0\.1:9"\)/);
  });

  it('a mail server that quotes the password in its refusal: the dead letter keeps the refusal, not the password', async () => {
    const server = new SMTPServer({
      disabledCommands: ['STARTTLS'], // the package's built-in certificate has expired
      allowInsecureAuth: true,
      logger: false,
      onAuth(auth, _session, callback) {
        callback(Object.assign(new Error(`no user ${auth.username} with password ${auth.password}`), { responseCode: 535 }));
      },
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.server.address() as AddressInfo;
      const mail = JSON.stringify({ type: 'please-send-email', to: ['user@example.com'], from: 'dataflow@example.com', subject: 'Hi', body: '<p>Hi</p>' });
      const settings = { SMTP_URL: `smtp://mailer:${PASSWORD}@127.0.0.1:${port}?ignoreTLS=true` };
      const sent = await dataflow(['send', '-'], settings, mail);
      assert.equal(sent.code, 2, sent.stderr);
      await assertNoPassword(sent);
      const failed = await new Promise<{ stdout: string; stderr: string }>((resolve) =>
        execFile(process.execPath, dataflowArgs('failed'), { env: { ...process.env, DATAFLOW_DIR: sent.dir, ...settings } }, (_error, stdout, stderr) => resolve({ stdout, stderr })),
      );
      const [dead] = failed.stdout.trim().split('\n').map((line) => JSON.parse(line) as { type: string; reason: string });
      assert.equal(dead!.type, 'please-send-email');
      assert.match(dead!.reason, /the mail server refused the mail: Invalid login: 535 no user mailer with password \[redacted\]/);
      await assertNoPassword({ ...failed, dir: sent.dir });
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
