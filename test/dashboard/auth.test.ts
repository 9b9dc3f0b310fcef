/** Who may read and write the dashboard, and the headers every answer carries. */
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import { startDashboard } from '../../src/dashboard/server.js';
import { openSqliteStateStore } from '../../src/adapters/sqlite/state-store.js';
import { diskBlobStore } from '../../src/adapters/disk/blob-store.js';
import { message, request, testDashboard, weatherDefinitions } from './support.js';

const TOKEN = 'correct-horse-battery-staple-7f3a';
let saved: string | undefined;
before(() => {
  saved = process.env.DATAFLOW_DASHBOARD_TOKEN;
  delete process.env.DATAFLOW_DASHBOARD_TOKEN;
});
after(() => {
  if (saved !== undefined) process.env.DATAFLOW_DASHBOARD_TOKEN = saved;
});

describe('starting', () => {
  it('refuses to listen off loopback without a token, naming DATAFLOW_DASHBOARD_TOKEN', async () => {
    const state = openSqliteStateStore(':memory:');
    for (const host of ['0.0.0.0', '::', '192.168.1.20']) {
      await assert.rejects(
        startDashboard({ state, flow: weatherDefinitions(), blobs: diskBlobStore('/nonexistent'), host, port: 0 }),
        /DATAFLOW_DASHBOARD_TOKEN/,
      );
    }
    await state.close();
  });

  it('refuses a token shorter than 16 characters, naming DATAFLOW_DASHBOARD_TOKEN and not the token', async () => {
    const state = openSqliteStateStore(':memory:');
    for (const host of ['0.0.0.0', '127.0.0.1']) {
      for (const token of ['x', 'hunter2-hunter2']) {
        const started = startDashboard({ state, flow: weatherDefinitions(), blobs: diskBlobStore('/nonexistent'), host, port: 0, token });
        await assert.rejects(started.then((dashboard) => dashboard.close()), (error: Error) => {
          assert.match(error.message, /DATAFLOW_DASHBOARD_TOKEN/);
          assert.match(error.message, /16 characters/);
          assert.ok(!error.message.includes('hunter2'), 'the error does not show the token');
          return true;
        });
      }
    }
    const dashboard = await startDashboard({ state, flow: weatherDefinitions(), blobs: diskBlobStore('/nonexistent'), host: '0.0.0.0', port: 0, token: 'sixteen-chars-ok' });
    await dashboard.close();
    await state.close();
  });

  it('reads no token from the environment: the host passes it, so a stray DATAFLOW_DASHBOARD_TOKEN opens nothing', async () => {
    process.env.DATAFLOW_DASHBOARD_TOKEN = TOKEN;
    try {
      const state = openSqliteStateStore(':memory:');
      await assert.rejects(startDashboard({ state, flow: weatherDefinitions(), blobs: diskBlobStore('/nonexistent'), host: '0.0.0.0', port: 0 }), /will not listen on 0\.0\.0\.0 without a token/);
      await state.close();
    } finally {
      delete process.env.DATAFLOW_DASHBOARD_TOKEN;
    }
  });
});

describe('with a token, off loopback', () => {
  let dash: Awaited<ReturnType<typeof testDashboard>>;
  let base: string;
  const redriven: unknown[] = [];
  before(async () => {
    dash = await testDashboard({ host: '0.0.0.0', token: TOKEN, redrive: async (ids) => (redriven.push(ids), []), metrics: { contentType: 'text/plain; version=0.0.4', metrics: async () => 'dataflow_up 1\n' } });
    base = `http://127.0.0.1:${new URL(dash.url).port}`;
  });
  after(() => dash.close());
  afterEach(() => (redriven.length = 0));

  it('answers 401 without the token or with a wrong one, on every path', async () => {
    for (const path of ['/', '/api/flow', '/api/messages', '/api/events', '/metrics', '/blobs/dataflow/a.gif', '/vendor/chart.umd.js']) {
      assert.equal((await request(`${base}${path}`)).status, 401, path);
      assert.equal((await request(`${base}${path}`, { headers: { authorization: 'Bearer wrong' } })).status, 401, path);
    }
    assert.equal((await request(`${base}/api/flow?token=wrong`)).status, 401);
    const page = await request(`${base}/`, { headers: { accept: 'text/html' } });
    assert.equal(page.status, 401);
    assert.match(page.text, /<form method="get">/, 'a person gets a form asking for the token');
  });

  it('takes the token as a Bearer header', async () => {
    const answer = await request(`${base}/api/flow`, { headers: { authorization: `Bearer ${TOKEN}` } });
    assert.equal(answer.status, 200);
    assert.equal(answer.json().name, 'weather-gifs');
  });

  it('turns ?token= into an HttpOnly, SameSite=Strict cookie that holds no token, and redirects without it', async () => {
    const answer = await request(`${base}/?token=${TOKEN}&x=1`);
    assert.equal(answer.status, 303);
    assert.equal(answer.headers.location, '/?x=1');
    const cookie = String(answer.headers['set-cookie']);
    assert.match(cookie, /HttpOnly/);
    assert.match(cookie, /SameSite=Strict/);
    assert.ok(!cookie.includes(TOKEN), 'the cookie is derived from the token, not the token');
    const session = cookie.split(';')[0]!;
    assert.equal((await request(`${base}/api/flow`, { headers: { cookie: session } })).status, 200);
    assert.equal((await request(`${base}/api/flow`, { headers: { cookie: 'dataflow_dashboard=forged' } })).status, 401);
  });

  it('redirects ?token= only to a path of this dashboard, never to another site', async () => {
    // (Node's HTTP parser refuses a backslash in the path with 400 before any route sees it.)
    for (const path of ['//evil.example/', '///evil.example/', '//evil.example', '/%2F/evil.example/', '//127.0.0.1:1/']) {
      const answer = await request(base, { path: `${path}?token=${TOKEN}&x=1` });
      assert.equal(answer.status, 303, path);
      const location = String(answer.headers.location);
      assert.equal(new URL(location, base).origin, base, `${path} redirects to ${location}`);
      assert.match(location, /^\/[^/]/, `${location} is a path of this origin`);
      assert.ok(location.endsWith('?x=1') && !location.includes(TOKEN), location);
    }
  });

  it('serves /metrics behind the token with the exposition content type', async () => {
    const answer = await request(`${base}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } });
    assert.equal(answer.status, 200);
    assert.equal(answer.headers['content-type'], 'text/plain; version=0.0.4');
    assert.equal(answer.text, 'dataflow_up 1\n');
  });

  it('lets a write through with the Bearer header (no browser adds one cross-site)', async () => {
    const answer = await request(`${base}/api/redrive`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}` }, body: { ids: ['a'] } });
    assert.equal(answer.status, 200);
    assert.deepEqual(redriven, [['a']]);
  });

  it('refuses a write with the cookie unless it comes from the page itself', async () => {
    const session = String((await request(`${base}/?token=${TOKEN}`)).headers['set-cookie']).split(';')[0]!;
    const post = (headers: Record<string, string>) => request(`${base}/api/redrive`, { method: 'POST', headers: { cookie: session, ...headers }, body: { ids: ['a'] } });
    assert.equal((await post({})).status, 403);
    assert.equal((await post({ origin: 'http://evil.example' })).status, 403);
    assert.equal((await post({ 'sec-fetch-site': 'cross-site' })).status, 403);
    assert.deepEqual(redriven, []);
    assert.equal((await post({ origin: base, 'sec-fetch-site': 'same-origin' })).status, 200);
    assert.deepEqual(redriven, [['a']]);
  });
});

describe('wrong tokens, off loopback', () => {
  let dash: Awaited<ReturnType<typeof testDashboard>>;
  let base: string;
  let clock = Date.parse('2026-06-01T12:00:00Z');
  before(async () => {
    dash = await testDashboard({ host: '0.0.0.0', token: TOKEN, now: () => clock });
    base = `http://127.0.0.1:${new URL(dash.url).port}`;
  });
  after(() => dash.close());

  it('are slowed per client address: after 10 failures, 429 with Retry-After, even for the right token', async () => {
    const bearer = (token: string, localAddress = '127.0.0.1') => request(`${base}/api/flow`, { headers: { authorization: `Bearer ${token}` }, localAddress });
    const session = String((await request(`${base}/?token=${TOKEN}`)).headers['set-cookie']).split(';')[0]!;
    for (let i = 0; i < 10; i++) assert.equal((await bearer(`guess-${i}`)).status, 401, `guess ${i}`);

    const limited = await bearer('guess-10');
    assert.equal(limited.status, 429);
    const retryAfter = Number(limited.headers['retry-after']);
    assert.ok(Number.isInteger(retryAfter) && retryAfter > 0 && retryAfter <= 60, `Retry-After: ${limited.headers['retry-after']}`);
    assert.match(limited.json().error, /too many wrong tokens/);
    assert.equal((await bearer(TOKEN)).status, 429, 'a guess that happens to be right tells nothing while limited');
    assert.equal((await request(`${base}/api/flow?token=${TOKEN}`)).status, 429);
    const page = await request(`${base}/?token=wrong`, { headers: { accept: 'text/html' } });
    assert.equal(page.status, 429);
    assert.match(page.text, /<form method="get">/, 'a person gets the form and the reason');

    assert.equal((await request(`${base}/api/flow`, { headers: { cookie: session } })).status, 200, 'an open session goes on');
    assert.equal((await bearer(TOKEN, '127.0.0.2')).status, 200, 'another address is not limited');
    assert.equal((await bearer('guess', '127.0.0.2')).status, 401);

    clock += retryAfter * 1000;
    assert.equal((await bearer(TOKEN)).status, 200, 'after Retry-After the address may try again');
  });
});

describe('on loopback without a token', () => {
  let dash: Awaited<ReturnType<typeof testDashboard>>;
  const redriven: unknown[] = [];
  before(async () => {
    dash = await testDashboard({ redrive: async (ids) => (redriven.push(ids), [{ id: 'a' }]) });
    await dash.state.save([message('a', 'please-create-thumbnail', { status: 'dead', reason: 'x' })], 1);
  });
  after(() => dash.close());

  it('reads are open', async () => {
    assert.equal((await request(`${dash.url}api/flow`)).status, 200);
    assert.equal((await request(dash.url)).status, 200);
  });

  it('answers only to a loopback Host, so a rebound DNS name cannot read it', async () => {
    const port = new URL(dash.url).port;
    assert.equal((await request(`${dash.url}api/flow`, { headers: { host: `evil.example:${port}` } })).status, 403);
    assert.equal((await request(`${dash.url}api/flow`, { headers: { host: `localhost:${port}` } })).status, 200);
  });

  it('refuses a POST that does not come from the page itself', async () => {
    const post = (headers: Record<string, string>, body: unknown = { ids: ['a'] }) => request(`${dash.url}api/redrive`, { method: 'POST', headers, body });
    assert.equal((await post({})).status, 403, 'no Origin, no Sec-Fetch-Site');
    assert.equal((await post({ origin: 'http://evil.example' })).status, 403);
    assert.equal((await post({ origin: 'null' })).status, 403);
    assert.equal((await post({ 'sec-fetch-site': 'same-site' })).status, 403);
    assert.equal((await post({ 'sec-fetch-site': 'cross-site', origin: dash.url.slice(0, -1) })).status, 403);
    assert.deepEqual(redriven, []);
    const ok = await post({ origin: dash.url.slice(0, -1), 'sec-fetch-site': 'same-origin' });
    assert.equal(ok.status, 200);
    assert.deepEqual(ok.json(), { revived: 1, ids: ['a'] });
    assert.deepEqual(redriven, [['a']]);
    const same = { origin: dash.url.slice(0, -1) };
    assert.equal((await post(same, { ids: [] })).status, 400);
    assert.equal((await post(same, { ids: [1] })).status, 400);
    assert.equal((await post(same, 'ids=a')).status, 400, 'a form post is not JSON');
  });

  it('sends a strict CSP, nosniff and no-referrer on every answer', async () => {
    for (const path of ['', 'api/flow', 'ui/app.js', 'nowhere']) {
      const answer = await request(`${dash.url}${path}`);
      const csp = String(answer.headers['content-security-policy']);
      assert.match(csp, /script-src 'self'(;|$)/, path);
      assert.match(csp, /default-src 'none'/);
      assert.match(csp, /object-src 'none'/);
      assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
      assert.equal(answer.headers['x-content-type-options'], 'nosniff');
      assert.equal(answer.headers['referrer-policy'], 'no-referrer');
    }
  });

  it('keeps script out of the page: no inline script, and every view builds its DOM without innerHTML', async () => {
    const page = await request(dash.url);
    assert.doesNotMatch(page.text.replace(/<script [^>]*src="[^"]+"[^>]*><\/script>/g, ''), /<script/i);
    for (const file of ['app.js', 'dom.js', 'components.js', 'views/flow.js', 'views/flow-diagram.js', 'views/contributed.js', 'views/view-gallery.js', 'views/view-table.js', 'views/messages.js', 'views/message.js', 'views/causal-chain.js', 'views/dead.js']) {
      const source = (await request(`${dash.url}ui/${file}`)).text;
      assert.ok(source.length > 0, file);
      assert.doesNotMatch(source, /\.(innerHTML|outerHTML)\s*=|insertAdjacentHTML|document\.write|new DOMParser/, file);
    }
  });
});

describe('without a re-drive', () => {
  it('says why the button is off, and refuses the POST with the reason', async () => {
    const dash = await testDashboard();
    const meta = (await request(`${dash.url}api/meta`)).json();
    assert.equal(meta.redrive.available, false);
    assert.match(meta.redrive.reason, /dataflow redrive/);
    const answer = await request(`${dash.url}api/redrive`, { method: 'POST', headers: { origin: dash.url.slice(0, -1) }, body: { all: true } });
    assert.equal(answer.status, 409);
    assert.match(answer.json().error, /dataflow redrive/);
    await dash.close();
  });
});
