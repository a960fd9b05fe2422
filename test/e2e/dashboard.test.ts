/**
 * The dashboard in a real browser: headless Chromium (Debian's, driven by playwright-core) opens
 * a 3-node cluster's /ui, sees three members up and the ring drawn, a node is killed, and the page
 * shows it down within 5 seconds. The test saves a screenshot (to a temporary file; with
 * DYNAMO_UPDATE_SCREENSHOT=1 to docs/ui.png, the one the README shows).
 * Skips with a message when /usr/bin/chromium is missing (scripts/install-test-deps.sh installs it).
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';
import { kv, ProcessCluster } from './process-cluster.js';

const CHROMIUM = '/usr/bin/chromium';
/** The README's picture is refreshed only when asked (DYNAMO_UPDATE_SCREENSHOT=1); a plain run leaves the work tree as it was. */
const SCREENSHOT = process.env.DYNAMO_UPDATE_SCREENSHOT === '1' ? resolve(import.meta.dirname, '../../docs/ui.png') : join(tmpdir(), `dynamo-ui-${process.pid}.png`);
const profile = mkdtempSync(join(tmpdir(), 'dynamo-chromium-'));
const clusters: ProcessCluster[] = [];
let browser: BrowserContext | null = null;
after(async () => {
  await browser?.close();
  await Promise.all(clusters.map((c) => c.stop()));
  rmSync(profile, { recursive: true, force: true });
});

const skip = existsSync(CHROMIUM) ? false : `no ${CHROMIUM}: run scripts/install-test-deps.sh as root (apt-get install chromium) to run the browser test`;

test('the dashboard shows three members up, then a killed node down within 5 s', { skip, timeout: 120_000 }, async () => {
  const cluster = new ProcessCluster({ nodes: 3, basePort: 33300 });
  clusters.push(cluster);
  for (let i = 1; i <= cluster.options.nodes; i++) cluster.start(i);
  await cluster.waitFormed(120_000); // generous: the machine may be loaded
  for (let i = 1; i <= 3; i++) {
    const res = await fetch(`${cluster.url(i)}/ui`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^text\/html/);
    assert.match(await res.text(), /<html/);
  }
  // Some traffic, so that the charts have something to draw.
  for (let i = 0; i < 200; i++) await kv(cluster.url(1 + (i % 3)), 'PUT', `/kv/ui/k${i}`, `v${i}`);
  for (let i = 0; i < 200; i++) await kv(cluster.url(1 + (i % 3)), 'GET', `/kv/ui/k${i}`);

  // A fresh profile directory (playwright passes it as --user-data-dir).
  browser = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    viewport: { width: 1280, height: 1000 },
  });
  const page = await browser.newPage();
  const failedRequests: string[] = [];
  page.on('requestfailed', (r) => failedRequests.push(r.url()));
  await page.goto(`${cluster.url(1)}/ui`);
  await page.waitForFunction(`document.querySelectorAll('#members tr[data-up="true"]').length === 3`, null, { timeout: 20_000 });
  assert.equal(await page.locator('#ring path').count(), 64 * 3, 'every partition replica drawn in the ring');
  assert.equal(await page.locator('#live').textContent(), 'live');

  await cluster.kill(3);
  const killedAt = Date.now();
  await page.waitForFunction(`document.querySelector('#members tr[data-member="n3"]')?.getAttribute('data-up') === 'false'`, null, { timeout: 5_000 });
  const seenDownMs = Date.now() - killedAt;
  assert.ok(seenDownMs <= 5_000, `n3 shown down after ${seenDownMs} ms`);
  assert.equal(await page.locator('#members tr[data-up="true"]').count(), 2);
  // Writes go to fallbacks while n3 is down: the page then shows the hints held for it.
  for (let i = 0; i < 60; i++) await kv(cluster.url(1 + (i % 2)), 'PUT', `/kv/ui/down${i}`, `v${i}`);
  await page.waitForFunction(`Number(document.querySelector('#members tr[data-member="n3"] td:last-child')?.textContent ?? 0) > 0`, null, { timeout: 10_000 });
  await page.waitForFunction(`document.querySelectorAll('#charts .chart').length >= 2`, null, { timeout: 10_000 });
  await page.screenshot({ path: SCREENSHOT, fullPage: true });
  assert.deepEqual(failedRequests.filter((u) => !u.includes('/ui/state')), [], 'every asset is served by the node (no CDN)');
  console.log(`dashboard: n3 shown down ${seenDownMs} ms after the kill; screenshot at ${SCREENSHOT}`);
});

test('dashboard routes: fixed assets only, the state as JSON, the ring table (no browser needed)', { timeout: 60_000 }, async () => {
  const one = new ProcessCluster({ nodes: 1, basePort: 33350, storage: 'memory' });
  clusters.push(one);
  one.start(1);
  await one.waitFormed(60_000);
  const url = one.url(1);
  for (const path of ['/ui/constructor', '/ui/__proto__', '/ui/toString', '/ui/../package.json', '/ui/dashboard.ts']) {
    const res = await fetch(`${url}${path}`);
    await res.arrayBuffer();
    assert.equal(res.status, 404, path);
  }
  for (const [path, type] of [['/ui/dashboard.js', 'text/javascript'], ['/ui/dashboard.css', 'text/css']] as const) {
    const res = await fetch(`${url}${path}`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', new RegExp(`^${type}`));
    assert.ok((await res.text()).length > 500);
  }
  const state = (await (await fetch(`${url}/ui/state`)).json()) as { node: string; ring: { rows: unknown[] }; hints: { pending: number }; transfers: { exchanges: unknown[] }; series: object };
  assert.equal(state.node, 'n1');
  assert.equal(state.ring.rows.length, 64);
  assert.equal(state.hints.pending, 0);
  assert.ok(Array.isArray(state.transfers.exchanges));
  const table = (await (await fetch(`${url}/admin/ring-table`)).json()) as { members: { id: string; primary: number }[] };
  assert.deepEqual(table.members.map((m) => [m.id, m.primary]), [['n1', 64]]);
});
