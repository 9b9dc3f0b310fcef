/**
 * The weather mail as a recipient gets it, parsed from the real .eml and from a real SMTP server:
 * links only to what the recipient can open, never a file or a path on the server; a text/plain
 * alternative that says what the mail is about; the images inline.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { S3Client } from '@aws-sdk/client-s3';
import { simpleParser, type ParsedMail } from 'mailparser';
import { diskBlobStore } from '../../src/adapters/disk/blob-store.js';
import { outboxMailer } from '../../src/adapters/mail/outbox-mailer.js';
import { smtpMailer } from '../../src/adapters/mail/smtp-mailer.js';
import { s3BlobStore } from '../../src/adapters/s3/blob-store.js';
import { startDashboard } from '../../src/dashboard/server.js';
import { loadWeatherConfig } from '../../examples/weather/config.js';
import { gifLink } from '../../examples/weather/gif-link.js';
import type { BlobStore, Location, Mailer } from '../../src/index.js';
import { openSqliteStateStore } from '../../src/adapters/sqlite/state-store.js';
import { weatherDefinitions } from '../dashboard/support.js';
import { weatherServers } from '../support/weather-servers.js';
import { weatherRuntime } from '../support/weather-runtime.js';

const credentials = { clientId: 'mail-client', clientSecret: 'mail-secret-5d4c3b' };
const servers = weatherServers(credentials);

const fetches = ['-40m', '-30m', '-20m', '-10m', '-0m'].map((validTime) => ({
  type: 'please-fetch-amp-image',
  imageId: 'OSN 2017 Demo',
  layers: ['flat-dk', 'radar'],
  width: 160,
  height: 120,
  center: 'athens,ga',
  zoom: 5,
  validTime,
}));

/** Runs five frames to one mail and hands back the runtime and its folder. */
async function mailOneGif(mailer: Mailer, publicUrl?: string) {
  const run = await weatherRuntime({ mailer, amp: { baseUrl: servers.amp.url, ...credentials }, config: publicUrl ? { publicUrl } : {} });
  const { rejected } = await run.runtime.send(fetches);
  assert.deepEqual(rejected, []);
  await run.runtime.idle();
  assert.deepEqual(await run.runtime.state.find({ status: 'dead' }), []);
  return run;
}

/** What every weather mail must hold, however its GIF is linked. */
function assertReadableAnywhere(raw: string, mail: ParsedMail, serverPaths: string[]) {
  assert.doesNotMatch(raw, /file:/i, 'no file: link');
  for (const path of serverPaths) assert.ok(!raw.includes(path), `the mail shows the server path ${path}`);
  // The text/plain part is the mail's own (mailparser would otherwise make one from the HTML).
  assert.match(raw, /Content-Type: multipart\/alternative/i);
  assert.match(raw, /Content-Type: text\/plain/i);
  const text = mail.text ?? '';
  assert.match(text, /OSN 2017 Demo/);
  assert.match(text, /5 frames, valid \d{4}-\d\d-\d\d \d\d:\d\d UTC to \d{4}-\d\d-\d\d \d\d:\d\d UTC\./);
  assert.doesNotMatch(text, /cid:|<[a-z]/i, 'plain text, no markup and no part names');
  const cids = [...String(mail.html).matchAll(/src="cid:([^"]+)"/g)].map((m) => m[1]);
  assert.equal(cids.length, 6, 'the GIF and five thumbnails stay inline');
  assert.deepEqual(mail.attachments.map((a) => a.cid).sort(), [...cids].sort());
}

describe('the weather mail', () => {
  it('with blobs on disk and no public address, links nothing and shows no server path (.eml)', async () => {
    const outbox = await mkdtemp(join(tmpdir(), 'dataflow-mail-outbox-'));
    const { runtime, dir } = await mailOneGif(outboxMailer(outbox));
    const [file, ...more] = await readdir(outbox);
    assert.equal(more.length, 0);
    const raw = await readFile(join(outbox, file!), 'utf8');
    const mail = await simpleParser(raw, { keepCidLinks: true });
    assertReadableAnywhere(raw, mail, [dir, join(dir, 'blobs')]);
    assert.doesNotMatch(String(mail.html), /<a\b/i, 'no link at all');
    assert.doesNotMatch(raw, /Open the GIF/);
    await runtime.stop();
  });

  it('with a public address, links the GIF through the dashboard there, and the link opens it (SMTP)', async () => {
    const mailer = smtpMailer(servers.smtp.url);
    // The dashboard listens first (its address goes in the config); it serves the flow's blobs.
    let flowBlobs: BlobStore | undefined;
    const blobs: BlobStore = { get: (l) => flowBlobs!.get(l), put: (l, b) => flowBlobs!.put(l, b), url: (l) => flowBlobs!.url(l) };
    const state = openSqliteStateStore(':memory:');
    const dashboard = await startDashboard({ state, blobs, flow: weatherDefinitions(), port: 0, token: '' });
    const before = servers.smtp.received.length;
    const { runtime, dir } = await mailOneGif(mailer, dashboard.url);
    flowBlobs = runtime.blobs;
    try {
      const [mail] = (await servers.smtp.waitFor(before + 1)).slice(before);
      assertReadableAnywhere(servers.smtp.sources[before]!, mail!, [dir, join(dir, 'blobs')]);

      const [gifMessage] = await runtime.state.find({ type: 'did-create-gif' });
      const location = (gifMessage!.body as unknown as { location: Location }).location;
      const link = /<a href="([^"]+)">Open the GIF<\/a>/.exec(String(mail!.html))?.[1];
      assert.equal(link, `${dashboard.url.replace(/\/$/, '')}/blobs/${location.Bucket}/${location.Key}`);
      assert.ok(mail!.text?.includes(`Open the GIF: ${link}`), `the text part links it too: ${mail!.text}`);
      const opened = await fetch(link!);
      assert.equal(opened.status, 200);
      assert.equal(opened.headers.get('content-type'), 'image/gif');
      const gifPart = mail!.attachments.find((a) => a.contentType === 'image/gif');
      assert.ok(gifPart?.content.equals(Buffer.from(await opened.arrayBuffer())), 'the link opens the GIF the mail shows');
    } finally {
      await dashboard.close();
      await state.close();
      await runtime.stop();
      await mailer.close?.();
    }
  });
});

describe('the GIF link', () => {
  const location = { Bucket: 'dataflow', Key: 'gif-creator/osn-2017-demo/20170601T1640Z-0a1b2c3d.gif' };

  it('is a presigned S3 address when there is one, and none for a file on this server', async () => {
    const client = new S3Client({ region: 'us-east-1', credentials: { accessKeyId: 'AKIAEXAMPLEKEY000000', secretAccessKey: 'example-secret' } });
    const s3 = s3BlobStore({ client });
    const presigned = await gifLink(location, undefined, { urlFor: (l) => s3.url(l) });
    assert.match(presigned, /^https:\/\/dataflow\.s3\.us-east-1\.amazonaws\.com\/gif-creator\/osn-2017-demo\/.*X-Amz-Signature=/);
    const disk = diskBlobStore(await mkdtemp(join(tmpdir(), 'dataflow-link-')));
    assert.equal(await gifLink(location, undefined, { urlFor: (l) => disk.url(l) }), '');
    assert.equal(await gifLink(location, 'https://weather.example.com/dash/', { urlFor: (l) => disk.url(l) }), `https://weather.example.com/dash/blobs/dataflow/${location.Key}`);
  });

  it('takes the public address from DATAFLOW_PUBLIC_URL, refusing one a recipient should not see', () => {
    assert.equal(loadWeatherConfig({ file: undefined, environment: { DATAFLOW_PUBLIC_URL: 'https://weather.example.com' } }).publicUrl, 'https://weather.example.com');
    assert.throws(() => loadWeatherConfig({ environment: { DATAFLOW_PUBLIC_URL: 'file:///srv/dataflow' } }), /DATAFLOW_PUBLIC_URL must be an http\(s\) URL/);
    assert.throws(() => loadWeatherConfig({ environment: { DATAFLOW_PUBLIC_URL: 'https://admin:hunter2@weather.example.com' } }), (error: Error) => {
      assert.match(error.message, /DATAFLOW_PUBLIC_URL must not carry a user or password/);
      assert.ok(!error.message.includes('hunter2'));
      return true;
    });
    assert.throws(() => loadWeatherConfig({ environment: { DATAFLOW_PUBLIC_URL: 'https://weather.example.com/?token=abc' } }), /no query or fragment/);
  });
});
