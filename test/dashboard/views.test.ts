/**
 * Views a flow contributes: listed in /api/meta, served at /api/views/<id> with what the page
 * asked for, each answer checked and copied into the known shape (so nothing else reaches the
 * page), refused at start when malformed, and reloaded by the live feed when a message of a type
 * they name arrives.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startDashboard } from '../../src/dashboard/server.js';
import { topicsOf } from '../../src/dashboard/server/change-feed.js';
import { openSqliteStateStore } from '../../src/adapters/sqlite/state-store.js';
import type { FlowEvent, FlowView, FlowViewContext } from '../../src/index.js';
import { message, request, testDashboard, weatherDefinitions } from './support.js';

const gif = { Bucket: 'dataflow', Key: 'gif-creator/radar/1.gif' };

describe('views a flow contributes', () => {
  let dash: Awaited<ReturnType<typeof testDashboard>>;
  const asked: Omit<FlowViewContext, 'state' | 'blobs'>[] = [];
  let answer: unknown;
  const views: FlowView[] = [
    {
      id: 'cards',
      title: 'Cards',
      description: 'Some cards',
      changesOn: ['did-create-gif'],
      async load(context) {
        asked.push({ query: context.query, limit: context.limit });
        assert.equal(typeof context.state.search, 'function', 'the view reads the state store');
        return answer as never;
      },
    },
    {
      id: 'counts',
      title: 'Counts',
      async load({ state }) {
        const page = await state.search({ limit: 10 });
        return { kind: 'table', columns: ['Type', 'Message'], rows: page.messages.map((m) => [m.type, { text: m.id, messageId: m.id }]) };
      },
    },
  ];

  before(async () => {
    dash = await testDashboard({ views });
    await dash.state.save([message('m-1', 'please-fetch-amp-image', { key: 'radar' })], 1000);
  });
  after(() => dash.close());

  const get = async (path: string) => {
    const response = await request(`${dash.url}${path}`);
    return { status: response.status, body: response.json() };
  };

  it('lists them in /api/meta, in order', async () => {
    assert.deepEqual((await get('api/meta')).body.views, [
      { id: 'cards', title: 'Cards', description: 'Some cards' },
      { id: 'counts', title: 'Counts' },
    ]);
  });

  it('loads a view with the key and limit the page asked for, and sends only the known fields', async () => {
    answer = {
      kind: 'gallery',
      secret: 'a field the page does not know',
      cards: [
        { id: 'a', key: 'radar', title: 'A', body: { password: 'hunter2' }, image: { location: gif, alt: 'the GIF', messageId: 'm-1', onerror: 'alert(1)' }, fields: [{ label: 'Frames', value: 5 }], links: [{ text: 'Mail', search: { type: 'did-send-email', key: 'radar' } }] },
        { id: 'b', title: 'B' },
        { id: 'c', title: 'C' },
      ],
    };
    const { status, body } = await get('api/views/cards?key=radar&limit=2');
    assert.equal(status, 200);
    assert.deepEqual(asked.at(-1), { query: { key: 'radar' }, limit: 2 });
    assert.deepEqual(body, {
      id: 'cards',
      title: 'Cards',
      kind: 'gallery',
      cards: [
        { id: 'a', key: 'radar', title: 'A', image: { location: gif, alt: 'the GIF', messageId: 'm-1' }, fields: [{ label: 'Frames', value: 5 }], links: [{ text: 'Mail', search: { type: 'did-send-email', key: 'radar' } }] },
        { id: 'b', title: 'B' },
      ],
    }, 'at most the limit, and nothing the shape does not name');
    await get('api/views/cards');
    assert.deepEqual(asked.at(-1), { query: { key: undefined }, limit: 24 });
    assert.equal((await get('api/views/cards?imageId=radar')).status, 400, 'a parameter the view API does not take');
  });

  it('serves a table', async () => {
    const { body } = await get('api/views/counts');
    assert.deepEqual(body, { id: 'counts', title: 'Counts', kind: 'table', columns: ['Type', 'Message'], rows: [['please-fetch-amp-image', { text: 'm-1', messageId: 'm-1' }]] });
  });

  it('refuses an answer the page could not show safely, naming what is wrong', async () => {
    const wrong: [unknown, RegExp][] = [
      [{ kind: 'html', html: '<b>x</b>' }, /kind that is neither "gallery" nor "table", got "html"/],
      [{ kind: 'gallery', cards: [{ id: 'a', title: 'A', image: { location: { Bucket: 'dataflow', Key: '../../etc/passwd' }, alt: 'x' } }] }, /cards\[0\]\.image\.location that is no blob location/],
      [{ kind: 'gallery', cards: [{ id: 'a', title: 'A', links: [{ text: 'out', href: 'https://example.com/' }] }] }, /cards\[0\]\.links\[0\] that has none of messageId, search, blob/],
      [{ kind: 'gallery', cards: [{ id: 'a', title: 7 }] }, /cards\[0\]\.title that is not text, got a number/],
      [{ kind: 'gallery', cards: [{ id: 'a', title: 'A' }, { id: 'a', title: 'again' }] }, /cards\[1\]\.id that another card has too/],
      [{ kind: 'table', columns: ['One', 'Two'], rows: [['x', 'y'], ['z']] }, /rows\[1\] of 1 cells, not one for each of the 2 columns/],
      [{ kind: 'table', columns: ['One'], rows: [[Number.NaN]] }, /rows\[0\]\[0\] that is not a finite number/],
    ];
    for (const [given, expected] of wrong) {
      answer = given;
      const { status, body } = await get('api/views/cards');
      assert.equal(status, 500, JSON.stringify(given));
      assert.match(body.error, /^the view "cards" answered with /);
      assert.match(body.error, expected);
    }
  });

  it('answers 404 for a view the flow has not, naming those it has', async () => {
    const { status, body } = await get('api/views/gallery');
    assert.equal(status, 404);
    assert.equal(body.error, 'this flow has no view "gallery"; its views: "cards", "counts"');
  });

  it('is reloaded live when a message of a type it names arrives; a view naming none, when anything settles', () => {
    const sent = (type: string) => ({ type, id: type, dateCreated: 1 });
    const done = (type: string, replies: string[]): FlowEvent => ({ kind: 'done', consumer: 'w', message: sent(type), durationMs: 1, sent: replies.map(sent) });
    assert.deepEqual(topicsOf(done('please-create-gif', ['did-create-gif']), views), ['flow', 'messages', 'view:cards', 'view:counts'], 'the worker sent a did-create-gif');
    assert.deepEqual(topicsOf(done('please-create-thumbnail', ['did-create-thumbnail']), views), ['flow', 'messages', 'view:counts']);
    assert.deepEqual(topicsOf({ kind: 'received', consumer: 'w', message: sent('did-create-gif'), attempt: 1 }, views), ['flow', 'messages', 'view:cards']);
    assert.deepEqual(topicsOf({ kind: 'dead', consumer: 'w', id: 'x', type: 'did-create-gif', reason: 'r' }, views), ['flow', 'messages', 'dead', 'view:cards', 'view:counts']);
    assert.deepEqual(topicsOf({ kind: 'stored', consumer: 'w', key: 'k', bytes: 1 }, views), []);
  });
});

describe('a malformed view', () => {
  it('stops the dashboard from starting, with what is wrong', async () => {
    const state = openSqliteStateStore(':memory:');
    const load = async () => ({ kind: 'table' as const, columns: [], rows: [] });
    const start = (views: unknown) => startDashboard({ state, blobs: undefined as never, flow: weatherDefinitions(), port: 0, token: '', views: views as FlowView[] });
    try {
      await assert.rejects(start({ id: 'x', title: 'X', load }), /views must be an array of \{ id, title, load \}, got an object/);
      await assert.rejects(start([{ id: 'My Gallery', title: 'X', load }]), /views\[0\]\.id must be 1 to 40 lowercase letters, digits and dashes, a letter first, got "My Gallery"/);
      await assert.rejects(start([{ id: 'a', title: 'A', load }, { id: 'a', title: 'B', load }]), /two views have the id "a"/);
      await assert.rejects(start([{ id: 'a', title: '', load }]), /the view "a": title must be text of 1 to 80 characters/);
      await assert.rejects(start([{ id: 'a', title: 'A', changesOn: 'did-create-gif', load }]), /the view "a": changesOn must be an array of message types, got "did-create-gif"/);
      await assert.rejects(start([{ id: 'a', title: 'A' }]), /the view "a": load must be a function, got nothing/);
    } finally {
      await state.close();
    }
  });
});
