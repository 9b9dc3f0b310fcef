/** Fan-in under concurrency: frames of one imageId arriving at once are split into GIFs exactly. */
import assert from 'node:assert/strict';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { it } from 'node:test';
import sharp from 'sharp';
import { outboxMailer } from '../../src/adapters/mail/outbox-mailer.js';
import type { Location, Message } from '../../src/index.js';
import { weatherRuntime } from '../support/weather-runtime.js';

const T0 = Date.UTC(2017, 5, 1, 16);

it('20 frames of one imageId arriving at once give exactly 4 GIFs and 4 mails: no frame in two, none left out, each in valid-time order', async () => {
  const { runtime } = await weatherRuntime({
    mailer: outboxMailer(await mkdtemp(join(tmpdir(), 'dataflow-outbox-'))),
    config: { thumbnail: { width: 16, height: 16 } },
    concurrency: { mediator: 8, 'thumbnail-creator': 4, 'gif-creator': 2 },
  });
  // Valid times shuffled, so arrival order is not valid-time order.
  const minutes = Array.from({ length: 20 }, (_, i) => (i * 7) % 20);
  const frames = await Promise.all(
    minutes.map(async (m) => {
      const location = { Bucket: 'dataflow', Key: `amp-image-fetcher/race/${m}.png` };
      const png = await sharp({ create: { width: 32, height: 24, channels: 3, background: { r: m * 12, g: 80, b: 200 - m * 8 } } }).png().toBuffer();
      await runtime.blobs.put(location, png);
      return { type: 'did-fetch-amp-image', imageId: 'race', validTime: T0 + m * 600_000, location };
    }),
  );
  await runtime.send(frames);
  await runtime.idle();

  assert.deepEqual(await runtime.state.find({ status: 'dead' }), []);
  const requests = (await runtime.state.find({ type: 'please-create-gif' })).map((m) => m.body as Message);
  assert.equal(requests.length, 4);
  const keyTime = new Map(frames.map((f) => [f.location.Key, f.validTime]));
  const used = requests.flatMap((r) => (r.locations as Location[]).map((l) => l.Key));
  assert.equal(used.length, 20);
  assert.equal(new Set(used).size, 20, 'no frame in two GIFs, none left out');
  for (const request of requests) {
    const times = (request.locations as Location[]).map((l) => keyTime.get(l.Key)!);
    assert.deepEqual(times, [...times].sort((a, b) => a - b), 'frames in valid-time order');
  }
  assert.equal((await runtime.state.find({ type: 'did-create-gif' })).length, 4);
  const mails = (await runtime.state.find({ type: 'did-send-email' })).map((m) => m.body as Message);
  assert.equal(mails.length, 4, 'one mail per GIF');
  for (const mail of mails) assert.equal((mail.inline as unknown[]).length, 6, 'each with its GIF and five thumbnails');
  await runtime.stop();
});
