/**
 * The dashboard end to end in a real headless browser (Debian's chromium driven by playwright-core):
 * the weather flow runs on the embedded runtime's parts (offline map server, .eml outbox), the page
 * shows the GIF in the gallery the flow contributes as soon as it is made, its causal chain, and a
 * dead letter that a click re-drives through; a user's flow shows no gallery, and the table view
 * it contributes. Screenshots of each view go to test-artifacts/dashboard/.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { diskBlobStore } from '../../src/adapters/disk/blob-store.js';
import { inProcessTransport } from '../../src/adapters/in-process/transport.js';
import { outboxMailer } from '../../src/adapters/mail/outbox-mailer.js';
import { openSqliteStateStore } from '../../src/adapters/sqlite/state-store.js';
import { startDashboard } from '../../src/dashboard/server.js';
import { defaultWeatherConfig } from '../../examples/weather/config.js';
import { weatherFlow } from '../../examples/weather/flow.js';
import { weatherGallery } from '../../examples/weather/gallery.js';
import { startAmpServer } from '../../examples/weather/offline-maps/amp-server.js';
import { createRuntime, type FlowView, type Location, type MessageBrowser, type Runtime, type StateStore } from '../../src/index.js';
import { toyRuntime } from '../support/toy-flow.js';

const CHROMIUM = '/usr/bin/chromium';
const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const required = process.env.DATAFLOW_REQUIRE_SERVICES === '1';
const skip = !existsSync(CHROMIUM) && !required ? `Debian's chromium is not installed at ${CHROMIUM} (apt-get install chromium)` : false;
const ARTIFACTS = fileURLToPath(new URL('../../test-artifacts/dashboard/', import.meta.url));
const EVIL = '<img src=x onerror=alert(1)>';
const credentials = { clientId: 'browser-client', clientSecret: 'browser-secret-5d4c' };

describe('the dashboard in a real browser', { skip, timeout: 60_000 }, () => {
  let amp: Awaited<ReturnType<typeof startAmpServer>>;
  let dir: string;
  let runtime: Runtime;
  let dashboard: Awaited<ReturnType<typeof startDashboard>>;
  let url: string;
  let browser: BrowserContext;
  let page: Page;
  const problems: string[] = [];
  const shot = async (name: string) => {
    await page.evaluate(() => document.querySelectorAll('.toast').forEach((toast) => toast.remove()));
    await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
  };
  /**
   * Shows a view and waits for its data: a view mounted since (the page counts its view mounts in
   * #view[data-mount]), or a new document (another dashboard's).
   */
  const open = async (hash: string) => {
    const before = await page.evaluate(() => ((window as unknown as { opened: boolean }).opened = true) && Number(document.getElementById('view')?.dataset.mount ?? 0)).catch(() => 0);
    await page.goto(`${url}${hash}`);
    await page.waitForFunction((n) => {
      const view = document.getElementById('view')!;
      const mounted = !(window as unknown as { opened?: boolean }).opened || Number(view.dataset.mount ?? 0) !== n;
      return mounted && view.dataset.loaded === 'true';
    }, before);
    await page.locator('#live[data-state="live"]').waitFor();
  };

  before(async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`DATAFLOW_REQUIRE_SERVICES=1 and Debian's chromium is missing at ${CHROMIUM} (apt-get install chromium)`);
    await mkdir(ARTIFACTS, { recursive: true });
    amp = await startAmpServer(credentials);
    dir = await mkdtemp(join(tmpdir(), 'dataflow-dashboard-browser-'));
    const state = openSqliteStateStore(join(dir, 'state.db'));
    const blobs = diskBlobStore(join(dir, 'blobs'));
    runtime = createRuntime({
      flow: weatherFlow({
        config: { ...defaultWeatherConfig, thumbnail: { width: 100, height: 100 }, email: { ...defaultWeatherConfig.email, to: ['forecast@example.com'] } },
        mailer: outboxMailer(join(dir, 'outbox')),
        amp: { baseUrl: amp.url, ...credentials },
      }),
      state,
      blobs,
      transport: inProcessTransport(),
      retry: { baseDelayMs: 20, maxDelayMs: 100 },
    });
    await runtime.start();
    dashboard = await startDashboard({ state, flow: runtime.flow, blobs, onEvent: runtime.on, redrive: runtime.redrive, views: [weatherGallery()], port: 0, token: '' });
    url = dashboard.url;
    browser = await chromium.launchPersistentContext(await mkdtemp(join(tmpdir(), 'dataflow-chromium-')), {
      executablePath: CHROMIUM,
      headless: true,
      args: FLAGS,
      viewport: { width: 1360, height: 900 },
    });
    page = browser.pages()[0] ?? (await browser.newPage());
    page.on('console', (m) => m.type() === 'error' && problems.push(`console: ${m.text()}`));
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    page.on('dialog', (d) => (problems.push(`dialog: ${d.message()}`), void d.dismiss()));
  });

  after(async () => {
    await browser?.close();
    await dashboard?.close();
    await runtime?.stop();
    await amp?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('shows the GIF in the gallery the flow contributes as soon as the flow makes it, without a reload', async () => {
    await open('#/flow');
    assert.deepEqual(await page.locator('#nav a').allInnerTexts(), ['Flow', 'Gallery', 'Messages', 'Dead letters']);
    await page.locator('#nav a[data-view="views/gallery"]').click();
    await page.waitForFunction(() => document.getElementById('view')!.dataset.view === 'views/gallery' && document.getElementById('view')!.dataset.loaded === 'true');
    assert.equal(await page.locator('.contributed-view h1').innerText(), 'Gallery');
    await page.getByText('No GIFs yet').waitFor();
    await page.evaluate(() => ((window as unknown as { sameDocument: boolean }).sameDocument = true));

    const validTimes = ['-40m', '-30m', '-20m', '-10m', '-0m'];
    const { rejected } = await runtime.send(
      validTimes.map((validTime) => ({ type: 'please-fetch-amp-image', imageId: 'OSN 2017 Demo', layers: ['flat-dk', 'radar', 'admin-cities-dk'], width: 480, height: 320, center: 'athens,ga', zoom: 5, validTime })),
    );
    assert.deepEqual(rejected, []);

    await page.waitForFunction(() => {
      const gif = document.querySelector<HTMLImageElement>('.view-card img.card-image');
      return gif !== null && gif.complete && gif.naturalWidth > 0;
    }, undefined, { timeout: 20_000 });
    assert.equal(await page.evaluate(() => (window as unknown as { sameDocument?: boolean }).sameDocument), true, 'the page was not reloaded');
    await page.waitForFunction(
      () => document.querySelectorAll('.view-card .card-images img').length === 5 && document.querySelector('.view-card dd[data-label="Mail"]')?.textContent?.startsWith('Weather GIF'),
      undefined,
      { timeout: 20_000 },
    );
    await runtime.idle();
    assert.match(await page.locator('.view-card dd[data-label="Mail"]').innerText(), /^Weather GIF: OSN 2017 Demo/);
    assert.equal(await page.locator('.card-group[data-key="OSN 2017 Demo"] h2 .group-key').innerText(), 'OSN 2017 Demo', 'grouped under its imageId');
    assert.equal(await page.locator('.view-card dd[data-label="To"]').innerText(), 'forecast@example.com');
    await page.waitForFunction(() => [...document.querySelectorAll<HTMLImageElement>('.view-card img')].every((img) => img.complete && img.naturalWidth > 0));
    await shot('gallery');

    await open('#/flow');
    await page.locator('[data-consumer="gif-creator"] [data-stat="done"] .stat-value').filter({ hasText: /^1$/ }).waitFor();
    assert.equal(await page.locator('[data-consumer="amp-image-fetcher"] [data-stat="done"] .stat-value').textContent(), '5');
    assert.equal(await page.locator('.chart-card canvas').count(), 5, 'a chart per consumer');
    await shot('flow');
  });

  it("opens the GIF's causal chain, from please-fetch-amp-image to did-send-email", async () => {
    await open('#/views/gallery');
    await page.locator('.view-card a.card-link', { hasText: 'Causal chain' }).click();
    await page.locator('.chain-node.self[data-type="did-create-gif"]').waitFor();
    await page.locator('.chain-node[data-type="did-send-email"]').waitFor();
    const types = await page.locator('.chain-node').evaluateAll((nodes) => nodes.map((n) => (n as HTMLElement).dataset.type));
    assert.deepEqual(types, ['please-fetch-amp-image', 'did-fetch-amp-image', 'please-create-gif', 'did-create-gif', 'please-send-email', 'did-send-email']);
    await page.locator('.preview img').waitFor();
    await shot('message-chain');
  });

  it('re-drives a dead letter and sees it go through; a key with HTML in it stays text', async () => {
    const [frame] = await runtime.state.find({ type: 'did-fetch-amp-image', limit: 1 });
    const missing: Location = { Bucket: 'dataflow', Key: 'amp-image-fetcher/missing-frame.png' };
    await open('#/dead');
    await page.getByText('No dead letters').waitFor();
    const { accepted } = await runtime.send([{ type: 'please-create-thumbnail', imageId: EVIL, location: missing, width: 100, height: 100, validTime: Date.now() }]);
    const id = accepted[0]!.id;

    const row = page.locator(`tr[data-id="${id}"]`);
    await row.waitFor({ timeout: 15_000 }); // it dies after its retries and shows up by itself
    assert.equal(await row.locator('.key').evaluate((cell) => cell.textContent), EVIL);
    assert.match(await row.locator('.reason').innerText(), /no blob at dataflow\/amp-image-fetcher\/missing-frame\.png/);
    assert.equal(await page.locator('img[src="x"]').count(), 0, 'the imageId was not parsed as HTML');
    await page.locator('#dead-count').filter({ hasText: '1' }).waitFor();
    await shot('dead-letters');

    await runtime.blobs.put(missing, await runtime.blobs.get((frame!.body as unknown as { location: Location }).location));
    await row.locator('.redrive-one').click();
    await page.locator(`.redriven li[data-id="${id}"] [data-status="done"]`).waitFor({ timeout: 15_000 });
    await row.waitFor({ state: 'detached' });
    assert.equal((await runtime.state.get(id))?.status, 'done');
    const [thumbnail] = await runtime.state.find({ type: 'did-create-thumbnail', key: EVIL });
    assert.equal(thumbnail?.causedBy, id);
    await shot('dead-letters-redriven');

    await open(`#/messages?key=${encodeURIComponent(EVIL)}`);
    await page.locator(`tr[data-id="${id}"]`).waitFor();
    assert.equal(await page.locator('input[name="key"]').inputValue(), EVIL);
    assert.deepEqual(new Set(await page.locator('td.key').evaluateAll((cells) => cells.map((c) => c.textContent))), new Set([EVIL]));
    assert.equal(await page.locator('img[src="x"]').count(), 0);
  });

  it('searches the messages, newest first', async () => {
    await open('#/messages');
    await page.locator('table.messages tbody tr').first().waitFor();
    assert.equal(await page.locator('table.messages tbody tr').count(), 26, '24 for the GIF and its mail, 2 for the re-driven thumbnail');
    await page.locator('select[name="type"]').selectOption('did-create-thumbnail');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.waitForFunction(() => document.querySelectorAll('table.messages tbody tr').length === 6);
    await open('#/messages');
    await page.locator('table.messages tbody tr').first().waitFor();
    await shot('messages');
  });

  it("shows a user's flow without a gallery, and the table view it contributes, live and as text", async () => {
    const toy = await toyRuntime();
    const reports: FlowView = {
      id: 'reports',
      title: 'Reports',
      description: 'What the reporter said, newest first.',
      changesOn: ['did-report'],
      async load({ state, limit }) {
        const page = await state.search({ type: 'did-report', limit });
        return { kind: 'table', columns: ['Report', 'Message'], rows: page.messages.map((m) => [String((m.body as { text?: unknown }).text), { text: 'open', messageId: m.id }]), empty: 'No reports yet.' };
      },
    };
    const serve = (views?: FlowView[]) => startDashboard({ state: toy.runtime.state as StateStore & MessageBrowser, flow: toy.runtime.flow, blobs: toy.runtime.blobs, onEvent: toy.runtime.on, views, port: 0, token: '' });
    let user = await serve();
    try {
      url = user.url;
      await open('#/views/gallery');
      assert.equal(await page.locator('#view').getAttribute('data-view'), 'flow', 'a view the flow has not shows the flow');
      assert.deepEqual(await page.locator('#nav a').allInnerTexts(), ['Flow', 'Messages', 'Dead letters'], 'no gallery in the navigation');
      await page.goto('about:blank'); // its live feed closes before its server does
      await user.close();

      user = await serve([reports]);
      url = user.url;
      await open('#/views/reports');
      await page.getByText('No reports yet.').waitFor();
      await toy.runtime.send([{ type: 'please-report', text: EVIL }]);
      const cell = page.locator('table.view-table tbody tr td').first();
      await cell.waitFor({ timeout: 10_000 }); // live: the did-report reloads the view
      assert.equal(await cell.evaluate((td) => td.textContent), EVIL);
      assert.equal(await page.locator('img[src="x"]').count(), 0, 'the text was not parsed as HTML');
      await shot('user-flow-table');
      await page.locator('table.view-table a', { hasText: 'open' }).click();
      await page.locator('.chain-node.self[data-type="did-report"]').waitFor();
    } finally {
      await page.goto('about:blank');
      url = dashboard.url;
      await user.close();
      await toy.runtime.stop();
    }
  });

  it('ran with no script error, no CSP violation and no dialog', () => {
    assert.deepEqual(problems, []);
  });
});
