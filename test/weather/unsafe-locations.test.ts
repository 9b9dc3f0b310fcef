/**
 * A location that could escape its bucket never becomes safe: the message schema refuses it, so
 * the message is dead-lettered at once (not retried), with a reason naming the field.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { outboxMailer } from '../../src/adapters/mail/outbox-mailer.js';
import { weatherRuntime } from '../support/weather-runtime.js';

let weather: Awaited<ReturnType<typeof weatherRuntime>>;
before(async () => {
  weather = await weatherRuntime({ mailer: outboxMailer(await mkdtemp(join(tmpdir(), 'dataflow-outbox-'))) });
});
after(() => weather.runtime.stop());

const safe = { Bucket: 'dataflow', Key: 'amp-image-fetcher/x/20170601160000-abc.png' };
const thumbnail = (location: unknown) => ({ type: 'please-create-thumbnail', id: randomUUID(), imageId: 'unsafe', location, width: 10, height: 10, validTime: 1 });

/** Sends the messages as `dataflow send` does, waits, and gives back what is stored of each. */
async function sendAll(messages: { id: string; [field: string]: unknown }[]) {
  const { runtime } = weather;
  await runtime.send(messages);
  await runtime.idle();
  return Promise.all(messages.map(async (m) => {
    const stored = await runtime.state.get(m.id);
    assert.ok(stored, `message ${m.id} is kept`);
    return stored;
  }));
}

/** Dead at once: not retried, and with the reason naming the field. */
function deadAtOnce(stored: { status: string; attempts: number; reason?: string }, field: RegExp, why?: RegExp) {
  assert.equal(stored.status, 'dead');
  assert.ok(stored.attempts <= 1, `not retried (attempts ${stored.attempts})`);
  assert.match(stored.reason ?? '', field);
  if (why) assert.match(stored.reason ?? '', why);
  assert.doesNotMatch(stored.reason ?? '', /after \d+ attempts/);
}

describe('unsafe locations in messages', () => {
  const keys: [string, RegExp][] = [
    ['../../etc/passwd', /'\.\.' segment/],
    ['amp-image-fetcher/../../../outside.png', /'\.\.' segment/],
    ['/etc/passwd', /absolute/],
    ['a//b.png', /empty segment/],
    ['a/b/', /empty segment/],
    ['a/./b.png', /'\.' segment/],
    ['a\\..\\b.png', /backslash/],
    ['a\nb.png', /control character/],
    ['', /empty/],
    ['k'.repeat(1025), /1024/],
  ];

  for (const [Key, why] of keys) {
    it(`dead-letters a thumbnail request for Key ${JSON.stringify(Key.length > 40 ? `${Key.slice(0, 20)}…` : Key)} at once, naming location.Key`, async () => {
      const [stored] = await sendAll([thumbnail({ ...safe, Key })]);
      deadAtOnce(stored!, /location\.Key/, why);
    });
  }

  it('dead-letters a NUL in a key at once', async () => {
    const [stored] = await sendAll([thumbnail({ ...safe, Key: 'a\u0000b.png' })]);
    deadAtOnce(stored!, /NUL/);
  });

  it('dead-letters a bad Bucket at once, naming location.Bucket', async () => {
    const [stored] = await sendAll([thumbnail({ Bucket: '..', Key: 'a.png' })]);
    deadAtOnce(stored!, /location\.Bucket/, /not a bucket name/);
  });

  it('names which of a GIF\'s locations is unsafe', async () => {
    const locations = [safe, { Bucket: 'dataflow', Key: '/abs/frame.png' }, safe];
    const [stored] = await sendAll([{ type: 'please-create-gif', id: randomUUID(), imageId: 'unsafe', locations, validTime: 1 }]);
    deadAtOnce(stored!, /locations\[1\]\.Key/, /absolute/);
  });

  it('refuses an unsafe location a mail would attach, and one a worker reports', async () => {
    const mail = {
      type: 'please-send-email',
      id: randomUUID(),
      to: ['a@example.com'],
      from: 'dataflow@example.com',
      subject: 's',
      body: 'b',
      inline: [{ location: { Bucket: 'dataflow', Key: 'gif-creator/../../../../root/.ssh/id_rsa' }, cid: 'gif.1@dataflow', filename: 'x.gif' }],
    };
    const report = { type: 'did-create-thumbnail', id: randomUUID(), imageId: 'unsafe', validTime: 1, location: { Bucket: 'dataflow', Key: 'a/../../b.png' } };
    const [mailStored, reportStored] = await sendAll([mail, report]);
    deadAtOnce(mailStored!, /inline\[0\]\.location\.Key/);
    deadAtOnce(reportStored!, /location\.Key/);
  });
});
