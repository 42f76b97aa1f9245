/**
 * A binder whose populations outgrow index.html: a population of more than 1,000 rows gets a page
 * of its own (populations/<id>.html), hashed in the manifest and linked from index.html, that
 * holds every row, opens offline, pages through them and searches all of them; printing lays out
 * every matching row up to 2,000 and otherwise says what it printed and where every row is. The
 * repo is bench/export-repo.ts's synthetic one at 1,100 grants (2,199 additions).
 */
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { getDocument } from 'pdfjs-dist/legacy/build/pdf.mjs';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureExportRepo } from '../../bench/export-repo.ts';
import { binderPaths } from '../../src/core/binder/binder.ts';
import { HTML_INLINE_ROWS } from '../../src/core/binder/paging.ts';
import { readJson, run } from './support.ts';

const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = new URL('../../test-artifacts/', import.meta.url).pathname;

let work: string;
let out: string;
let context: BrowserContext;
let additions: { columns: { key: string; title: string }[]; rows: Record<string, unknown>[] };

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'binder-pages-'));
  const repo = await ensureExportRepo(work, 1100);
  out = join(work, 'binder');
  const r = await run(['export', '--repo', repo, '--from', '2025-12-01', '--to', '2026-11-30', '--out', out, '--seed', '3'], '2026-12-01T00:00:00Z');
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  additions = readJson(out, 'populations/additions.json');
  context = await chromium.launchPersistentContext(join(work, 'profile'), {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
    viewport: { width: 1400, height: 1000 },
  });
}, 120_000);

afterAll(async () => {
  await context?.close();
  if (work) rmSync(work, { recursive: true, force: true });
});

/** A page of the binder with every request but the page itself refused and counted, and errors collected. */
async function open(path: string): Promise<{ page: Page; problems: string[] }> {
  const page = await context.newPage();
  const problems: string[] = [];
  const url = pathToFileURL(join(out, path)).href;
  await page.route('**/*', (route) => {
    if (route.request().url() === url) return route.continue();
    problems.push(`request ${route.request().url()}`);
    return route.abort();
  });
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') problems.push(m.text());
  });
  page.on('pageerror', (e) => problems.push(e.message));
  await page.goto(url, { waitUntil: 'load' });
  return { page, problems };
}

describe('which populations get a page of their own', () => {
  it.each([
    [HTML_INLINE_ROWS, false],
    [HTML_INLINE_ROWS + 1, true],
    [0, false],
  ])('%i rows: own page %s', (rows, own) => {
    expect(binderPaths([{ id: 'additions', rowCount: rows }]).includes('populations/additions.html')).toBe(own);
  });
});

describe('a population of 2,199 rows', () => {
  it('has a page of its own in the manifest, listed and linked by index.html, which holds no table of it', () => {
    expect(additions.rows).toHaveLength(2199);
    const page = readFileSync(join(out, 'populations/additions.html'));
    const manifest = readJson(out, 'manifest.json').files as { path: string; sha256: string; bytes: number }[];
    expect(manifest.find((f) => f.path === 'populations/additions.html')).toEqual({
      path: 'populations/additions.html',
      sha256: createHash('sha256').update(page).digest('hex'),
      bytes: page.length,
    });
    const index = readFileSync(join(out, 'index.html'), 'utf8');
    expect(index).toContain(`<td>populations/additions.html</td><td>${page.length}</td>`);
    const section = index.slice(index.indexOf('id="pop-additions"'), index.indexOf('</section>', index.indexOf('id="pop-additions"')));
    expect(section).toContain('<a href="populations/additions.html" data-population-page="additions">');
    expect(section).not.toContain('data-table');
    // A small population stays in index.html, with every row.
    expect(index).toMatch(/<div class="tablebox" data-table="removals" data-matching="\d+"/);
    expect(index).not.toContain('data-table="additions"');
  });

  it('opens offline, shows 25 rows at a time with the identity first, and pages through all of them', async () => {
    const { page, problems } = await open('populations/additions.html');
    const box = page.locator('[data-table="additions"]');
    expect(await page.title()).toBe('Additions (new access): Access binder: acme/access, 2025-12-01 to 2026-11-30');
    expect(await box.locator('.status').textContent()).toBe('rows 1–25 of 2,199 rows');
    expect(await box.locator('thead th').first().textContent()).toBe('Identity');
    expect(await box.locator('tbody tr').count()).toBe(25);
    await box.locator('button.next').click();
    expect(await box.locator('.status').textContent()).toBe('rows 26–50 of 2,199 rows');
    expect(await box.locator('tbody tr').first().locator('td').first().textContent()).toBe(String(additions.rows[25]!.identity));
    await box.locator('button.prev').click();
    expect(await box.locator('.status').textContent()).toBe('rows 1–25 of 2,199 rows');
    expect(await page.locator('a[href="../index.html#pop-additions"]').count()).toBe(1);
    expect(problems).toEqual([]);
    await page.close();
  });

  it('searches every row: the last one is found, and each count is every matching row', async () => {
    const { page, problems } = await open('populations/additions.html');
    const box = page.locator('[data-table="additions"]');
    const last = String(additions.rows.at(-1)!.identity);
    const matches = (q: string, key?: string) =>
      additions.rows.filter((r) => (key ? [r[key]] : Object.values(r)).some((v) => v !== null && String(v).toLowerCase().includes(q))).length;
    await box.locator('input.filter').fill(last);
    expect(await box.getAttribute('data-matching')).toBe(String(matches(last)));
    expect(await box.locator('.status').textContent()).toBe(`rows 1–${matches(last)} of ${matches(last)} matching (of 2,199)`);
    expect(await box.locator('tbody tr').first().locator('td').first().textContent()).toBe(last);
    await box.locator('input.filter').fill('SYS-3');
    expect(Number(await box.getAttribute('data-matching'))).toBe(matches('sys-3'));
    expect(matches('sys-3')).toBeGreaterThan(25);
    await box.locator('select.col').selectOption({ label: 'Approved by' });
    await box.locator('input.filter').fill('approver7');
    expect(Number(await box.getAttribute('data-matching'))).toBe(matches('approver7', 'approvers'));
    await box.locator('input.filter').fill('no such identity');
    expect(await box.locator('.status').textContent()).toBe('0 matching (of 2,199)');
    expect(problems).toEqual([]);
    await page.close();
  });

  it('printing lays out at most 2,000 rows and says so; a filter prints every match, as cards with every column', async () => {
    const { page, problems } = await open('populations/additions.html');
    const box = page.locator('[data-table="additions"]');
    await page.evaluate(`window.dispatchEvent(new Event('beforeprint'))`);
    expect(await box.locator('tbody tr').count()).toBe(25);
    expect(await box.locator('.printed').textContent()).toBe(
      'Printed: rows 1–25 of 2,199 rows; more than 2,000 rows are not laid out for print at once: filter to print fewer, or read populations/additions.csv, which holds every row.',
    );
    await page.evaluate(`window.dispatchEvent(new Event('afterprint'))`);
    expect(await box.locator('tbody tr').count()).toBe(25);

    const last = String(additions.rows.at(-1)!.identity);
    await box.locator('input.filter').fill(last);
    const pdf = await page.pdf({ format: 'A4', preferCSSPageSize: true });
    mkdirSync(ARTIFACTS, { recursive: true });
    writeFileSync(join(ARTIFACTS, 'binder-population-page.pdf'), pdf);
    const task = getDocument({ data: new Uint8Array(pdf), verbosity: 0 });
    const doc = await task.promise;
    let text = '';
    for (let i = 1; i <= doc.numPages; i++) {
      const p = await doc.getPage(i);
      expect(p.getViewport({ scale: 1 }).width).toBeGreaterThan(p.getViewport({ scale: 1 }).height);
      text += (await p.getTextContent()).items.map((it) => ('str' in it ? it.str + (it.hasEOL ? '\n' : '') : '')).join('') + '\n';
    }
    await task.destroy();
    text = text.replace(/\s+/g, ' ');
    const rows = additions.rows.filter((r) => r.identity === last);
    expect(text).toContain(`Printed: all ${rows.length} rows matching “${last}” (of 2,199).`);
    for (const c of additions.columns) expect(text, c.title).toContain(`${c.title}:`);
    for (const r of rows) expect(text).toContain(`Approved at: ${String(r.approved_at)}`);
    expect(text).not.toContain('Previous');
    expect(problems).toEqual([]);
    await page.close();
  });
});
