import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import pino from 'pino';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { Registry } from 'prom-client';
import { createHttpServer } from '../../src/http/server.js';
import type { Diagnosis } from '../../src/diagnose/diagnosis.js';
import { failingExporter, fillingExporter, fixtureDiagnosis, healthyExporter, HOSTILE_MESSAGE, pendingExporter, webConfig } from '../helpers/diagnosis-fixture.js';

const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const OUT = join(process.cwd(), 'test-output');

/** A diagnosis as of a few seconds ago, so relative times read like a live system. */
function liveDiagnosis(): Diagnosis {
  const ago = (s: number): string => new Date(Date.now() - s * 1000).toISOString();
  const inDays = (d: number): string => new Date(Date.now() + d * 86_400_000).toISOString();
  return fixtureDiagnosis({
    checked_at: ago(2),
    exporters: [
      healthyExporter({ checked_at: ago(3), last_success_at: ago(3), tls: { version: 'TLSv1.3', alpn: 'http/1.1', not_after: inDays(74) } }),
      failingExporter({ checked_at: ago(4), last_success_at: ago(47 * 60) }),
      fillingExporter({ checked_at: ago(5), last_success_at: ago(5) }),
      pendingExporter(),
    ],
  });
}

async function openPage(ctx: BrowserContext, url: string, problems: string[]): Promise<Page> {
  const page = ctx.pages()[0] ?? (await ctx.newPage());
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') problems.push(`console ${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
  page.on('requestfailed', (r) => problems.push(`request failed: ${r.url()}`));
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => console.error(`CSP violation: ${e.violatedDirective} ${e.blockedURI}`));
  });
  await page.goto(url, { waitUntil: 'load' });
  return page;
}

t.test('the status page in Chromium: renders, refreshes, stays within CSP, fits a phone', async (t) => {
  mkdirSync(OUT, { recursive: true });
  const state: { diagnosis: Diagnosis | null } = { diagnosis: liveDiagnosis() };
  const server = createHttpServer({
    listen: { host: '127.0.0.1', port: 0 },
    web: webConfig(),
    registry: new Registry(),
    diagnosis: () => state.diagnosis,
    live: () => true,
    ready: () => true,
    logger: pino({ level: 'silent' }),
  });
  const { port } = await server.start();
  let serverOpen = true;
  t.teardown(async () => {
    if (serverOpen) await server.close();
  });
  const url = `http://127.0.0.1:${port}/`;

  const profile = mkdtempSync(join(tmpdir(), 'otel-sentinel-chromium-'));
  const ctx = await chromium.launchPersistentContext(profile, {
    executablePath: '/usr/bin/chromium',
    args: CHROMIUM_ARGS,
    headless: true,
    viewport: { width: 1280, height: 900 },
  });
  t.teardown(async () => {
    await ctx.close();
    rmSync(profile, { recursive: true, force: true });
  });

  const problems: string[] = [];
  const page = await openPage(ctx, url, problems);

  const cards = await page.$$eval('[data-exporter]', (els) =>
    els.map((e) => ({ name: e.getAttribute('data-exporter'), badge: e.querySelector('.badge')?.textContent })),
  );
  t.same(
    cards,
    [
      { name: 'otlp/tempo', badge: 'DOWN' },
      { name: 'otlp/jaeger', badge: 'WARN' },
      { name: 'otlp_http/new', badge: 'PENDING' },
      { name: 'otlphttp/honeycomb', badge: 'UP' },
    ],
    'failing exporters first, each with its state in words',
  );
  t.equal(await page.locator('#collector .badge').textContent(), 'WARN', 'the collector block, first');
  t.equal(
    await page.locator('[data-exporter="otlp/tempo"] .msg').textContent(),
    HOSTILE_MESSAGE,
    'the message shows as text, markup and all',
  );
  t.equal(await page.locator('img').count(), 0, 'no element was injected by the message');
  t.match(await page.locator('[data-exporter="otlp/tempo"] .fix').textContent(), /tls\.ca_file/);
  t.match(await page.title(), /^DOWN/, 'the title says what is wrong');
  await page.screenshot({ path: join(OUT, 'status-page.png'), fullPage: true });

  // tempo recovers: the page picks it up from /api/v1/diagnosis without a reload
  const before = await page.evaluate(() => document.documentElement.dataset.refreshed ?? '');
  const live = liveDiagnosis();
  state.diagnosis = fixtureDiagnosis({
    checked_at: live.checked_at,
    exporters: live.exporters.map((e) => (e.name === 'otlp/tempo' ? failingExporter({ ...e, up: true, problems: [], state: 'up' }) : e)),
  });
  await page.waitForFunction(
    () => document.querySelector('[data-exporter="otlp/tempo"] .badge')?.textContent === 'UP',
    null,
    { timeout: 60_000, polling: 200 },
  );
  t.not(await page.evaluate(() => document.documentElement.dataset.refreshed ?? ''), before, 'refreshed by status.js');
  t.equal(await page.locator('[data-exporter="otlp/tempo"] .problem').count(), 0, 'its problem is gone');
  t.equal(await page.locator('[data-exporter]').first().getAttribute('data-exporter'), 'otlp/jaeger', 'the warning moved to the top');

  // phone width: no horizontal scrolling
  const phone = await ctx.newPage();
  await phone.setViewportSize({ width: 390, height: 844 });
  phone.on('console', (m) => {
    if (m.type() === 'error') problems.push(`phone console: ${m.text()}`);
  });
  state.diagnosis = liveDiagnosis();
  await phone.goto(url, { waitUntil: 'load' });
  const widths = await phone.evaluate(() => ({ scroll: document.documentElement.scrollWidth, inner: window.innerWidth }));
  t.ok(widths.scroll <= widths.inner, `no horizontal scroll at 390 px (${widths.scroll} <= ${widths.inner})`);
  await phone.emulateMedia({ colorScheme: 'dark' });
  await phone.screenshot({ path: join(OUT, 'status-page-phone.png'), fullPage: true });
  await phone.close();

  t.same(problems, [], 'no console error, CSP violation or failed request');

  // the daemon goes away: the page keeps the last diagnosis and says so
  await server.close();
  serverOpen = false;
  await page.waitForSelector('.stale', { timeout: 60_000 });
  t.match(await page.locator('.stale').textContent(), /Cannot reach otel-sentinel/);
  t.equal(await page.locator('[data-exporter]').count(), 4, 'still showing the exporters');
});

t.test('the status page works without script', async (t) => {
  const server = createHttpServer({
    listen: { host: '127.0.0.1', port: 0 },
    web: webConfig(),
    registry: new Registry(),
    diagnosis: () => liveDiagnosis(),
    live: () => true,
    ready: () => true,
    logger: pino({ level: 'silent' }),
  });
  const { port } = await server.start();
  t.teardown(() => server.close());
  const profile = mkdtempSync(join(tmpdir(), 'otel-sentinel-chromium-'));
  const ctx = await chromium.launchPersistentContext(profile, {
    executablePath: '/usr/bin/chromium',
    args: CHROMIUM_ARGS,
    headless: true,
    javaScriptEnabled: false,
  });
  t.teardown(async () => {
    await ctx.close();
    rmSync(profile, { recursive: true, force: true });
  });
  const page = ctx.pages()[0] ?? (await ctx.newPage());
  await page.goto(`http://127.0.0.1:${port}/`);
  t.equal(await page.locator('[data-exporter]').count(), 4);
  t.equal(await page.locator('[data-exporter="otlp/tempo"] .badge').textContent(), 'DOWN');
});
