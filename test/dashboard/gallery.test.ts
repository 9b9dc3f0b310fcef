/** The weather gallery, read from recorded messages: GIFs newest first, their frames' thumbnails, valid times and mail. */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { openSqliteStateStore } from '../../src/adapters/sqlite/state-store.js';
import { weatherGallery, parseCompactTime } from '../../examples/weather/gallery.js';
import { compactTime } from '../../src/index.js';
import { message } from './support.js';

const minute = 60_000;
const t = [0, 10, 20].map((m) => Date.UTC(2017, 5, 1, 16, m));
const at = (Key: string) => ({ Bucket: 'dataflow', Key });
const frame = (time: number) => at(`amp-image-fetcher/radar-0123456789/${compactTime(time)}-abcdef12.png`);
const thumb = (time: number) => at(`thumbnail-creator/radar-0123456789/${compactTime(time)}-200x200.png`);
const gif = at(`gif-creator/radar-0123456789/${compactTime(t[2]!)}-feedbeef.gif`);

it('reads compact times back', () => {
  assert.equal(parseCompactTime(compactTime(t[1]!)), t[1]);
  assert.equal(parseCompactTime('2017-06-01'), undefined);
});

it('shows each GIF with its valid times, its thumbnails, and its mail once it went out', async () => {
  const state = openSqliteStateStore(':memory:');
  const gallery = weatherGallery(state);
  await state.save([message('ask-gif', 'please-create-gif', { key: 'radar', validTime: t[2], locations: t.map(frame) })], 1000);
  await state.save([message('gif-1', 'did-create-gif', { key: 'radar', validTime: t[2], location: gif, causedBy: 'ask-gif', status: 'done' })], 2000);
  await state.save(t.slice(0, 2).map((time, i) => message(`thumb-${i}`, 'did-create-thumbnail', { key: 'radar', validTime: time, location: thumb(time) })), 2100);

  const [before, ...none] = await gallery({ limit: 10 });
  assert.deepEqual(none, []);
  assert.deepEqual(before, {
    imageId: 'radar',
    gif,
    validFrom: t[0],
    validTo: t[2],
    thumbnails: t.slice(0, 2).map((time) => ({ location: thumb(time), validTime: time })),
    gifMessageId: 'gif-1',
    email: undefined,
  }, 'before the mail: the frames of its please-create-gif, and the thumbnails made so far');

  const inline = [
    { location: gif, cid: 'gif.1@dataflow', filename: `radar-0123456789-${compactTime(t[2]!)}.gif` },
    ...t.map((time, i) => ({ location: thumb(time), cid: `thumbnail.1.${i + 1}@dataflow`, filename: `radar-0123456789-${compactTime(time)}-thumbnail.png` })),
  ];
  await state.save([message('mail-1', 'did-send-email', { key: 'radar', validTime: t[2], inline, subject: 'Weather GIF: radar', to: ['a@example.com'], status: 'done' })], 3000);
  // A GIF the mediator refused, and another imageId's GIF, both newer.
  await state.save([message('gif-dead', 'did-create-gif', { key: 'radar', validTime: t[2]! + minute, location: at('gif-creator/x.gif'), status: 'dead', reason: 'never asked' })], 4000);
  await state.save([message('gif-2', 'did-create-gif', { key: 'temps', validTime: t[2], location: at('gif-creator/temps.gif') })], 5000);

  const items = await gallery({ limit: 10 });
  assert.deepEqual(items.map((i) => i.gifMessageId), ['gif-2', 'gif-1'], 'newest first, the refused GIF left out');
  const after = items[1]!;
  assert.deepEqual(after.thumbnails, t.map((time) => ({ location: thumb(time), validTime: time })), 'the mailed thumbnails, all three');
  assert.deepEqual(after.email, { messageId: 'mail-1', subject: 'Weather GIF: radar', to: ['a@example.com'], sentAt: 3000 });
  assert.equal(after.validFrom, t[0]);
  assert.deepEqual((await gallery({ imageId: 'radar', limit: 10 })).map((i) => i.gifMessageId), ['gif-1']);
  assert.deepEqual((await gallery({ limit: 1 })).map((i) => i.gifMessageId), ['gif-2']);
  assert.deepEqual(items[0]!.thumbnails, [], 'a GIF whose cause is unknown has no thumbnails, and still shows');
  await state.close();
});

it('before the mail, shows for each frame the thumbnail made from it, not another map\'s at its valid time', async () => {
  const state = openSqliteStateStore(':memory:');
  const gallery = weatherGallery(state);
  const frameOf = (map: string, time: number) => at(`amp-image-fetcher/demo-0123456789/${compactTime(time)}-${map}-0123456789ab.png`);
  const thumbOf = (map: string, time: number) => at(`thumbnail-creator/demo-0123456789/${compactTime(time)}-200x200-${map}.png`);
  await state.save([message('ask-radar', 'please-create-gif', { key: 'demo', validTime: t[2], locations: t.map((time) => frameOf('radar', time)), map: 'radar' })], 1000);
  await state.save([message('gif-radar', 'did-create-gif', { key: 'demo', validTime: t[2], location: gif, causedBy: 'ask-radar', map: 'radar' })], 2000);
  // The other map's thumbnails come first, at the same valid times.
  for (const map of ['temps', 'radar']) {
    await state.save(t.map((time, i) => message(`thumb-${map}-${i}`, 'did-create-thumbnail', { key: 'demo', validTime: time, location: thumbOf(map, time), source: frameOf(map, time), map })), 2100);
  }
  const [item] = await gallery({ imageId: 'demo', limit: 10 });
  assert.deepEqual(item?.thumbnails, t.map((time) => ({ location: thumbOf('radar', time), validTime: time })));
  await state.close();
});
