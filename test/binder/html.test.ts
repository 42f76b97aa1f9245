/**
 * index.html in headless Chromium (Debian's chromium driven by playwright-core; no browser
 * download): it renders without console errors, makes no network request, its tables filter,
 * and a screenshot is saved under test-artifacts/ for a person to look at.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildFixture, type Fixture } from './fixture.ts';
import { run } from './support.ts';

const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = new URL('../../test-artifacts/', import.meta.url).pathname;

let fx: Fixture;
let work: string;
let out: string;
let context: BrowserContext;

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} is missing: install Debian's chromium (apt-get update && apt-get install -y chromium) to run the binder's browser test`);
  }
  fx = buildFixture();
  work = mkdtempSync(join(tmpdir(), 'binder-html-'));
  out = join(work, 'binder');
  const r = await run(['export', '--repo', fx.dir, '--from', '2026-01-01', '--to', '2026-06-30', '--out', out, '--seed', '7', '--sample', '3']);
  expect(r.code).toBe(0);
  // A fresh user-data-dir per run: no profile, cache or extension state carries over.
  context = await chromium.launchPersistentContext(join(work, 'profile'), {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    viewport: { width: 1400, height: 1000 },
  });
});

afterAll(async () => {
  await context?.close();
  fx?.cleanup();
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('index.html', () => {
  it('renders offline: no console errors, no network requests, tables filter, and prints', async () => {
    const page = await context.newPage();
    const errors: string[] = [];
    const requests: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') errors.push(m.text());
    });
    page.on('pageerror', (e) => errors.push(e.message));
    // Every request is routed: the page itself (file://) is allowed, anything else is counted and refused.
    await context.route('**/*', (route) => {
      const url = route.request().url();
      if (url === pathToFileURL(join(out, 'index.html')).href) return route.continue();
      requests.push(url);
      return route.abort();
    });
    await page.goto(pathToFileURL(join(out, 'index.html')).href, { waitUntil: 'load' });

    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, 'binder-index.png') });
    expect(await page.title()).toBe('Access binder: acme/access, 2026-01-01 to 2026-06-30');
    expect(await page.locator('#verification-badge').textContent()).toBe('passed');
    expect(await page.locator('svg.chart').count()).toBe(4);
    expect(await page.locator('article.chain').count()).toBeGreaterThan(5);
    expect(await page.locator('#control-matrix tbody tr').count()).toBeGreaterThan(10);

    // The inventory table: 4 rows; filtering for "exporter" leaves 1, a column filter narrows too.
    const box = page.locator('[data-table="inventory"]');
    expect(await box.getAttribute('data-matching')).toBe('4');
    expect(await box.locator('tbody tr').count()).toBe(4);
    await box.locator('input.filter').fill('exporter');
    expect(await box.getAttribute('data-matching')).toBe('1');
    expect(await box.locator('tbody tr').count()).toBe(1);
    expect(await box.locator('tbody tr td').first().textContent()).toBe('exporter');
    await box.locator('input.filter').fill('github');
    await box.locator('select.col').selectOption({ label: 'System' });
    expect(await box.locator('tbody tr').count()).toBe(2);
    await box.locator('input.filter').fill('no such identity');
    expect(await box.locator('tbody tr').count()).toBe(0);
    expect(await box.locator('.status').textContent()).toMatch(/0 matching \(of 4\)/);
    await box.locator('input.filter').fill('');
    expect(await box.locator('tbody tr').count()).toBe(4);

    // Links to GitHub are plain anchors: following none of them happened.
    expect(await page.locator('a[href^="https://github.com/acme/access/pull/1"]').count()).toBeGreaterThan(0);

    await page.locator('#charts').scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(ARTIFACTS, 'binder-charts.png') });
    await page.locator('#samples').scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(ARTIFACTS, 'binder-chains.png') });
    await page.emulateMedia({ media: 'print' });
    const pdf = await page.pdf({ format: 'A4', printBackground: false });
    expect(pdf.length).toBeGreaterThan(10_000);
    await page.emulateMedia({ media: 'screen' });

    expect(errors).toEqual([]);
    expect(requests).toEqual([]);
    await page.close();
  });
});
