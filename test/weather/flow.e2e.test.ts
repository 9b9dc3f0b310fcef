/**
 * The whole weather flow through real parts: HTTP to a local server answering like AMP
 * (redirects, valid-time header, credentials checked), sharp, and a real SMTP server on loopback.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import sharp from 'sharp';
import { smtpMailer } from '../../src/adapters/mail/smtp-mailer.js';
import type { Location, Message } from '../../src/index.js';
import { startSmtpServer } from '../support/smtp-server.js';
import { weatherServers } from '../support/weather-servers.js';
import { weatherRuntime } from '../support/weather-runtime.js';

const credentials = { clientId: 'e2e-client', clientSecret: 'e2e-secret-9f8e7d' };
const servers = weatherServers(credentials);

const fetches = (validTimes: string[], extra: Record<string, unknown> = {}) =>
  validTimes.map((validTime) => ({
    type: 'please-fetch-amp-image',
    imageId: 'OSN 2017 Demo',
    layers: ['flat-dk', 'radar', 'admin-cities-dk'],
    width: 320,
    height: 240,
    center: 'athens,ga',
    zoom: 5,
    validTime,
    ...extra,
  }));

describe('the weather flow end to end', () => {
  it('fetches five frames, thumbnails each, makes one GIF and mails it with everything inline', async () => {
    const mailer = smtpMailer(servers.smtp.url);
    const { runtime } = await weatherRuntime({
      mailer,
      amp: { baseUrl: servers.amp.url, ...credentials },
      config: { thumbnail: { width: 100, height: 100 }, gifDelayMs: 300 },
    });
    const before = servers.smtp.received.length;
    const { rejected } = await runtime.send(fetches(['-40m', '-30m', '-20m', '-10m', '-0m']));
    assert.deepEqual(rejected, []);
    await runtime.idle();

    const bodies = async (type: string) => (await runtime.state.find({ type })).map((m) => m.body as Message);
    assert.deepEqual(await runtime.state.find({ status: 'dead' }), []);
    const frames = await bodies('did-fetch-amp-image');
    assert.equal(frames.length, 5);
    const times = frames.map((f) => f.validTime as number);
    assert.equal(new Set(times).size, 5, 'five distinct valid times from the redirects');
    for (const frame of frames) assert.ok(!JSON.stringify(frame).includes(credentials.clientSecret));

    const thumbnails = await bodies('did-create-thumbnail');
    assert.equal(thumbnails.length, 5);
    const thumb = await sharp(await runtime.blobs.get(thumbnails[0]!.location as Location)).metadata();
    assert.deepEqual([thumb.width, thumb.height], [100, 100], 'the thumbnail has the size the mediator asked for');

    const [gifMessage, ...moreGifs] = await bodies('did-create-gif');
    assert.ok(gifMessage);
    assert.equal(moreGifs.length, 0);
    const gif = await runtime.blobs.get(gifMessage.location as Location);
    const meta = await sharp(gif, { animated: true }).metadata();
    assert.equal(meta.format, 'gif');
    assert.equal(meta.pages, 5);
    assert.deepEqual(meta.delay, [300, 300, 300, 300, 300]);
    assert.equal(meta.loop, 0, 'loops forever');

    const [mail] = (await servers.smtp.waitFor(before + 1)).slice(before);
    assert.ok(mail);
    assert.match(mail.subject ?? '', /^Weather GIF: OSN 2017 Demo, /);
    const html = String(mail.html);
    const cids = [...html.matchAll(/src="cid:([^"]+)"/g)].map((m) => m[1]);
    assert.equal(cids.length, 6, 'the GIF and five thumbnails are shown inline');
    const parts = new Map(mail.attachments.map((a) => [a.cid, a]));
    for (const cid of cids) assert.ok(parts.has(cid), `an inline part for ${cid}`);
    const gifPart = mail.attachments.find((a) => a.contentType === 'image/gif');
    assert.ok(gifPart?.content.equals(gif), 'the mailed GIF is the GIF the worker made');
    assert.equal(mail.attachments.filter((a) => a.contentType === 'image/png').length, 5);

    const sent = await bodies('did-send-email');
    assert.equal(sent.length, 1);
    const [mailRequest] = await runtime.state.find({ type: 'please-send-email' });
    assert.equal(mailRequest?.causedBy, gifMessage.id, 'the mail hangs under its GIF, whichever arrival completed it');
    assert.deepEqual(sent[0]!.to, ['forecast@example.com']);
    await runtime.stop();
    await mailer.close?.();
  });

  it('dead-letters a fetch with wrong credentials, with the server\'s reason and no secret, and goes on', async () => {
    const mailer = smtpMailer(servers.smtp.url);
    const wrong = { clientId: 'e2e-client', clientSecret: 'wrong-secret-123' };
    const { runtime } = await weatherRuntime({ mailer, amp: { baseUrl: servers.amp.url, ...wrong } });
    await runtime.send(fetches(['-0m']));
    await runtime.idle();
    const [dead, ...others] = await runtime.state.find({ status: 'dead' });
    assert.ok(dead);
    assert.equal(others.length, 0);
    assert.equal(dead.type, 'please-fetch-amp-image');
    assert.match(dead.reason ?? '', /answered 401/);
    assert.ok(!dead.reason!.includes(wrong.clientSecret));
    await runtime.stop();
    await mailer.close?.();
  });

  it('dead-letters a mail the server refuses for good, with the reason', async () => {
    const refusing = await startSmtpServer({ rejectRecipient: 'nobody@example.com' });
    const mailer = smtpMailer(refusing.url);
    const { runtime } = await weatherRuntime({ mailer });
    await runtime.send([{ type: 'please-send-email', to: ['nobody@example.com'], from: 'dataflow@example.com', subject: 'Yo.', body: '<b>Hello world</b>' }]);
    await runtime.idle();
    const [dead] = await runtime.state.find({ status: 'dead' });
    assert.match(dead?.reason ?? '', /refused the mail.*550|550.*no such mailbox/i);
    await runtime.stop();
    await mailer.close?.();
    await refusing.close();
  });
});
