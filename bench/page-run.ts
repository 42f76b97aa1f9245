/**
 * One measurement in a fresh Chromium (Debian's, driven by playwright-core with the flags of the
 * binder's browser test, a new profile each time): open a population's own page from disk, then
 * search it. Prints one JSON line:
 *   open_ms     from the navigation's start, as this process sees it, to the end of the page's
 *               load event: its script runs before that, parsing every row and showing the first
 *               page of them (it then marks <html data-ready>, reported as `ready`);
 *   load_ms     the page's own navigation timing up to the end of its load event;
 *   searches    per query: the time to filter all rows and show the first page of matches, as the
 *               page's clock measures the input event, and the count and status the page reports;
 *   paging      the status after "Next";
 *   printed     what the page says it lays out for print;
 *   problems    console errors, and requests other than the page itself (refused).
 *   node bench/page-run.ts <page.html> '<queries as JSON: [{"q": "...", "column": null | index}]>' [table id]
 * Without a table id, the page's first table. An index.html of an older binder (whose script
 * marks nothing) is measured the same way, for a baseline.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';

const [file, queriesJson, tableId] = process.argv.slice(2) as [string, string, string | undefined];
const queries = JSON.parse(queriesJson) as { q: string; column: number | null }[];
const url = pathToFileURL(file).href;
const profile = mkdtempSync(join(tmpdir(), 'bench-page-'));
const context = await chromium.launchPersistentContext(profile, {
  executablePath: '/usr/bin/chromium',
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
const problems: string[] = [];
try {
  await context.route('**/*', (route) => {
    if (route.request().url() === url) return route.continue();
    problems.push(`request ${route.request().url()}`);
    return route.abort();
  });
  const page = await context.newPage();
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') problems.push(`console ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`error ${e.message}`));

  const started = performance.now();
  await page.goto(url, { waitUntil: 'load', timeout: 300_000 });
  const openMs = performance.now() - started;
  const loadMs = await page.evaluate<number>(`performance.getEntriesByType('navigation')[0].loadEventEnd`);
  const ready = await page.evaluate<boolean>(`document.documentElement.hasAttribute('data-ready')`);
  const box = `[data-table="${tableId ?? (await page.evaluate<string>(`document.querySelector('[data-table]').getAttribute('data-table')`))}"]`;
  const rows = await page.evaluate<{ total: string; status: string }>(
    `({ total: document.querySelector('${box}').getAttribute('data-matching'), status: document.querySelector('${box} .status').textContent })`,
  );

  const searches = [];
  for (const { q, column } of queries) {
    // The page's own clock around the input event (the filter runs in its handler), with the layout of the first page of matches.
    const r = await page.evaluate<{ ms: number; matching: number; shown: number; status: string; first: string | null }>(`(() => {
      const box = document.querySelector('${box}');
      const sel = box.querySelector('select.col'), input = box.querySelector('input.filter');
      sel.value = ${JSON.stringify(column === null ? '' : String(column))};
      input.value = ${JSON.stringify(q)};
      const t = performance.now();
      input.dispatchEvent(new Event('input'));
      box.querySelector('tbody').getBoundingClientRect();
      const ms = performance.now() - t;
      const first = box.querySelector('tbody tr td');
      return { ms, matching: Number(box.getAttribute('data-matching')), shown: box.querySelectorAll('tbody tr').length, status: box.querySelector('.status').textContent, first: first ? first.textContent : null };
    })()`);
    searches.push({ q, column, ...r });
  }
  // Back to every row: page two, then what the page lays out for print.
  await page.locator(`${box} input.filter`).fill('');
  await page.locator(`${box} button.next`).click();
  const paging = await page.locator(`${box} .status`).textContent();
  await page.evaluate(`window.dispatchEvent(new Event('beforeprint'))`);
  const printed = await page.evaluate<{ text: string | null; rows: number }>(
    `({ text: document.querySelector('${box} .printed')?.textContent ?? null, rows: document.querySelectorAll('${box} tbody tr').length })`,
  );
  await page.evaluate(`window.dispatchEvent(new Event('afterprint'))`);
  process.stdout.write(
    JSON.stringify({ open_ms: openMs, load_ms: loadMs, ready, total: Number(rows.total), status: rows.status, searches, paging, printed, problems }) + '\n',
  );
} finally {
  await context.close();
  rmSync(profile, { recursive: true, force: true });
}
