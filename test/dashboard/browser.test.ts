/**
 * The dashboard end to end in a real headless browser (Debian's chromium driven by playwright-core):
 * the weather flow runs on the embedded runtime's parts (offline map server, .eml outbox), the page
 * shows the GIF as soon as it is made, its causal chain, and a dead letter that a click re-drives
 * through. Screenshots of each view go to test-artifacts/dashboard/.
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
import { createRuntime, type Location, type Runtime } from '../../src/index.js';

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
  let browser: BrowserContext;
  let page: Page;
  const problems: string[] = [];
  const shot = async (name: string) => {
    await page.evaluate(() => document.querySelectorAll('.toast').forEach((toast) => toast.remove()));
    await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
  };
  /** Shows a view and waits for its data (the page counts its view mounts in #view[data-mount]). */
  const open = async (hash: string) => {
    const before = await page.evaluate(() => Number(document.getElementById('view')?.dataset.mount ?? 0)).catch(() => 0);
    await page.goto(`${dashboard.url}${hash}`);
    await page.waitForFunction((n) => {
      const view = document.getElementById('view')!;
      return Number(view.dataset.mount ?? 0) !== n && view.dataset.loaded === 'true';
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
    dashboard = await startDashboard({ state, flow: runtime.flow, blobs, onEvent: runtime.on, redrive: runtime.redrive, gallery: weatherGallery(state), port: 0, token: '' });
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

  it('shows the GIF in the gallery as soon as the flow makes it, without a reload', async () => {
    await open('#/gallery');
    await page.getByText('No GIFs yet').waitFor();
    await page.evaluate(() => ((window as unknown as { sameDocument: boolean }).sameDocument = true));

    const validTimes = ['-40m', '-30m', '-20m', '-10m', '-0m'];
    const { rejected } = await runtime.send(
      validTimes.map((validTime) => ({ type: 'please-fetch-amp-image', imageId: 'OSN 2017 Demo', layers: ['flat-dk', 'radar', 'admin-cities-dk'], width: 480, height: 320, center: 'athens,ga', zoom: 5, validTime })),
    );
    assert.deepEqual(rejected, []);

    await page.waitForFunction(() => {
      const gif = document.querySelector<HTMLImageElement>('.gif-card img.gif');
      return gif !== null && gif.complete && gif.naturalWidth > 0;
    }, undefined, { timeout: 20_000 });
    assert.equal(await page.evaluate(() => (window as unknown as { sameDocument?: boolean }).sameDocument), true, 'the page was not reloaded');
    await page.waitForFunction(() => document.querySelectorAll('.gif-card .thumb img').length === 5 && document.querySelector('.gif-card .mail-subject') !== null, undefined, { timeout: 20_000 });
    await runtime.idle();
    assert.match(await page.locator('.gif-card .mail-subject').innerText(), /Weather GIF: OSN 2017 Demo/);
    await page.waitForFunction(() => [...document.querySelectorAll<HTMLImageElement>('.gif-card img')].every((img) => img.complete && img.naturalWidth > 0));
    await shot('gallery');

    await open('#/flow');
    await page.locator('[data-consumer="gif-creator"] [data-stat="done"] .stat-value').filter({ hasText: /^1$/ }).waitFor();
    assert.equal(await page.locator('[data-consumer="amp-image-fetcher"] [data-stat="done"] .stat-value').textContent(), '5');
    assert.equal(await page.locator('.chart-card canvas').count(), 5, 'a chart per consumer');
    await shot('flow');
  });

  it("opens the GIF's causal chain, from please-fetch-amp-image to did-send-email", async () => {
    await open('#/gallery');
    await page.locator('.gif-card .chain-link').click();
    await page.locator('.chain-node.self[data-type="did-create-gif"]').waitFor();
    await page.locator('.chain-node[data-type="did-send-email"]').waitFor();
    const types = await page.locator('.chain-node').evaluateAll((nodes) => nodes.map((n) => (n as HTMLElement).dataset.type));
    assert.deepEqual(types, ['please-fetch-amp-image', 'did-fetch-amp-image', 'please-create-gif', 'did-create-gif', 'please-send-email', 'did-send-email']);
    await page.locator('.preview img').waitFor();
    await shot('message-chain');
  });

  it('re-drives a dead letter and sees it go through; an imageId with HTML in it stays text', async () => {
    const [frame] = await runtime.state.find({ type: 'did-fetch-amp-image', limit: 1 });
    const missing: Location = { Bucket: 'dataflow', Key: 'test/missing-frame.png' };
    await open('#/dead');
    await page.getByText('No dead letters').waitFor();
    const { accepted } = await runtime.send([{ type: 'please-create-thumbnail', imageId: EVIL, location: missing, width: 100, height: 100, validTime: Date.now() }]);
    const id = accepted[0]!.id;

    const row = page.locator(`tr[data-id="${id}"]`);
    await row.waitFor({ timeout: 15_000 }); // it dies after its retries and shows up by itself
    assert.equal(await row.locator('.key').evaluate((cell) => cell.textContent), EVIL);
    assert.match(await row.locator('.reason').innerText(), /no blob at dataflow\/test\/missing-frame\.png/);
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

    await open(`#/messages?imageId=${encodeURIComponent(EVIL)}`);
    await page.locator(`tr[data-id="${id}"]`).waitFor();
    assert.equal(await page.locator('input[name="imageId"]').inputValue(), EVIL);
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

  it('ran with no script error, no CSP violation and no dialog', () => {
    assert.deepEqual(problems, []);
  });
});
