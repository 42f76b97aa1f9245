/**
 * index.html in headless Chromium (Debian's chromium driven by playwright-core; no browser
 * download): it renders without console errors, makes no network request, its tables filter,
 * and a screenshot is saved under test-artifacts/ for a person to look at. Printed to PDF, it
 * is landscape and keeps every column: the PDF's text (read with pdf.js) holds every column of
 * the additions and a sampled row's approver and approval time.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildFixture, type Fixture } from './fixture.ts';
import { readJson, run } from './support.ts';
import { between, launchBrowser, pdfPages } from '../support/binder-print.ts';

const ARTIFACTS = new URL('../../test-artifacts/', import.meta.url).pathname;

let fx: Fixture;
let work: string;
let out: string;
let context: BrowserContext;

beforeAll(async () => {
  fx = buildFixture();
  work = mkdtempSync(join(tmpdir(), 'binder-html-'));
  out = join(work, 'binder');
  const r = await run(['export', '--repo', fx.dir, '--from', '2026-01-01', '--to', '2026-06-30', '--out', out, '--seed', '7', '--sample', '3']);
  expect(r.code).toBe(0);
  // A fresh user-data-dir per run: no profile, cache or extension state carries over.
  context = await launchBrowser(work);
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

  it('prints landscape, every column of a wide table kept as cards, one population a page, without the filter and pager', async () => {
    const page = await context.newPage();
    await page.goto(pathToFileURL(join(out, 'index.html')).href, { waitUntil: 'load' });
    // As a person prints it: the page's own @page size (landscape) on A4 paper.
    const pdf = await page.pdf({ format: 'A4', preferCSSPageSize: true, printBackground: false });
    mkdirSync(ARTIFACTS, { recursive: true });
    writeFileSync(join(ARTIFACTS, 'binder-index.pdf'), pdf);
    const pages = await pdfPages(pdf);
    expect(pages.length).toBeGreaterThan(5);
    for (const p of pages) expect(p.width).toBeGreaterThan(p.height);
    const text = pages.map((p) => p.text).join('\n');

    // The additions, 29 columns: every column is in the printout, labelled, and the sampled row
    // of PR #1 shows who approved it and when, in the same card.
    const additions = readJson(out, 'populations/additions.json') as { columns: { title: string }[]; rows: Record<string, unknown>[] };
    expect(additions.columns.length).toBeGreaterThan(20);
    const section = between(text, 'Additions (new access) (3 rows)', 'Removals (1 rows)');
    for (const c of additions.columns) expect(section, `column ${c.title}`).toContain(`${c.title}:`);
    const row = additions.rows.find((r) => r.pr === 1)!;
    expect([row.approvers, row.approved_at]).toEqual(['carol', '2026-01-09T15:00:00Z']);
    const card = between(section, 'PR link: acme/access/pull/1', 'Provisioning result:');
    expect(card).toContain('Approved by: carol');
    expect(card).toContain('Approved at: 2026-01-09T15:00:00Z');
    expect(card).toContain('Requested by: bob');

    // Each population after the first starts a page; its table header repeats on every page it spans.
    const titles = (readJson(out, 'binder.json').populations as { title: string; rows: number }[]).map((x) => `${x.title} (${x.rows} rows)`);
    for (const t of titles.slice(1))
      expect(
        pages.some((p) => p.text.startsWith(t)),
        t,
      ).toBe(true);
    // The control matrix spans the pages from its first control to its last (an id is never broken across lines).
    const matrixIds = readJson<{ controls: { control: string }[] }>(out, 'control-matrix.json').controls.map((r) => r.control);
    const first = pages.findIndex((p) => p.text.includes('Control matrix Control Title'));
    const last = pages.findLastIndex((p) => p.text.includes(`${matrixIds.at(-1)!} `));
    expect(pages[first]!.text).toContain(`${matrixIds[0]!} `);
    expect(last).toBeGreaterThan(first);
    for (let i = first; i <= last; i++) expect(pages[i]!.text, `page ${i + 1}`).toContain('Findings at merge (period)');

    // No interactive chrome: navigation, filter, column choice, pager.
    for (const chrome of ['Samples and chains', 'any column', 'Previous', 'Next', 'Filter additions']) expect(text).not.toContain(chrome);
    expect(section).toContain('Printed: all 3 rows.');

    // Laid out for print at the width of a landscape page, no table is wider than the page.
    await page.setViewportSize({ width: 1047, height: 740 });
    await page.emulateMedia({ media: 'print' });
    const wider = await page.evaluate<string[]>(
      `[...document.querySelectorAll('table')].filter((t) => t.getBoundingClientRect().right > document.documentElement.clientWidth + 0.5).map((t) => t.closest('[id]')?.id ?? '?')`,
    );
    expect(wider).toEqual([]);
    await page.close();
  });

  it('holds the identity column in place while a wide table scrolls sideways', async () => {
    const page = await context.newPage();
    await page.goto(pathToFileURL(join(out, 'index.html')).href, { waitUntil: 'load' });
    const scroll = page.locator('[data-table="additions"] .scroll');
    const firstCell = page.locator('[data-table="additions"] tbody tr').first().locator('td').first();
    expect(await page.locator('[data-table="additions"] thead th').first().textContent()).toBe('Identity');
    expect(await firstCell.textContent()).toBe('bob');
    const before = (await firstCell.boundingBox())!;
    const moved = await scroll.evaluate((e) => {
      e.scrollLeft = 2000;
      return e.scrollLeft;
    });
    expect(moved).toBeGreaterThan(500);
    const after = (await firstCell.boundingBox())!;
    expect(after.x).toBe(before.x);
    // The cell beside it has scrolled away under it.
    const second = (await page.locator('[data-table="additions"] tbody tr').first().locator('td').nth(1).boundingBox())!;
    expect(second.x).toBeLessThan(before.x);
    await page.screenshot({ path: join(ARTIFACTS, 'binder-sticky.png') });
    await page.close();
  });
});
