/**
 * The binder in a browser, for the tests that read it as a person does: Debian's headless
 * Chromium driven by playwright-core (no browser download), index.html printed to PDF as a person
 * prints it, and the PDF's text read back with pdf.js.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { getDocument } from 'pdfjs-dist/legacy/build/pdf.mjs';
import { chromium, type BrowserContext } from 'playwright-core';
import { expect } from 'vitest';

export const CHROMIUM = '/usr/bin/chromium';

/** A headless Chromium with a fresh profile under `work` (no profile, cache or extension state carries over). */
export async function launchBrowser(work: string, viewport = { width: 1400, height: 1000 }): Promise<BrowserContext> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} is missing: install Debian's chromium (apt-get update && apt-get install -y chromium) to run the binder's browser tests`);
  }
  return chromium.launchPersistentContext(join(work, 'profile'), {
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
    viewport,
  });
}

/** What index.html shows on screen (its rendered text), and its PDF as a person prints it (the page's own landscape size on A4). */
export async function readBinder(context: BrowserContext, index: string): Promise<{ screen: string; pdf: Uint8Array }> {
  const page = await context.newPage();
  try {
    await page.goto(pathToFileURL(index).href, { waitUntil: 'load' });
    // biome-ignore lint/performance/useDomNodeTextContent: Playwright's innerText is the rendered text a reader sees, which textContent is not
    const screen = await page.locator('body').innerText();
    const pdf = await page.pdf({ format: 'A4', preferCSSPageSize: true, printBackground: false });
    return { screen, pdf };
  } finally {
    await page.close();
  }
}

/** The text of each page of a PDF, as pdf.js reads it, with the page's size in points. */
export async function pdfPages(pdf: Uint8Array): Promise<{ width: number; height: number; text: string }[]> {
  const task = getDocument({ data: new Uint8Array(pdf), verbosity: 0 });
  const doc = await task.promise;
  const pages: { width: number; height: number; text: string }[] = [];
  for (let i = 1; i <= doc.numPages; i++) {
    const p = await doc.getPage(i);
    const { width, height } = p.getViewport({ scale: 1 });
    const content = await p.getTextContent();
    const text = content.items.map((it) => ('str' in it ? it.str + (it.hasEOL ? '\n' : '') : '')).join('');
    pages.push({ width, height, text: text.replace(/\s+/g, ' ').trim() });
  }
  await task.destroy();
  return pages;
}

/** The text from `start` up to the next `end` after it; fails when either is missing. */
export function between(text: string, start: string, end: string): string {
  const at = text.indexOf(start);
  expect(at, `"${start}" in the text`).toBeGreaterThanOrEqual(0);
  const stop = text.indexOf(end, at + start.length);
  expect(stop, `"${end}" after "${start}"`).toBeGreaterThan(at);
  return text.slice(at, stop);
}
