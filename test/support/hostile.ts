/**
 * What an engineer with push access might write into an access repo to attack whatever shows it,
 * and the checks that what the product wrote stayed inert: read the way GitHub reads Markdown,
 * a browser reads HTML and a terminal reads bytes. Shared by the tests of every output.
 */
import { expect } from 'vitest';
import { FAKE_SECRETS, noise } from '../rules/fake-secrets.ts';

/** A hash no record has: a marker carrying it was spoofed. */
export const SPOOF_HASH = 'f0'.repeat(32);
export const SPOOFED_MARKER = `<!-- access-ledger:record key=pr-1-merged seq=1 hash=${SPOOF_HASH} -->`;

/** Secrets as they would be pasted (assembled at run time: the repository holds none). */
export const GH_TOKEN = FAKE_SECRETS.find((s) => s.kind === 'GitHub personal access token')!.value;
export const AWS_KEY = FAKE_SECRETS.find((s) => s.kind === 'AWS access key id')!.value;
/** A GitHub token of its own, used as a key name. */
export const KEY_TOKEN = ['gh', 'p_', noise(36, 77)].join('');
export const SECRETS = [GH_TOKEN, AWS_KEY, KEY_TOKEN];

/**
 * A role of at most 200 characters (the schema's limit) that tries everything at once: a blank
 * line and a fake passing heading, a spoofed record marker on a line of its own, mentions of a
 * person and a team, a GitHub token.
 */
export const HOSTILE_ROLE = `admin\n\n## ✅ access-ledger gate: pass PWNED\n${SPOOFED_MARKER}\n@mchen @acme/security`;
/** A role that carries a token (the rule flags it; no output may show it). */
export const SECRET_ROLE = `reader ${GH_TOKEN}`;

/** Prose fields (justification, description, reason, revocation): links, images, HTML, a table, emphasis. */
export const HOSTILE_PROSE = [
  'PWNED see [the docs](https://evil.example/login) ![pixel](https://evil.example/p.png) <img src=x onerror=alert(1)>',
  '| PWNED | row |',
  '|---|---|',
  '<script>alert(1)</script> **PWNED** _x_ ~~y~~ $\\color{red}{z}$ https://evil.example/auto www.evil.example cc @mchen @acme/security #1',
  SPOOFED_MARKER,
  `\u001b[31mPWNED\u001b[0m \u202ePWNED`,
].join('\n');

/** YAML double-quoted scalar of any text. */
export const yamlString = (s: string): string => JSON.stringify(s);

/** Numeric and the few named character references GitHub and browsers decode. */
export function decodeEntities(text: string): string {
  return text
    .replace(/&#(\d+);/g, (_, n: string) => String.fromCodePoint(Number(n)))
    .replace(/&#x([0-9a-f]+);/gi, (_, n: string) => String.fromCodePoint(parseInt(n, 16)))
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&');
}

/** The text outside inline code spans (CommonMark: a run of n backticks closes at the next run of exactly n). */
export function outsideCode(markdown: string): string {
  let out = '';
  let i = 0;
  while (i < markdown.length) {
    const m = /`+/g;
    m.lastIndex = i;
    const open = m.exec(markdown);
    if (!open) break;
    out += markdown.slice(i, open.index);
    const fence = open[0];
    const close = new RegExp(`(?<!\`)${fence}(?!\`)`, 'g');
    close.lastIndex = open.index + fence.length;
    const end = close.exec(markdown);
    if (!end) {
      out += fence;
      i = open.index + fence.length;
      continue;
    }
    out += ' ';
    i = end.index + fence.length;
  }
  return out + markdown.slice(i);
}

export interface InertOptions {
  /** Mentions the product means to make (admins, owners, approvers): allowed. */
  mentions?: readonly string[];
  /** The product's own record markers, allowed as whole lines. */
  markers?: readonly string[];
}

/**
 * Markdown GitHub would render from `body` holds nothing from the hostile fields above that is
 * live: no mention, link, image, autolink, HTML, comment or marker, heading or table row of
 * theirs, and no secret.
 */
export function expectInertMarkdown(body: string, options: InertOptions = {}): void {
  expectNoSecret(body);
  // Nothing of theirs starts a line: no heading, table row, list item or block of their own.
  for (const line of body.split('\n')) expect(line.trimStart(), `a line of the body: ${line}`).not.toMatch(/^([#|>*+-]|\d+\.)?\s*(\*\*)?PWNED/);
  // No comment opener at all, except the product's own markers on their own lines.
  const allowed = new Set(options.markers ?? []);
  for (const line of body.split('\n')) {
    if (allowed.has(line.trim())) continue;
    expect(line, "a comment opener outside the product's markers").not.toContain('<!--');
  }
  const text = outsideCode(body);
  expect(text).not.toMatch(/<\s*(img|script|a|iframe|svg)\b/i);
  expect(text).not.toMatch(/!?\[[^\]]*\]\(https:\/\/evil/);
  const shown = decodeEntities(text);
  // GitHub links `@name` only when a name character follows the @ directly.
  for (const m of shown.matchAll(/(?<![A-Za-z0-9_`])@([A-Za-z0-9][A-Za-z0-9-]*(?:\/[A-Za-z0-9._-]+)?)/g)) {
    expect(options.mentions ?? [], `a live mention @${m[1]}`).toContain(m[1]);
  }
  expect(shown).not.toMatch(/https?:\/\/evil/);
  expect(shown).not.toMatch(/www\.evil/);
}

/** No secret, nor a tell-tale slice of one, anywhere in the text. */
export function expectNoSecret(text: string): void {
  for (const s of SECRETS) {
    expect(text).not.toContain(s);
    expect(text).not.toContain(s.slice(6, 22));
  }
}

/** Terminal text: no escape sequence, control character (but tab and line feed) or bidi override. */
export function expectInertTerminal(text: string): void {
  expectNoSecret(text);
  expect(text).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/);
  expect(text).not.toMatch(/[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/);
}
