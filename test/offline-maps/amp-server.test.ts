/** The offline AMP server over real HTTP on the loopback interface. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import sharp from 'sharp';
import { startAmpServer, type AmpServer } from '../../examples/weather/offline-maps/amp-server.js';

const NOW = Date.UTC(2017, 5, 1, 19, 57, 4);
const ID = 'test-client';
const SECRET = 'sup3r-s3cret-value';
const LAYERS = 'flat-dk,temperatures:blend(overlay):60,alerts:70,radar,admin-cities-dk';

let server: AmpServer;

async function errorOf(res: Response): Promise<{ code: string; description: string; raw: string }> {
  assert.match(res.headers.get('content-type') ?? '', /^application\/json/);
  const raw = await res.text();
  const body = JSON.parse(raw) as { error: { code: string; description: string } };
  assert.equal(typeof body.error.code, 'string');
  assert.equal(typeof body.error.description, 'string');
  return { ...body.error, raw };
}

describe('startAmpServer', () => {
  before(async () => {
    server = await startAmpServer({ clientId: ID, clientSecret: SECRET, now: () => NOW });
  });
  after(async () => {
    await server.close();
  });

  it('listens on a random loopback port', () => {
    assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it('answers bad credentials with 401 JSON that never contains the secret', async () => {
    for (const creds of [`${ID}_wrong`, `other_${SECRET}`, `${ID}${SECRET}`, `${ID}_${SECRET}x`]) {
      const res = await fetch(`${server.url}/${creds}/${LAYERS}/800x600/athens,ga,5/-30m.png`, { redirect: 'manual' });
      assert.equal(res.status, 401, creds);
      const error = await errorOf(res);
      assert.equal(error.code, 'invalid_client');
      assert.ok(!error.raw.includes(SECRET), 'secret echoed');
      assert.ok(!error.raw.includes('wrong'), 'credentials echoed');
    }
  });

  it('redirects a relative time to the absolute frame URL, which returns the PNG', async () => {
    const res = await fetch(`${server.url}/${ID}_${SECRET}/${LAYERS}/800x600/athens,ga,5/-30m.png`, { redirect: 'manual' });
    assert.equal(res.status, 302);
    const location = res.headers.get('location')!;
    // 19:57:04 - 30 min = 19:27:04, snapped down to the 10-minute frame: 19:20:00.
    assert.equal(location, `${server.url}/${ID}_${SECRET}/${LAYERS}/800x600/athens,ga,5/20170601192000.png`);

    const frame = await fetch(location);
    assert.equal(frame.status, 200);
    assert.equal(frame.headers.get('content-type'), 'image/png');
    const validDate = frame.headers.get('x-aeris-valid-date')!;
    assert.equal(validDate, '2017-06-01T19:20:00Z');
    assert.equal(Date.parse(validDate), Date.UTC(2017, 5, 1, 19, 20));
    assert.equal(frame.headers.get('x-aeris-min-valid-date'), '2017-06-01T19:20:00Z');
    assert.equal(frame.headers.get('x-aeris-max-valid-date'), '2017-06-01T19:30:00Z');
    assert.equal(frame.headers.get('x-aeris-run-date'), '2017-06-01T19:20:00Z');
    const meta = await sharp(Buffer.from(await frame.arrayBuffer())).metadata();
    assert.equal(meta.width, 800);
    assert.equal(meta.height, 600);
  });

  it('follows redirects like a plain fetch client would', async () => {
    const res = await fetch(`${server.url}/${ID}_${SECRET}/radar/200x150/tulsa,ok,5/-0h.png`);
    assert.equal(res.status, 200);
    assert.ok(res.redirected);
    assert.ok(res.url.endsWith('/20170601195000.png'), res.url);
    assert.equal(res.headers.get('x-aeris-valid-date'), '2017-06-01T19:50:00Z');
  });

  it('accepts absolute times as YYYYMMDDhhmmss or epoch numbers, snapped to the frame', async () => {
    const compact = await fetch(`${server.url}/${ID}_${SECRET}/radar/120x90/minneapolis,mn,4/20170601195704.png`);
    assert.equal(compact.status, 200);
    assert.equal(compact.headers.get('x-aeris-valid-date'), '2017-06-01T19:50:00Z');
    const epoch = await fetch(`${server.url}/${ID}_${SECRET}/radar/120x90/minneapolis,mn,4/1496347200.png`);
    assert.equal(epoch.status, 200);
    assert.equal(epoch.headers.get('x-aeris-valid-date'), '2017-06-01T20:00:00Z');
  });

  it('decodes centres with spaces and commas; the zoom is the last comma part', async () => {
    const res = await fetch(`${server.url}/${ID}_${SECRET}/flat,temperatures:80,admin/240x160/el%20dorado,ar,6/20170601160000.png`);
    assert.equal(res.status, 200);
    const latLon = await fetch(`${server.url}/${ID}_${SECRET}/radar/240x160/33.95,-83.36,5/20170601160000.png`);
    assert.equal(latLon.status, 200);
  });

  it('answers an unknown centre with 400 JSON', async () => {
    const res = await fetch(`${server.url}/${ID}_${SECRET}/radar/800x600/atlantis,zz,5/-30m.png`, { redirect: 'manual' });
    assert.equal(res.status, 400);
    const error = await errorOf(res);
    assert.equal(error.code, 'invalid_location');
    assert.match(error.description, /atlantis,zz/);
    assert.ok(!error.raw.includes(SECRET));
  });

  it('answers a bad size with 400 JSON', async () => {
    for (const size of ['0x600', '800x0', '3000x600', '800x600x2', 'bigxsmall']) {
      const res = await fetch(`${server.url}/${ID}_${SECRET}/radar/${size}/athens,ga,5/20170601160000.png`);
      assert.equal(res.status, 400, size);
      assert.equal((await errorOf(res)).code, 'invalid_size', size);
    }
  });

  it('answers a bad time, zoom or format with 400 JSON', async () => {
    const cases: [string, string][] = [
      ['athens,ga,5/yesterday.png', 'invalid_time'],
      ['athens,ga,5/20171301000000.png', 'invalid_time'],
      ['athens,ga,high/-30m.png', 'invalid_zoom'],
      ['athens,ga,5/-30m.gif', 'invalid_format'],
    ];
    for (const [tail, code] of cases) {
      const res = await fetch(`${server.url}/${ID}_${SECRET}/radar/800x600/${tail}`, { redirect: 'manual' });
      assert.equal(res.status, 400, tail);
      assert.equal((await errorOf(res)).code, code, tail);
    }
  });

  it('answers unknown paths with 404 JSON and other methods with 405, echoing no secret', async () => {
    for (const path of ['/', '/favicon.ico', `/${ID}_${SECRET}/radar/800x600`, `/${ID}_${SECRET}/radar/800x600/athens,ga,5/now.png/extra`]) {
      const res = await fetch(`${server.url}${path}`);
      assert.equal(res.status, 404, path);
      const error = await errorOf(res);
      assert.equal(error.code, 'not_found');
      assert.ok(!error.raw.includes(SECRET));
    }
    const post = await fetch(`${server.url}/${ID}_${SECRET}/radar/800x600/athens,ga,5/now.png`, { method: 'POST' });
    assert.equal(post.status, 405);
    assert.ok(!(await errorOf(post)).raw.includes(SECRET));
  });

  it('counts the requests it served', async () => {
    const before = server.requests;
    await (await fetch(`${server.url}/nope`)).text();
    await (await fetch(`${server.url}/${ID}_${SECRET}/radar/100x100/athens,ga,5/20170601160000.png`)).arrayBuffer();
    assert.equal(server.requests, before + 2);
  });
});

describe('startAmpServer without configured credentials', () => {
  it('accepts any {id}_{secret} and still needs both parts', async () => {
    const open = await startAmpServer({ frameIntervalMinutes: 5, now: () => NOW });
    try {
      const ok = await fetch(`${open.url}/anyone_anything/radar/100x80/athens,ga,5/-1m.png`, { redirect: 'manual' });
      assert.equal(ok.status, 302);
      assert.ok(ok.headers.get('location')!.endsWith('/20170601195500.png'));
      const missing = await fetch(`${open.url}/nosecret/radar/100x80/athens,ga,5/-1m.png`, { redirect: 'manual' });
      assert.equal(missing.status, 401);
    } finally {
      await open.close();
    }
  });
});
