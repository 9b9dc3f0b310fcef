/**
 * The weather flow through the test kit: real HTTP to the offline map server, real sharp, and a
 * capturing mailer; retries and the schedule move a manual clock, so nothing really waits.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { simpleParser } from 'mailparser';
import sharp from 'sharp';
import type { Location, Mailer, Message } from '../../src/index.js';
import { createTestRuntime } from '../../src/testing/index.js';
import { defaultWeatherConfig, type WeatherConfig } from '../../examples/weather/config.js';
import { weatherFlow } from '../../examples/weather/flow.js';
import { startAmpServer, type AmpServer } from '../../examples/weather/offline-maps/amp-server.js';

const credentials = { clientId: 'kit-client', clientSecret: 'kit-secret-4b3a2c' };
let amp: AmpServer;
before(async () => {
  amp = await startAmpServer(credentials);
});
after(() => amp.close());

const map = { imageId: 'OSN 2017 Demo', layers: ['flat-dk', 'radar', 'admin-cities-dk'], width: 320, height: 240, center: 'athens,ga', zoom: 5 };
const validTimes = ['-40m', '-30m', '-20m', '-10m', '-0m'];
const config: WeatherConfig = {
  ...defaultWeatherConfig,
  thumbnail: { width: 100, height: 100 },
  email: { ...defaultWeatherConfig.email, to: ['forecast@example.com'] },
  schedule: { cron: '*/7 * * * *', maps: [{ ...map, validTimes }] },
};
/** The flow as a module would give it: a function of the runtime's ports. */
const weather = ({ mailer }: { mailer: Mailer }) => weatherFlow({ config, mailer, amp: { baseUrl: amp.url, ...credentials } });
const fetches = validTimes.map((validTime) => ({ type: 'please-fetch-amp-image', ...map, validTime }));

describe('the test kit on the weather flow', () => {
  it('runs five frames to five thumbnails, one GIF and one mail, each message with its cause', async () => {
    const kit = await createTestRuntime(weather);
    try {
      const { rejected } = await kit.run(fetches);
      assert.deepEqual(rejected, []);
      assert.deepEqual(kit.deadLetters(), []);
      const count = (type: string) => kit.messages({ type, status: 'done' }).length;
      assert.deepEqual(
        ['please-fetch-amp-image', 'did-fetch-amp-image', 'please-create-thumbnail', 'did-create-thumbnail', 'please-create-gif', 'did-create-gif', 'please-send-email', 'did-send-email'].map(count),
        [5, 5, 5, 5, 1, 1, 1, 1],
      );

      for (const thumbnail of kit.messages({ type: 'did-create-thumbnail' })) {
        assert.deepEqual(kit.chain(thumbnail.id).map((m) => m.type), ['please-fetch-amp-image', 'did-fetch-amp-image', 'please-create-thumbnail', 'did-create-thumbnail']);
      }
      const [gif] = kit.messages({ type: 'did-create-gif' });
      assert.deepEqual(kit.chain(gif!.id).map((m) => m.type), ['please-fetch-amp-image', 'did-fetch-amp-image', 'please-create-gif', 'did-create-gif']);
      const [sent] = kit.messages({ type: 'did-send-email' });
      assert.equal(kit.chain(sent!.id).find((m) => m.type === 'please-send-email')?.causedBy, gif!.id, 'the mail names the GIF as its cause');

      const keys = kit.blobs.list().map((b) => b.location.Key);
      assert.equal(keys.filter((k) => k.startsWith('amp-image-fetcher/')).length, 5);
      assert.equal(keys.filter((k) => k.startsWith('thumbnail-creator/')).length, 5);
      assert.equal(keys.filter((k) => k.startsWith('gif-creator/')).length, 1);
      const meta = await sharp(await kit.blobs.get((gif!.body as Message).location as Location), { animated: true }).metadata();
      assert.deepEqual([meta.format, meta.pages], ['gif', 5]);

      assert.equal(kit.mail().length, 1);
      const [mail] = kit.mail();
      assert.deepEqual(mail!.mail.to, ['forecast@example.com']);
      assert.match(mail!.mail.subject, /^Weather GIF: OSN 2017 Demo, /);
      const parsed = await simpleParser(mail!.raw, { keepCidLinks: true });
      assert.equal(parsed.attachments.filter((a) => a.contentDisposition === 'inline').length, 6, 'the GIF and five thumbnails inline');
    } finally {
      await kit.stop();
    }
  });

  it('steps the schedule: the clock moves to the next tick, whose round makes a mail', async () => {
    const kit = await createTestRuntime(weather, { startAt: Date.parse('2026-06-01T16:00:30Z') });
    try {
      const { at, accepted, rejected } = await kit.tick();
      assert.equal(at.toISOString(), '2026-06-01T16:07:00.000Z', 'the next */7 minute, in UTC');
      assert.equal(kit.clock.now(), at.getTime());
      assert.deepEqual(rejected, []);
      assert.deepEqual(accepted.map((m) => m.validTime), validTimes);
      await kit.runUntilIdle();
      assert.equal(kit.mail().length, 1);
      assert.equal((await kit.tick()).at.toISOString(), '2026-06-01T16:14:00.000Z', 'the tick after');
    } finally {
      await kit.stop();
    }
  });

  it('retries a failing worker with backoff, skipping the waits, then dead-letters it when it never recovers', async () => {
    const kit = await createTestRuntime(weather);
    try {
      const started = kit.clock.now();
      const wallClock = Date.now();
      kit.failWorker('email-sender'); // fails every time: the default 12 attempts, backoff up to 5 minutes
      kit.failWorker('thumbnail-creator', { times: 3 });
      await kit.run(fetches);

      const retries = (consumer: string) => kit.events.filter((e) => e.kind === 'retry' && e.consumer === consumer);
      assert.equal(retries('thumbnail-creator').length, 3, 'three failures, each retried');
      assert.equal(kit.messages({ type: 'did-create-thumbnail' }).length, 5, 'and every thumbnail made in the end');

      assert.equal(retries('email-sender').length, 11);
      const [dead, ...more] = kit.deadLetters();
      assert.deepEqual(more, []);
      assert.equal(dead!.type, 'please-send-email');
      assert.equal(dead!.attempts, 12);
      assert.match(dead!.reason ?? '', /email-sender fails on purpose \(failure 12\) \(after 12 attempts\)/);
      assert.equal(kit.mail().length, 0);
      const skipped = kit.clock.now() - started;
      assert.ok(skipped >= 9 * 60_000 - 2_000, `the clock skipped the 9 to 18 minutes of backoff, moved ${skipped} ms`);
      assert.ok(Date.now() - wallClock < 60_000, 'without waiting them out');
    } finally {
      await kit.stop();
    }
  });
});
