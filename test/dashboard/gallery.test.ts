/** The weather gallery, a view the weather flow contributes: GIFs newest first, their frames' thumbnails, valid times and mail, read from recorded messages. */
import assert from 'node:assert/strict';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { it } from 'node:test';
import { diskBlobStore } from '../../src/adapters/disk/blob-store.js';
import { openSqliteStateStore } from '../../src/adapters/sqlite/state-store.js';
import { weatherGallery, parseCompactTime } from '../../examples/weather/gallery.js';
import weatherFlowModule from '../../examples/weather/index.js';
import { compactTime, type MessageBrowser, type StateStore, type ViewCard, type ViewGallery } from '../../src/index.js';
import { message } from './support.js';

const minute = 60_000;
const t = [0, 10, 20].map((m) => Date.UTC(2017, 5, 1, 16, m));
const at = (Key: string) => ({ Bucket: 'dataflow', Key });
const frame = (time: number) => at(`amp-image-fetcher/radar-0123456789/${compactTime(time)}-abcdef12.png`);
const thumb = (time: number) => at(`thumbnail-creator/radar-0123456789/${compactTime(time)}-200x200.png`);
const gif = at(`gif-creator/radar-0123456789/${compactTime(t[2]!)}-feedbeef.gif`);

async function galleryOf(state: StateStore & MessageBrowser) {
  const view = weatherGallery();
  const blobs = diskBlobStore(await mkdtemp(join(tmpdir(), 'dataflow-gallery-')));
  return async (query: { key?: string } = {}, limit = 10): Promise<ViewCard[]> => {
    const content = (await view.load({ state, blobs, query, limit })) as ViewGallery;
    assert.equal(content.kind, 'gallery');
    return [...content.cards];
  };
}

it('reads compact times back', () => {
  assert.equal(parseCompactTime(compactTime(t[1]!)), t[1]);
  assert.equal(parseCompactTime('2017-06-01'), undefined);
});

it('is a view the weather flow module gives, reloaded when a GIF, a thumbnail or a mail is recorded', async () => {
  const provided = await weatherFlowModule({
    mailer: { send: async () => ({ messageId: 'x', receipt: 'nowhere' }) },
    blobs: diskBlobStore(await mkdtemp(join(tmpdir(), 'dataflow-gallery-'))),
    settings: { config: {}, env: {} },
  });
  try {
    assert.deepEqual(provided.views?.map((v) => [v.id, v.title]), [['gallery', 'Gallery']]);
    assert.deepEqual(provided.views?.[0]?.changesOn, ['did-create-gif', 'did-create-thumbnail', 'did-send-email']);
  } finally {
    await provided.close?.();
  }
});

it('shows each GIF with its valid times, its thumbnails, and its mail once it went out', async () => {
  const state = openSqliteStateStore(':memory:');
  const gallery = await galleryOf(state);
  await state.save([message('ask-gif', 'please-create-gif', { key: 'radar', validTime: t[2], locations: t.map(frame) })], 1000);
  await state.save([message('gif-1', 'did-create-gif', { key: 'radar', validTime: t[2], location: gif, causedBy: 'ask-gif', status: 'done' })], 2000);
  await state.save(t.slice(0, 2).map((time, i) => message(`thumb-${i}`, 'did-create-thumbnail', { key: 'radar', validTime: time, location: thumb(time) })), 2100);

  const [before, ...none] = await gallery();
  assert.deepEqual(none, []);
  assert.deepEqual(before, {
    id: 'gif-1',
    key: 'radar',
    title: 'valid 2017-06-01 16:00 UTC → 16:20',
    subtitle: '2 frames',
    image: { location: gif, alt: 'radar, 2017-06-01 16:00 UTC to 2017-06-01 16:20 UTC', messageId: 'gif-1' },
    images: t.slice(0, 2).map((time) => ({ location: thumb(time), alt: `frame at ${new Date(time).toISOString().slice(0, 16).replace('T', ' ')} UTC`, caption: new Date(time).toISOString().slice(11, 16) })),
    fields: [{ label: 'Mail', value: 'not sent yet' }],
    links: [{ text: 'Causal chain →', messageId: 'gif-1' }],
  }, 'before the mail: the frames of its please-create-gif, and the thumbnails made so far');

  const inline = [
    { location: gif, cid: 'gif.1@dataflow', filename: `radar-0123456789-${compactTime(t[2]!)}.gif` },
    ...t.map((time, i) => ({ location: thumb(time), cid: `thumbnail.1.${i + 1}@dataflow`, filename: `radar-0123456789-${compactTime(time)}-thumbnail.png` })),
  ];
  await state.save([message('mail-1', 'did-send-email', { key: 'radar', validTime: t[2], inline, subject: 'Weather GIF: radar', to: ['a@example.com', 'b@example.com'], status: 'done' })], Date.UTC(2026, 0, 2, 9, 30));
  // A GIF the mediator refused, and another imageId's GIF, both newer.
  await state.save([message('gif-dead', 'did-create-gif', { key: 'radar', validTime: t[2]! + minute, location: at('gif-creator/x.gif'), status: 'dead', reason: 'never asked' })], Date.UTC(2026, 0, 2, 9, 31));
  await state.save([message('gif-2', 'did-create-gif', { key: 'temps', validTime: t[2], location: at('gif-creator/temps.gif') })], Date.UTC(2026, 0, 2, 9, 32));

  const cards = await gallery();
  assert.deepEqual(cards.map((c) => [c.id, c.key]), [['gif-2', 'temps'], ['gif-1', 'radar']], 'newest first, the refused GIF left out');
  const after = cards[1]!;
  assert.deepEqual(after.images?.map((i) => i.location), t.map(thumb), 'the mailed thumbnails, all three');
  assert.deepEqual(after.images?.map((i) => i.caption), ['16:00', '16:10', '16:20']);
  assert.deepEqual(after.fields, [
    { label: 'Mail', value: 'Weather GIF: radar' },
    { label: 'To', value: 'a@example.com, b@example.com' },
    { label: 'Sent', value: '2026-01-02 09:30 UTC' },
  ]);
  assert.deepEqual(after.links, [{ text: 'Causal chain →', messageId: 'gif-1' }, { text: 'Mail message →', messageId: 'mail-1' }]);
  assert.equal(after.title, 'valid 2017-06-01 16:00 UTC → 16:20');
  assert.deepEqual((await gallery({ key: 'radar' })).map((c) => c.id), ['gif-1'], 'the page\'s key narrows it to one imageId');
  assert.deepEqual((await gallery({}, 1)).map((c) => c.id), ['gif-2']);
  assert.deepEqual(cards[0]!.images, [], 'a GIF whose cause is unknown has no thumbnails, and still shows');
  assert.equal(cards[0]!.subtitle, undefined);
  await state.close();
});

it('before the mail, shows for each frame the thumbnail made from it, not another map\'s at its valid time', async () => {
  const state = openSqliteStateStore(':memory:');
  const gallery = await galleryOf(state);
  const frameOf = (map: string, time: number) => at(`amp-image-fetcher/demo-0123456789/${compactTime(time)}-${map}-0123456789ab.png`);
  const thumbOf = (map: string, time: number) => at(`thumbnail-creator/demo-0123456789/${compactTime(time)}-200x200-${map}.png`);
  await state.save([message('ask-radar', 'please-create-gif', { key: 'demo', validTime: t[2], locations: t.map((time) => frameOf('radar', time)), map: 'radar' })], 1000);
  await state.save([message('gif-radar', 'did-create-gif', { key: 'demo', validTime: t[2], location: gif, causedBy: 'ask-radar', map: 'radar' })], 2000);
  // The other map's thumbnails come first, at the same valid times.
  for (const map of ['temps', 'radar']) {
    await state.save(t.map((time, i) => message(`thumb-${map}-${i}`, 'did-create-thumbnail', { key: 'demo', validTime: time, location: thumbOf(map, time), source: frameOf(map, time), map })), 2100);
  }
  const [card] = await gallery({ key: 'demo' });
  assert.deepEqual(card?.images?.map((i) => i.location), t.map((time) => thumbOf('radar', time)));
  await state.close();
});
