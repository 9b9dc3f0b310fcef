/**
 * Pruning mid-stream: with frames of an imageId waiting for the next GIF, or with a GIF made and
 * its mail not yet decided, a prune that removes every done message it may still leaves the flow
 * able to send that GIF's mail, whole.
 */
import assert from 'node:assert/strict';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { it } from 'node:test';
import sharp from 'sharp';
import { outboxMailer } from '../../src/adapters/mail/outbox-mailer.js';
import type { Location, Message, StateStore } from '../../src/index.js';
import { weatherRuntime } from '../support/weather-runtime.js';

const T0 = Date.UTC(2017, 5, 1, 16);

async function frameOf(runtime: { blobs: { put(location: Location, bytes: Buffer): Promise<unknown> } }, imageId: string, k: number) {
  const location = { Bucket: 'dataflow', Key: `amp-image-fetcher/${imageId}/${k}.png` };
  const png = await sharp({ create: { width: 32, height: 24, channels: 3, background: { r: k * 20, g: 80, b: 200 - k * 15 } } }).png().toBuffer();
  await runtime.blobs.put(location, png);
  return { type: 'did-fetch-amp-image', imageId, validTime: T0 + k * 600_000, location };
}

it('a prune between two GIFs keeps what the waiting frames need: the next GIF and its mail come out whole', async () => {
  const { runtime } = await weatherRuntime({
    mailer: outboxMailer(await mkdtemp(join(tmpdir(), 'dataflow-outbox-'))),
    config: { thumbnail: { width: 16, height: 16 } },
  });
  try {
    const frame = async (k: number) => {
      const location = { Bucket: 'dataflow', Key: `amp-image-fetcher/prune/${k}.png` };
      const png = await sharp({ create: { width: 32, height: 24, channels: 3, background: { r: k * 20, g: 80, b: 200 - k * 15 } } }).png().toBuffer();
      await runtime.blobs.put(location, png);
      return { type: 'did-fetch-amp-image', imageId: 'prune', validTime: T0 + k * 600_000, location };
    };
    const send = async (ks: number[]) => {
      await runtime.send(await Promise.all(ks.map(frame)));
      await runtime.idle();
    };

    await send([0, 1, 2, 3, 4]);
    assert.equal((await runtime.state.find({ type: 'did-send-email' })).length, 1, 'the first GIF went out');
    await send([5, 6]); // thumbnailed, waiting for three more frames

    const removed = await runtime.state.prune!(Date.now() + 1000);
    assert.ok(removed >= 20, `the first GIF's messages went (${removed} removed)`);
    assert.deepEqual(await runtime.state.find({ type: 'did-create-gif' }), []);

    await send([7, 8, 9]);
    assert.deepEqual(await runtime.state.find({ status: 'dead' }), []);
    const [request] = (await runtime.state.find({ type: 'please-create-gif' })).map((m) => m.body as Message);
    assert.deepEqual((request!.locations as Location[]).map((l) => l.Key), [5, 6, 7, 8, 9].map((k) => `amp-image-fetcher/prune/${k}.png`));
    const [gif] = (await runtime.state.find({ type: 'did-create-gif' })).map((m) => m.body as Message);
    assert.equal((await sharp(await runtime.blobs.get(gif!.location as Location)).metadata()).pages, 5);
    const mails = (await runtime.state.find({ type: 'did-send-email' })).map((m) => m.body as Message);
    assert.equal(mails.length, 1, 'the second GIF went out');
    assert.equal((mails[0]!.inline as unknown[]).length, 6, 'with its GIF and all five thumbnails, the two from before the prune too');
  } finally {
    await runtime.stop();
  }
});

it('a prune while a GIF made waits to join its mail keeps its frames\' thumbnails: the mail goes out with all of them', async () => {
  let pruned: Promise<number> | undefined;
  const { runtime } = await weatherRuntime({
    mailer: outboxMailer(await mkdtemp(join(tmpdir(), 'dataflow-outbox-'))),
    config: { thumbnail: { width: 16, height: 16 } },
    // The GIF's handling is under way (did-create-gif pending) when it first looks up a thumbnail:
    // that is when the prune runs, before the lookup goes on.
    wrapState: (state): StateStore => ({
      ...state,
      async find(query) {
        if (query.type === 'did-create-thumbnail' && query.key === 'held' && !pruned) {
          assert.equal((await state.find({ type: 'did-create-gif', status: 'pending' })).length, 1);
          pruned = state.prune!(Date.now() + 1000);
          await pruned;
        }
        return state.find(query);
      },
    }),
  });
  try {
    const send = async (imageId: string, ks: number[]) => {
      await runtime.send(await Promise.all(ks.map((k) => frameOf(runtime, imageId, k))));
      await runtime.idle();
    };
    await send('before', [0, 1, 2, 3, 4]);
    await send('held', [0, 1, 2, 3]); // thumbnailed while their GIF is not decided: found only by lookup
    assert.equal(pruned, undefined, 'no GIF of held yet, no prune');
    await send('held', [4]);

    assert.deepEqual(await runtime.state.find({ status: 'dead' }), []);
    const mails = (await runtime.state.find({ type: 'please-send-email', key: 'held' })).map((m) => m.body as Message);
    assert.equal(mails.length, 1, 'the GIF\'s mail went out');
    assert.deepEqual(
      (mails[0]!.inline as { location: Location }[]).map((part) => part.location.Key.split('/')[0]),
      ['gif-creator', 'thumbnail-creator', 'thumbnail-creator', 'thumbnail-creator', 'thumbnail-creator', 'thumbnail-creator'],
      'with its GIF and all five thumbnails, the four from before the prune too',
    );
    assert.equal(await pruned!, 19, 'the prune removed the other imageId\'s GIF and mail, all settled');
    assert.deepEqual(await runtime.state.find({ key: 'before' }), []);
  } finally {
    await runtime.stop();
  }
});
