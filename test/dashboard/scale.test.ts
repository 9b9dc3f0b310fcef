/**
 * The dashboard answers every view right with 100,000 messages in the store: paged, ordered and
 * counted as with a handful. How fast it answers is measured by `npm run bench -- scale`, not here:
 * a time bound in a test fails on a busy machine and proves nothing on an idle one.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, it } from 'node:test';
import { diskBlobStore } from '../../src/adapters/disk/blob-store.js';
import { openSqliteStateStore } from '../../src/adapters/sqlite/state-store.js';
import { startDashboard } from '../../src/dashboard/server.js';
import { weatherGallery } from '../../examples/weather/gallery.js';
import type { MessageBrowser, NewMessage, StateStore } from '../../src/index.js';
import { request, weatherDefinitions } from './support.js';

const TOTAL = 100_000;
const CHAIN = ['please-fetch-amp-image', 'did-fetch-amp-image', 'please-create-thumbnail', 'did-create-thumbnail', 'please-create-gif', 'did-create-gif', 'please-send-email', 'did-send-email'];

let dir: string;
let state: StateStore & MessageBrowser;
let dashboard: Awaited<ReturnType<typeof startDashboard>>;
const now = Date.now();

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'dataflow-dashboard-scale-'));
  state = openSqliteStateStore(join(dir, 'state.db'));
  const chunk = 10_000;
  for (let offset = 0; offset < TOTAL; offset += chunk) {
    const messages: NewMessage[] = [];
    for (let i = offset; i < offset + chunk; i++) {
      const type = CHAIN[i % CHAIN.length]!;
      const imageId = `map-${Math.floor(i / CHAIN.length) % 20}`;
      const validTime = now - (TOTAL - i) * 1000;
      const status = i % 100 === 7 ? 'dead' : i % 50 === 3 ? 'pending' : 'done';
      const body = { type, id: `m${i}`, dateCreated: now, imageId, validTime, location: { Bucket: 'dataflow', Key: `x/${i}.gif` } };
      messages.push({ id: `m${i}`, type, body, key: imageId, validTime, causedBy: i % CHAIN.length ? `m${i - 1}` : undefined, status, reason: status === 'dead' ? 'failed on purpose' : undefined });
    }
    // Recorded over the last two hours, a chunk at a time.
    await state.save(messages, now - 2 * 3_600_000 + (offset / TOTAL) * 2 * 3_600_000);
  }
  dashboard = await startDashboard({ state, flow: weatherDefinitions(), blobs: diskBlobStore(join(dir, 'blobs')), views: [weatherGallery()], port: 0, token: '' });
  await request(`${dashboard.url}api/meta`);
});

after(async () => {
  await dashboard.close();
  await state.close();
  await rm(dir, { recursive: true, force: true });
});

async function get(path: string) {
  const answer = await request(`${dashboard.url}${path}`);
  assert.equal(answer.status, 200, `${path}: ${answer.text.slice(0, 200)}`);
  return answer.json();
}

it(`answers every view's queries with ${TOTAL.toLocaleString('en-US')} messages`, async () => {
  const flow = await get('api/flow');
  assert.equal(flow.totals.pending + flow.totals.done + flow.totals.dead, TOTAL);
  await get('api/activity');
  const first = await get('api/messages');
  assert.equal(first.messages.length, 50);
  assert.equal(first.messages[0].id, `m${TOTAL - 1}`);
  const second = await get(`api/messages?cursor=${first.next}`);
  assert.equal(second.messages[0].id, `m${TOTAL - 51}`);
  await get('api/messages?type=did-create-gif');
  const ofKey = await get('api/messages?key=map-7');
  assert.ok(ofKey.messages.length === 50 && ofKey.messages.every((m: { key: string }) => m.key === 'map-7'));
  await get('api/messages?key=map-7&type=did-send-email&status=done');
  await get('api/messages?status=pending');
  await get(`api/messages?from=${now - 3_600_000}`);
  const dead = await get('api/dead');
  assert.equal(dead.messages.length, 50);
  const page = await get(`api/messages/m${TOTAL - 5}`);
  assert.deepEqual(page.ancestors.map((m: { type: string }) => m.type), CHAIN.slice(0, 3));
  assert.deepEqual(page.descendants.map((m: { type: string }) => m.type), CHAIN.slice(4));
  const gallery = await get('api/views/gallery');
  assert.equal(gallery.cards.length, 24);
});
