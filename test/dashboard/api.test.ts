/** The dashboard's JSON API against a real SQLite store: the picture, search, chains, dead letters, blobs, live events. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { FlowEvent } from '../../src/index.js';
import { message, request, testDashboard } from './support.js';

const T = Date.UTC(2026, 0, 1, 12, 0, 0);

/** Reads server-sent events until `until` says stop. */
async function readEvents(url: string, until: (events: { event: string; data: string }[]) => boolean, timeoutMs = 5000) {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  const events: { event: string; data: string }[] = [];
  try {
    const response = await fetch(url, { signal: controller.signal });
    assert.equal(response.headers.get('content-type'), 'text/event-stream');
    const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = '';
    while (!until(events)) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += value;
      let end;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const event = /^event: (.*)$/m.exec(block)?.[1];
        const data = /^data: (.*)$/m.exec(block)?.[1];
        if (event) events.push({ event, data: data ?? '' });
      }
    }
    return events;
  } finally {
    clearTimeout(timer);
    controller.abort();
  }
}

describe('the dashboard API', () => {
  let dash: Awaited<ReturnType<typeof testDashboard>>;
  const listeners = new Set<(event: FlowEvent) => void>();
  const emit = (event: FlowEvent) => listeners.forEach((l) => l(event));

  before(async () => {
    dash = await testDashboard({
      now: () => T + 30 * 60_000,
      onEvent: (listener) => (listeners.add(listener), () => listeners.delete(listener)),
    });
    // One frame's chain: fetch -> fetched -> thumbnail asked -> thumbnail made; and one dead letter.
    await dash.state.save([message('fetch-1', 'please-fetch-amp-image', { key: 'radar' })], T);
    await dash.state.settle('fetch-1', { status: 'done', attempts: 1 }, [message('frame-1', 'did-fetch-amp-image', { key: 'radar', validTime: T, causedBy: 'fetch-1' })], T + 1000);
    await dash.state.settle('frame-1', { status: 'done', attempts: 1 }, [message('thumb-ask-1', 'please-create-thumbnail', { key: 'radar', validTime: T, causedBy: 'frame-1' })], T + 1500);
    await dash.state.settle('thumb-ask-1', { status: 'done', attempts: 1 }, [message('thumb-1', 'did-create-thumbnail', { key: 'radar', validTime: T, causedBy: 'thumb-ask-1' })], T + 2500);
    await dash.state.save([message('bad', 'please-create-thumbnail', { key: '<b>x</b>' })], T + 3000);
    await dash.state.settle('bad', { status: 'dead', attempts: 5, reason: 'no blob at dataflow/x.png (after 5 attempts)' }, [], T + 4000);
    await dash.state.save([message('junk', '(invalid)', { status: 'dead', reason: 'type: unknown' })], T + 5000);
    await dash.blobs.put({ Bucket: 'dataflow', Key: 'gif-creator/radar/1.gif' }, Buffer.from('GIF89a'));
    await dash.blobs.put({ Bucket: 'dataflow', Key: 'notes/readme.html' }, Buffer.from('<script>alert(1)</script>'));
  });
  after(() => dash.close());

  const get = async (path: string) => {
    const answer = await request(`${dash.url}${path.replace(/^\//, '')}`);
    return { status: answer.status, body: answer.status === 200 ? answer.json() : answer.text, headers: answer.headers };
  };

  it('draws the flow: each consumer with the counts of the types it handles, the edges, and unknown input apart', async () => {
    const { body } = await get('/api/flow');
    const by = Object.fromEntries(body.consumers.map((c: any) => [c.name, c]));
    assert.deepEqual(Object.keys(by), ['mediator', 'amp-image-fetcher', 'thumbnail-creator', 'gif-creator', 'email-sender']);
    assert.deepEqual(by['amp-image-fetcher'].counts, { pending: 0, done: 1, dead: 0 });
    assert.deepEqual(by['thumbnail-creator'].counts, { pending: 0, done: 1, dead: 1 });
    assert.deepEqual(by['mediator'].counts, { pending: 1, done: 1, dead: 0 }, 'did-create-thumbnail is still pending; did-fetch-amp-image done');
    assert.equal(by['thumbnail-creator'].replies, 'did-create-thumbnail');
    assert.deepEqual(body.edges.slice(0, 2), [
      { from: 'mediator', to: 'amp-image-fetcher', type: 'please-fetch-amp-image' },
      { from: 'amp-image-fetcher', to: 'mediator', type: 'did-fetch-amp-image' },
    ]);
    assert.deepEqual(body.unknown, [{ type: '(invalid)', pending: 0, done: 0, dead: 1 }]);
    assert.deepEqual(body.totals, { pending: 1, done: 3, dead: 2 });
  });

  it('sums each consumer\'s last hour per minute, with latency from recorded to settled', async () => {
    const { body } = await get('/api/activity');
    assert.equal(body.bucketMs, 60_000);
    assert.equal(body.starts.length, 61);
    const fetcher = body.consumers.find((c: any) => c.name === 'amp-image-fetcher');
    const i = body.starts.indexOf(T);
    assert.equal(fetcher.done[i], 1);
    assert.equal(fetcher.averageLatencyMs[i], 1000);
    assert.equal(fetcher.averageLatencyMs[i + 1], null);
    const thumbnails = body.consumers.find((c: any) => c.name === 'thumbnail-creator');
    assert.equal(thumbnails.dead[i], 1);
  });

  it('searches newest first, by type, key, status and time, and pages with a cursor', async () => {
    const first = (await get('/api/messages?limit=3')).body;
    assert.deepEqual(first.messages.map((m: any) => m.id), ['junk', 'bad', 'thumb-1']);
    assert.ok(first.next);
    const second = (await get(`/api/messages?limit=3&cursor=${first.next}`)).body;
    assert.deepEqual(second.messages.map((m: any) => m.id), ['thumb-ask-1', 'frame-1', 'fetch-1']);
    assert.equal(second.next, undefined);
    assert.deepEqual((await get('/api/messages?key=radar&type=did-fetch-amp-image')).body.messages.map((m: any) => m.id), ['frame-1']);
    assert.deepEqual((await get('/api/messages?key=radar')).body.messages.map((m: any) => [m.id, m.key, m.validTime]), [
      ['thumb-1', 'radar', T],
      ['thumb-ask-1', 'radar', T],
      ['frame-1', 'radar', T],
      ['fetch-1', 'radar', undefined],
    ], 'each with its key and valid time');
    const misspelt = await get('/api/messages?imageId=radar');
    assert.equal(misspelt.status, 400, 'a filter the search does not know is refused, not ignored');
    assert.match(JSON.parse(misspelt.body).error, /unknown parameter "imageId": this takes type, key, status/);
    assert.deepEqual((await get('/api/messages?status=dead')).body.messages.map((m: any) => m.id), ['junk', 'bad']);
    assert.deepEqual((await get(`/api/messages?from=${new Date(T + 1000).toISOString()}&to=${T + 2000}`)).body.messages.map((m: any) => m.id), ['thumb-ask-1', 'frame-1']);
    const summary = first.messages[2];
    assert.equal(summary.consumer, 'mediator');
    assert.equal(summary.body, undefined, 'lists carry no payloads');
    assert.equal((await get('/api/messages?status=lost')).status, 400);
    assert.equal((await get('/api/messages?from=yesterday')).status, 400);
    assert.equal((await get('/api/messages?cursor=1;DROP')).status, 400);
  });

  it('shows a message with its payload, what caused it and what it caused', async () => {
    const { body } = await get('/api/messages/frame-1');
    assert.equal(body.message.body.type, 'did-fetch-amp-image');
    assert.deepEqual(body.ancestors.map((m: any) => m.id), ['fetch-1']);
    assert.deepEqual(body.descendants.map((d: any) => [d.id, d.depth, d.parentId]), [['thumb-ask-1', 1, 'frame-1'], ['thumb-1', 2, 'thumb-ask-1']]);
    assert.equal(body.truncated, false);
    const root = (await get('/api/messages/fetch-1')).body;
    assert.deepEqual(root.ancestors, []);
    assert.deepEqual(root.descendants.map((d: any) => d.type), ['did-fetch-amp-image', 'please-create-thumbnail', 'did-create-thumbnail']);
    assert.equal((await get('/api/messages/nope')).status, 404);
    assert.equal((await get('/api/messages/frame-1?chain=false')).body.ancestors, undefined);
  });

  it('caps a very wide chain', async () => {
    await dash.state.save([message('wide', 'please-fetch-amp-image')], T);
    await dash.state.save(Array.from({ length: 600 }, (_, i) => message(`wide-${i}`, 'did-fetch-amp-image', { causedBy: 'wide' })), T);
    const { body } = await get('/api/messages/wide');
    assert.equal(body.descendants.length, 500);
    assert.equal(body.truncated, true);
  });

  it('lists the dead letters with their reasons', async () => {
    const { body } = await get('/api/dead');
    assert.deepEqual(body.messages.map((m: any) => [m.id, m.reason]), [['junk', 'type: unknown'], ['bad', 'no blob at dataflow/x.png (after 5 attempts)']]);
    assert.deepEqual((await get('/api/dead?key=%3Cb%3Ex%3C%2Fb%3E')).body.messages.map((m: any) => m.id), ['bad']);
  });

  it('serves blobs with a type from the extension, never HTML, and refuses paths that leave the store', async () => {
    const gif = await request(`${dash.url}blobs/dataflow/gif-creator/radar/1.gif`);
    assert.equal(gif.status, 200);
    assert.equal(gif.headers['content-type'], 'image/gif');
    assert.equal(gif.text, 'GIF89a');
    const html = await request(`${dash.url}blobs/dataflow/notes/readme.html`);
    assert.equal(html.headers['content-type'], 'application/octet-stream');
    assert.equal(html.headers['content-disposition'], 'attachment');
    assert.equal((await get('/blobs/dataflow/missing.gif')).status, 404);
    assert.equal((await get('/blobs/dataflow/..%2F..%2Fetc/passwd')).status, 400);
    // The URL parser folds an encoded '..' segment away before routing: it stays inside the store.
    assert.ok([400, 404].includes((await get('/blobs/dataflow/a/%2E%2E/b.gif')).status));
    assert.equal((await get('/blobs/dataflow/a%2F..%2F..%2Fb.gif')).status, 400);
  });

  it('has no views of the flow\'s own when the flow gives none', async () => {
    assert.deepEqual((await get('/api/meta')).body.views, []);
    const answer = await get('/api/views/gallery');
    assert.equal(answer.status, 404);
    assert.match(JSON.parse(answer.body).error, /this flow has no view "gallery"; it has none/);
    assert.equal((await get('/api/gallery')).status, 404);
  });

  it('tells the page what changed, throttled, from the runtime\'s events', async () => {
    const started = Date.now();
    const events = await readEvents(`${dash.url}api/events`, (seen) => {
      if (seen.length === 1) {
        // a burst of events after the stream is ready
        for (let i = 0; i < 50; i++) emit({ kind: 'received', consumer: 'mediator', message: { type: 'x', id: String(i), dateCreated: 1 }, attempt: 1 });
        emit({ kind: 'dead', consumer: 'mediator', id: 'x', type: 'x', reason: 'r' });
      }
      return seen.some((e) => e.event === 'change' && JSON.parse(e.data).topics.includes('dead'));
    });
    assert.equal(events[0]!.event, 'ready');
    const changes = events.filter((e) => e.event === 'change');
    assert.ok(changes.length <= 2, `a burst of 51 events makes at most two changes, got ${changes.length}`);
    assert.ok(Date.now() - started < 3000);
  });
});

describe('live updates without events', () => {
  it('polls the store and tells the page when it changed', async () => {
    const dash = await testDashboard();
    try {
      const events = await readEvents(`${dash.url}api/events`, (seen) => {
        if (seen.length === 1) setTimeout(() => void dash.state.save([message('new', 'please-fetch-amp-image')], Date.now()), 300);
        return seen.some((e) => e.event === 'change');
      });
      assert.deepEqual(JSON.parse(events.at(-1)!.data).topics.sort(), ['dead', 'flow', 'messages']);
    } finally {
      await dash.close();
    }
  });
});
