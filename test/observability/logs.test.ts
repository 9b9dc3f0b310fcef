import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { describe, it } from 'node:test';
import { diskBlobStore } from '../../src/adapters/disk/blob-store.js';
import { inProcessTransport } from '../../src/adapters/in-process/transport.js';
import { openSqliteStateStore } from '../../src/adapters/sqlite/state-store.js';
import { createRuntime } from '../../src/index.js';
import { createLogger } from '../../src/observability/logger.js';
import { secretsFromEnvironment, textScrubber } from '../../src/observability/secrets.js';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { toyFlow } from '../support/toy-flow.js';

function capture() {
  const stream = new PassThrough();
  const lines: Record<string, unknown>[] = [];
  stream.on('data', (chunk: Buffer) => {
    for (const line of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(line));
  });
  return { stream, lines };
}

describe('structured logs', () => {
  it('every line about a message carries its id, type and cause, as JSON', async () => {
    const { stream, lines } = capture();
    const { flow } = toyFlow();
    const runtime = createRuntime({
      flow,
      state: openSqliteStateStore(':memory:'),
      blobs: diskBlobStore(await mkdtemp(join(tmpdir(), 'dataflow-logs-'))),
      transport: inProcessTransport(),
      log: createLogger({ level: 'debug', destination: stream }),
      retry: { baseDelayMs: 1, maxDelayMs: 2 },
    });
    await runtime.start();
    const { accepted } = await runtime.send([{ type: 'please-double', n: 2 }, { type: 'please-double', n: 3, fail: 'always' }]);
    await runtime.idle();
    await runtime.stop();
    await new Promise((r) => setImmediate(r));
    const about = lines.filter((l) => l.messageId);
    assert.ok(about.length >= 8, `lines about messages: ${about.length}`);
    for (const line of about) {
      assert.equal(typeof line.type, 'string');
      assert.ok('causedBy' in line, `causedBy on ${JSON.stringify(line)}`);
      assert.equal(typeof line.time, 'string');
    }
    const handled = about.filter((l) => l.msg === 'handled');
    const reply = handled.find((l) => l.type === 'did-double');
    assert.equal(reply?.causedBy, accepted[0]!.id, 'a reply names the request that caused it');
    assert.ok(about.some((l) => l.msg === 'failed; will retry' && l.level === 40));
    assert.ok(about.some((l) => l.msg === 'dead-lettered' && l.level === 50 && /flaky failure/.test(String(l.reason))));
  });

  it('finds the secrets in the environment: credentials, and passwords in URLs even when not well-formed', () => {
    const environment = {
      AWS_SECRET_ACCESS_KEY: 's3cr3t/value',
      DATABASE_URL: 'postgres://user:pa%24%24word@db:5432/x',
      SMTP_URL: 'smtp://app:50%off-Secret@mail:25',
      DATAFLOW_BLOBS: 'file:///tmp/x',
    };
    assert.deepEqual(secretsFromEnvironment(environment).sort(), ['50%off-Secret', 'pa$$word', 'pa%24%24word', 's3cr3t/value'].sort());
  });

  it('finds the dashboard token and the password in every URL setting of the host', () => {
    const found = secretsFromEnvironment({ DATAFLOW_DASHBOARD_TOKEN: 'token-0123456789abcdef', DATAFLOW_BLOBS: 's3://key:blob-pass-word@bucket/x', AWS_SESSION_TOKEN: 'session-token-1' });
    assert.deepEqual(found.sort(), ['blob-pass-word', 'session-token-1', 'token-0123456789abcdef']);
  });

  it('knows no flow\'s variables: a flow declares the secrets it reads (ProvidedFlow.secrets)', () => {
    assert.deepEqual(secretsFromEnvironment({ AERIS_CLIENT_SECRET: 'weather-secret', AERIS_MAPS_URL: 'http://maps:map-pass-word@proxy.internal:8080' }), []);
  });

  it('finds a password that holds a raw / (up to the last @), and the one in SMTP_URL', () => {
    const found = secretsFromEnvironment({ DATABASE_URL: 'postgres://user:pass/word-1@db:5432/x', SMTP_URL: 'smtps://mailer:public-pass-2@mail.example.com' });
    assert.deepEqual(found.sort(), ['pass/word-1', 'public-pass-2']);
  });

  it('scrubs a secret in the forms an error page or a URL gives it, inside a log line too', async () => {
    const secret = `s3cr&t <'"> v/lue`;
    const forms = [secret, encodeURIComponent(secret), encodeURI(secret), encodeURIComponent(secret).replace(/%20/g, '+'), 's3cr&amp;t &lt;&#39;&quot;&gt; v/lue', 's3cr&amp;t &lt;\'&quot;&gt; v/lue'];
    const { stream, lines } = capture();
    createLogger({ destination: stream, secrets: [secret] }).info({ forms }, 'seen');
    await new Promise((r) => setImmediate(r));
    assert.deepEqual((lines[0] as { forms: string[] }).forms, forms.map(() => '[redacted]'));
  });

  it('scrubs a secret as written, URL-encoded, form-encoded or JSON-escaped', () => {
    const scrub = textScrubber(['s3cr3t/value', 'with "quotes" and space']);
    const text = JSON.stringify({ a: 'https://maps/id_s3cr3t/value/x.png', b: 's3cr3t%2Fvalue', c: 'with "quotes" and space', d: 'with%20%22quotes%22%20and%20space', e: 'with+%22quotes%22+and+space' });
    const scrubbed = scrub(text);
    assert.ok(!/s3cr3t|quotes/.test(scrubbed), scrubbed);
  });

  it('the logger itself never writes a secret', async () => {
    const { stream, lines } = capture();
    const log = createLogger({ destination: stream, secrets: ['hunter2-secret'] });
    const child = log.child({ binding: 'hunter2-secret', deep: { a: { b: { c: { d: { e: { f: { g: { h: { i: { j: 'hunter2-secret' } } } } } } } } } } });
    child.error({ reason: 'login with hunter2-secret refused', ['key-hunter2-secret']: 1, error: new Error('no hunter2-secret') }, 'failed for hunter2-secret');
    await new Promise((r) => setImmediate(r));
    assert.equal(lines.length, 1);
    assert.ok(!JSON.stringify(lines[0]).includes('hunter2'), JSON.stringify(lines[0]));
  });
});
