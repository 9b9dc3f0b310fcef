/**
 * Two maps of one imageId (other layers, as the README's example fetches beside the default
 * schedule) at the same valid times: each makes a GIF of its own frames, and its mail and its
 * gallery entry show the thumbnails of those very frames, never the other map's.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, it } from 'node:test';
import { simpleParser } from 'mailparser';
import { outboxMailer } from '../../src/adapters/mail/outbox-mailer.js';
import { startDashboard } from '../../src/dashboard/server.js';
import { weatherGallery } from '../../examples/weather/gallery.js';
import { coverThumbnail } from '../../examples/weather/imaging/cover-thumbnail.js';
import { startAmpServer } from '../../examples/weather/offline-maps/amp-server.js';
import type { Location } from '../../src/index.js';
import { weatherDefinitions } from '../dashboard/support.js';
import { weatherRuntime } from '../support/weather-runtime.js';

const credentials = { clientId: 'maps-client', clientSecret: 'maps-secret-7e6d5c' };
const NOW = Date.UTC(2026, 5, 1, 16, 3);
let amp: Awaited<ReturnType<typeof startAmpServer>>;
before(async () => {
  amp = await startAmpServer({ ...credentials, now: () => NOW });
});
after(() => amp.close());

const imageId = 'OSN 2017 Demo';
const layerSets = {
  schedule: ['flat-dk', 'radar', 'admin-cities-dk'],
  example: ['terrain', 'temperatures:blend(overlay):60', 'radar'],
};
const fetchMap = (layers: string[], validTime: string) => ({ type: 'please-fetch-amp-image', imageId, layers, width: 160, height: 120, center: 'athens,ga', zoom: 5, validTime });

it('two layer sets of one imageId at the same valid times: two GIFs, each mailed and shown with its own frames\' thumbnails', async () => {
  const outbox = await mkdtemp(join(tmpdir(), 'dataflow-outbox-'));
  const { runtime, state } = await weatherRuntime({
    mailer: outboxMailer(outbox),
    amp: { baseUrl: amp.url, ...credentials },
    config: { framesPerGif: 3, thumbnail: { width: 40, height: 40 } },
  });
  const dashboard = await startDashboard({ state, blobs: runtime.blobs, flow: weatherDefinitions(), port: 0, token: '', views: [weatherGallery()] });
  try {
    // Interleaved, so the two maps' frames and thumbnails race each other.
    const times = ['-20m', '-10m', '-0m'];
    const { rejected } = await runtime.send(times.flatMap((t) => [fetchMap(layerSets.example, t), fetchMap(layerSets.schedule, t)]));
    assert.deepEqual(rejected, []);
    await runtime.idle();
    assert.deepEqual(await runtime.state.find({ status: 'dead' }), []);

    // Each frame's map, from the request that fetched it.
    const layersOfFrame = new Map<string, string>();
    for (const frame of await runtime.state.find({ type: 'did-fetch-amp-image' })) {
      const request = await runtime.state.get(frame.causedBy!);
      layersOfFrame.set((frame.body as unknown as { location: Location }).location.Key, JSON.stringify((request!.body as unknown as { layers: string[] }).layers));
    }
    assert.equal(layersOfFrame.size, 6, 'six frames: two maps at three valid times');

    // Each GIF: its frames, all of one map, and the thumbnails those frames make.
    const gifs = new Map<string, { layers: string; thumbnails: Buffer[]; bytes: Buffer }>();
    for (const stored of await runtime.state.find({ type: 'did-create-gif' })) {
      const gif = (stored.body as unknown as { location: Location }).location;
      const request = (await runtime.state.get(stored.causedBy!))!.body as unknown as { locations: Location[] };
      const layers = new Set(request.locations.map((l) => layersOfFrame.get(l.Key)));
      assert.equal(layers.size, 1, `a GIF of one map's frames: ${[...layers].join(' and ')}`);
      const thumbnails = await Promise.all(request.locations.map(async (l) => coverThumbnail(await runtime.blobs.get(l), 40, 40)));
      gifs.set(gif.Key, { layers: [...layers][0]!, thumbnails, bytes: await runtime.blobs.get(gif) });
    }
    assert.deepEqual([...gifs.values()].map((g) => g.layers).sort(), Object.values(layerSets).map((l) => JSON.stringify(l)).sort(), 'one GIF per map');

    // Each mail, as its recipient reads it: the GIF, then the thumbnails of that GIF's frames.
    const files = await readdir(outbox);
    assert.equal(files.length, 2, 'one mail per GIF');
    const mailed = new Set<string>();
    for (const file of files) {
      const mail = await simpleParser(await readFile(join(outbox, file), 'utf8'), { keepCidLinks: true });
      const gifPart = mail.attachments.find((a) => a.contentType === 'image/gif')!;
      const [key, gif] = [...gifs].find(([, g]) => g.bytes.equals(gifPart.content)) ?? [];
      assert.ok(gif, 'the mail shows one of the GIFs');
      mailed.add(key!);
      const cids = [...String(mail.html).matchAll(/src="cid:(thumbnail\.[^"]+)"/g)].map((m) => m[1]);
      const shown = cids.map((cid) => mail.attachments.find((a) => a.cid === cid)!.content);
      assert.equal(shown.length, 3);
      shown.forEach((bytes, i) => assert.ok(bytes.equals(gif.thumbnails[i]!), `thumbnail ${i + 1} of the ${gif.layers} mail is its own frame's`));
    }
    assert.equal(mailed.size, 2, 'each GIF mailed once');

    // The gallery, through the dashboard's API.
    const answer = await fetch(`${dashboard.url.replace(/\/$/, '')}/api/views/gallery?key=${encodeURIComponent(imageId)}`);
    const { cards } = (await answer.json()) as { cards: { image: { location: Location }; images: { location: Location }[] }[] };
    assert.equal(cards.length, 2);
    for (const card of cards) {
      const gif = gifs.get(card.image.location.Key)!;
      const shown = await Promise.all(card.images.map((t) => runtime.blobs.get(t.location)));
      assert.equal(shown.length, 3);
      shown.forEach((bytes, i) => assert.ok(bytes.equals(gif.thumbnails[i]!), `the gallery's thumbnail ${i + 1} of the ${gif.layers} GIF is its own frame's`));
    }
  } finally {
    await dashboard.close();
    await runtime.stop();
  }
});
