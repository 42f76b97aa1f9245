// biome-ignore-all lint/suspicious/noControlCharactersInRegex: finding and dropping control characters is what this module is for
/**
 * The one way text that people write (grant and system files, pull request titles, the config)
 * reaches Markdown, HTML or a terminal. Every function here drops control characters, masks what
 * then looks like a secret (./mask.ts), and makes the text inert for its destination:
 *
 * - `mdText`: Markdown inline text, and the text of an HTML block GitHub renders (the gate's job
 *   summary table). One line; no live mention (`@name`, `@org/team`), issue reference, link,
 *   image, autolink, HTML, comment or hidden marker, heading, list, table break, emphasis or math.
 * - `mdCell`: the same, for a cell of a Markdown table.
 * - `mdCode`: an inline code span, whatever backticks the text holds.
 * - `htmlText` / `htmlAttr`: HTML text and quoted attribute values (the binder).
 * - `terminalText`: no ANSI escape sequence, control character or bidi override.
 * - `plainLine`: one line of plain text (an issue title).
 *
 * Mentions the product means to make (the admins on an unapproved merge, the owner of a stale
 * grant) go through `mention`, which writes `@login` only for a valid GitHub login or team.
 * Pure.
 */
import { maskSecrets } from './mask.ts';

/** The zero-width space, between `@` and a name so GitHub neither links nor notifies it. */
const ZWSP = '\u200b';

/** ANSI escape sequences: CSI (ESC [ or the 8-bit CSI), OSC (ESC ] … BEL or ST), and two-byte ESC sequences. */
const ANSI =
  /(?:\u001b\[|\u009b)[0-?]*[ -/]*[@-~]|(?:\u001b\]|\u009d)[^\u0007\u001b\u009c]*(?:\u0007|\u001b\\|\u009c)?|\u001b[P^_X][^\u001b\u009c]*(?:\u001b\\|\u009c)?|\u001b[ -/]*[0-~]?/g;
/** C0 controls but tab and line feed, DEL, and C1 controls. */
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;
/** Bidirectional embeddings, overrides, isolates and marks: they reorder what a reader sees. */
const BIDI = /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;
/** Every kind of line break and run of white space, for one-line output. */
const SPACE = /[\s\u0085\u2028\u2029]+/g;

/** Removes ANSI escape sequences, control characters (tab and line feed kept) and bidi controls. */
export function stripControls(value: string): string {
  return value
    .replace(ANSI, '')
    .replace(/\r\n?|\u0085/g, '\n')
    .replace(CONTROL, '')
    .replace(BIDI, '');
}

function cut(value: string, max: number): string {
  if (value.length <= max) return value;
  const chars = [...value];
  return chars.length <= max ? value : `${chars.slice(0, Math.max(1, max - 1)).join('')}…`;
}

/** Masked, without controls, on one line, cut to `max` characters (with an ellipsis). */
export function plainLine(value: unknown, max = Infinity): string {
  return cut(
    maskSecrets(stripControls(String(value ?? '')))
      .replace(SPACE, ' ')
      .trim(),
    max,
  );
}

/** Terminal output: masked, no escape sequence or control character; one line unless `multiline`. */
export function terminalText(value: unknown, options: { multiline?: boolean } = {}): string {
  const clean = maskSecrets(stripControls(String(value ?? '')));
  return options.multiline ? clean : clean.replace(/[\n\u0085\u2028\u2029]+/g, ' ');
}

/** Characters written as numeric character references in Markdown text. */
const MD_ENTITY: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
  '\\': '&#92;',
  '`': '&#96;',
  '*': '&#42;',
  _: '&#95;',
  '[': '&#91;',
  ']': '&#93;',
  '|': '&#124;',
  '~': '&#126;',
  $: '&#36;',
  '#': '&#35;',
};
const MD_SPECIAL = /[&<>"'\\`*_[\]|~$#]/g;

/**
 * Markdown inline text (also safe as the text of an HTML block): one line, cut to `max`
 * characters, every character that means something to Markdown or HTML written as a character
 * reference, and mentions, issue references and autolinks broken by a zero-width space so GitHub
 * shows them as text and notifies nobody.
 */
export function mdText(value: unknown, max = Infinity): string {
  const one = plainLine(value, max);
  let out = one
    .replace(MD_SPECIAL, (c) => MD_ENTITY[c]!)
    // @name, @org/team and e-mail autolinks: GitHub links (and notifies) only an `@` followed by the name.
    .replace(/@/g, `@${ZWSP}`)
    // #123 and GH-123 issue references (a cross-reference would post a back-link in that issue).
    .replace(/&#35;(?=\d)/g, `&#35;${ZWSP}`)
    .replace(/\b(GH)-(?=\d)/gi, `$1-${ZWSP}`)
    // Autolinks: scheme://… and www.…
    .replace(/:(?=\/\/)/g, `:${ZWSP}`)
    .replace(/\b(www)\./gi, `$1${ZWSP}.`);
  // At the start of a line these would open a list, a heading underline or a block quote.
  out = out.replace(/^[-+=]/, (c) => `&#${c.charCodeAt(0)};`).replace(/^(\d{1,9})([.)])/, (_, n: string, p: string) => `${n}&#${p.charCodeAt(0)};`);
  return out;
}

/** A cell of a Markdown table: `mdText`, with pipes and line breaks already unable to end the cell. */
export function mdCell(value: unknown, max = Infinity): string {
  return mdText(value, max);
}

/**
 * An inline code span holding `value` literally: one line, cut to `max` characters, delimited by
 * more backticks than the longest run inside it. In a table cell (`inTable`), pipes are escaped as
 * GitHub requires inside a cell. An HTML comment opener is broken by a zero-width space, so the
 * raw text holds no `<!--` (no hidden marker, even inside code).
 */
export function mdCode(value: unknown, max = Infinity, options: { inTable?: boolean } = {}): string {
  let text = plainLine(value, max)
    .replace(/<!--/g, `<${ZWSP}!--`)
    .replace(/--!?>/g, (m) => `--${ZWSP}${m.slice(2)}`);
  if (options.inTable) text = text.replace(/\|/g, '\\|');
  if (text === '') return '` `';
  let longest = 0;
  for (const m of text.matchAll(/`+/g)) longest = Math.max(longest, m[0].length);
  const fence = '`'.repeat(longest + 1);
  const pad = text.startsWith('`') || text.endsWith('`') || (text.startsWith(' ') && text.endsWith(' ')) ? ' ' : '';
  return `${fence}${pad}${text}${pad}${fence}`;
}

/** Inline code for a message or a report line: `mdCode` with the length every report uses. */
export function inlineCode(value: unknown): string {
  return mdCode(value, 300);
}

/** HTML text: masked, no control or bidi character, and `& < > " '` as character references. */
export function htmlText(value: unknown): string {
  return maskSecrets(stripControls(String(value ?? '')))
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/** A quoted HTML attribute value (`title="…"`): the same escaping as `htmlText`. */
export function htmlAttr(value: unknown): string {
  return htmlText(value);
}

/**
 * A path for a URL inside a Markdown link (`[text](…/path)`): each segment percent-encoded,
 * parentheses and the other characters encodeURIComponent leaves as they are included, so a
 * folder or file name cannot end the link's destination early.
 */
export function urlPath(path: string): string {
  return path
    .split('/')
    .map((s) => encodeURIComponent(s).replace(/[!'()*~]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`))
    .join('/');
}

const LOGIN = /^[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}$/;
const TEAM = /^@?([A-Za-z0-9](?:[A-Za-z0-9-]{0,38}))\/([A-Za-z0-9._-]{1,100})$/;

/**
 * A mention the product means to make: `@login` for a valid GitHub login, `@org/team` for a team;
 * anything else is written as text that mentions nobody.
 */
export function mention(principal: string): string {
  const bare = principal.startsWith('@') ? principal.slice(1) : principal;
  if (LOGIN.test(bare)) return `@${bare}`;
  const team = TEAM.exec(principal);
  if (team) return `@${team[1]}/${team[2]}`;
  return mdText(principal);
}
