/**
 * Safe YAML parsing with positions. Every problem becomes a `schema` finding with a line and a
 * column; nothing here throws on bad input.
 *
 * The work is bounded by the size of the input: every limit below is checked before the work it
 * guards (the tokens are counted as the parser reads them, aliases are measured on the document
 * before anything is expanded), so a hostile file under the size limit costs what an ordinary
 * one of the same size costs. docs/file-formats.md lists each limit and its finding.
 */
import {
  CST,
  Composer,
  Lexer,
  LineCounter,
  Parser,
  isAlias,
  isMap,
  isPair,
  isScalar,
  isSeq,
  parseAllDocuments,
  type Document,
  type Node,
  type Pair,
  type YAMLMap,
} from 'yaml';
import { isSpace } from '../secrets.ts';
import type { Finding } from '../findings.ts';

export const MAX_FILE_BYTES = 1024 * 1024;
/** Alias expansions in a document, those inside expanded aliases included. */
export const MAX_ALIASES = 50;
export const MAX_DEPTH = 24;
/**
 * YAML tokens: keys, values, punctuation (`-`, `:`, `,`, brackets), comments, runs of spaces and
 * line breaks. An ordinary grant file of 500 access entries has about 20,000.
 */
export const MAX_TOKENS = 50_000;
/** Values (keys, scalars, lists and mappings) in the data once its aliases are expanded. */
export const MAX_VALUES = 50_000;
/** Characters of text in the data once its aliases are expanded: no more than a file may hold. */
const MAX_TEXT = MAX_FILE_BYTES;
/** Findings about one file's YAML, and about its schema, beyond which one finding counts the rest. */
export const MAX_FILE_PROBLEMS = 100;

export interface Pos {
  line: number;
  column: number;
}

export type YamlPath = readonly (string | number)[];

export interface ParsedYaml {
  path: string;
  /** The document as plain data; undefined when the file could not be parsed at all. */
  value: unknown;
  /** Problems with the file itself (encoding, syntax, limits). */
  problems: Finding[];
  /** Position of the node at `path` (its key when `key` is true); the nearest existing ancestor otherwise. */
  locate(path: YamlPath, key?: boolean): Pos;
  /**
   * The text the positions are in (decoded, without a byte-order mark); absent when the file was
   * over the size limit or not UTF-8. Enough to give `locate` again elsewhere (locateLater).
   */
  text?: string;
}

const SCHEMA_CONTROLS = ['SOC2:CC6.1', 'NIST-CSF-2.0:PR.AA-05', 'ISO27001:A.5.15'];

function problem(path: string, pos: Pos, message: string, severity: 'error' | 'warning' = 'error'): Finding {
  return { rule: 'schema', severity, file: path, line: pos.line, column: pos.column, message, controls: SCHEMA_CONTROLS };
}

const START: Pos = { line: 1, column: 1 };

// One decoder for every file: a whole-buffer decode (no `stream`) starts from a clean state.
const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

function decode(path: string, content: Uint8Array | string, problems: Finding[]): string | undefined {
  if (typeof content === 'string') return content;
  try {
    return UTF8.decode(content);
  } catch {
    // Binary search for the longest valid prefix (a streaming decode tolerates a cut sequence).
    const validPrefix = (n: number): boolean => {
      try {
        new TextDecoder('utf-8', { fatal: true }).decode(content.subarray(0, n), { stream: true });
        return true;
      } catch {
        return false;
      }
    };
    let lo = 0;
    let hi = content.length;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (validPrefix(mid)) lo = mid;
      else hi = mid - 1;
    }
    const before = new TextDecoder('utf-8').decode(content.subarray(0, lo));
    const lines = before.split('\n');
    const line = lines.length;
    const column = [...(lines[lines.length - 1] ?? '')].length + 1;
    problems.push(problem(path, { line, column }, 'the file is not valid UTF-8: save it as UTF-8 (without a byte-order mark)'));
    return undefined;
  }
}

/**
 * Flow collections (`[` and `{`) nest without indentation; a file of ten thousand brackets would
 * exhaust the parser's stack, so their depth is measured on the raw text first (quoted text and
 * comments skipped).
 */
function maxFlowDepth(text: string): { depth: number; at: Pos } {
  // Fast path: fewer opening brackets than the limit cannot nest past it.
  let opening = 0;
  for (let i = text.indexOf('['); i >= 0 && opening <= MAX_DEPTH; i = text.indexOf('[', i + 1)) opening++;
  for (let i = text.indexOf('{'); i >= 0 && opening <= MAX_DEPTH; i = text.indexOf('{', i + 1)) opening++;
  if (opening <= MAX_DEPTH) return { depth: opening, at: START };
  let depth = 0;
  let max = 0;
  let line = 1;
  let column = 0;
  let quote: string | undefined;
  let comment = false;
  let at: Pos = START;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    column++;
    if (ch === '\n') {
      line++;
      column = 0;
      comment = false;
      continue;
    }
    if (comment) continue;
    if (quote) {
      if (ch === quote && text[i - 1] !== '\\') quote = undefined;
      continue;
    }
    if (ch === '"' || ch === "'") quote = ch;
    else if (ch === '#' && (i === 0 || /\s/.test(text[i - 1]!))) comment = true;
    else if (ch === '[' || ch === '{') {
      depth++;
      if (depth > max) {
        max = depth;
        if (max === MAX_DEPTH + 1) at = { line, column };
      }
    } else if ((ch === ']' || ch === '}') && depth > 0) depth--;
  }
  return { depth: max, at };
}

/**
 * Whether the text holds nothing but white space, comments and document markers (`---`): the
 * file is empty. One pass, each character read once.
 */
export function isBlankYaml(text: string): boolean {
  const n = text.length;
  let i = 0;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (isSpace(c)) i++;
    else if (c === 35 /* # */) {
      const nl = text.indexOf('\n', i);
      i = nl < 0 ? n : nl;
    } else if (text.startsWith('---', i)) i += 3;
    else return false;
  }
  return true;
}

class TokenLimit extends Error {
  readonly offset: number;
  constructor(offset: number) {
    super(`more than ${MAX_TOKENS} YAML tokens`);
    this.offset = offset;
  }
}

/**
 * The parser's tokens, counted as the lexer produces them: past MAX_TOKENS the parse stops, so a
 * file dense with tokens costs no more than the limit allows. (The lexer's markers for the start
 * of a document, a scalar and the end of a flow collection stand for no text and are not counted.)
 */
function* limitedTokens(text: string, parser: Parser): Generator<CST.Token, void> {
  let tokens = 0;
  for (const lexeme of new Lexer().lex(text)) {
    const marker = lexeme === CST.DOCUMENT || lexeme === CST.SCALAR || lexeme === CST.FLOW_END;
    if (!marker && ++tokens > MAX_TOKENS) throw new TokenLimit(parser.offset);
    yield* parser.next(lexeme);
  }
  yield* parser.end();
}

interface Measure {
  /** Levels below the node (0 for a scalar). */
  height: number;
  /** Aliases expanded in the node's data, those inside expanded aliases included. */
  aliases: number;
  /** Values in the node's data, aliases expanded. */
  values: number;
  /** Characters of text in the node's data, aliases expanded. */
  text: number;
}

interface Walked {
  /** Offsets of keys that repeat an earlier key of the same mapping. */
  duplicates: number[];
  /** Where the data, as written or once expanded, first nests deeper than MAX_DEPTH. */
  deep?: number;
  /** The alias whose expansion passes MAX_ALIASES expansions. */
  aliases?: number;
  /** An alias inside the node it names. */
  cycle?: number;
  /** The alias at which the expanded data passes MAX_VALUES or MAX_TEXT. */
  expansion?: number;
}

function offsetOf(node: unknown): number {
  if (isPair(node)) return offsetOf(node.key ?? node.value);
  return (node as Node | null | undefined)?.range?.[0] ?? 0;
}

/**
 * One walk over the document as the parser built it, before anything is expanded: duplicate keys
 * (a set per mapping; the parser's own check compares each key with every earlier one), the
 * depth, and what each alias would add to the data once expanded (each anchored node is measured
 * once, when the walk leaves it, so an alias costs one lookup however much it stands for). The
 * walk never descends past MAX_DEPTH, so it is linear in the document and its stack is bounded.
 */
function walkDocument(root: unknown): Walked {
  const out: Walked = { duplicates: [] };
  const anchors = new Map<string, unknown>();
  const measured = new Map<unknown, Measure>();
  const open = new Set<unknown>();
  let aliases = 0;
  let values = 0;
  let text = 0;
  const leaf = (): Measure => ({ height: 0, aliases: 1, values: 1, text: 0 });

  const visit = (node: unknown, depth: number): Measure => {
    if (node === null || node === undefined) return { height: 0, aliases: 0, values: 0, text: 0 };
    if (isAlias(node)) {
      const target = anchors.get(node.source);
      // An alias without its anchor is reported by the parser when the data is read.
      if (target === undefined) return leaf();
      if (open.has(target)) {
        out.cycle ??= offsetOf(node);
        return leaf();
      }
      const t = measured.get(target) ?? leaf();
      // The alias is one expansion, and brings those inside what it names.
      const m: Measure = { ...t, aliases: t.aliases + 1 };
      aliases += m.aliases;
      values += m.values;
      text += m.text;
      if (aliases > MAX_ALIASES) out.aliases ??= offsetOf(node);
      if (depth + m.height > MAX_DEPTH) out.deep ??= offsetOf(node);
      if (values > MAX_VALUES || text > MAX_TEXT) out.expansion ??= offsetOf(node);
      return m;
    }
    const anchor = (node as { anchor?: string }).anchor;
    if (anchor) {
      anchors.set(anchor, node);
      open.add(node);
    }
    const m: Measure = { height: 0, aliases: 0, values: 1, text: 0 };
    values += 1;
    if (isScalar(node)) {
      if (typeof node.value === 'string') {
        m.text = node.value.length;
        text += m.text;
      }
    } else if (isMap(node) || isSeq(node)) {
      if (depth + 1 > MAX_DEPTH && node.items.length > 0) {
        out.deep ??= offsetOf(node.items[0]);
      } else {
        const keys = isMap(node) ? new Set<unknown>() : undefined;
        const add = (child: Measure) => {
          m.aliases += child.aliases;
          m.values += child.values;
          m.text += child.text;
          m.height = Math.max(m.height, child.height + 1);
        };
        for (const item of node.items as unknown[]) {
          if (isPair(item)) {
            if (keys && isScalar(item.key)) {
              if (keys.has(item.key.value)) out.duplicates.push(offsetOf(item.key));
              else keys.add(item.key.value);
            }
            add(visit(item.key, depth + 1));
            add(visit(item.value, depth + 1));
          } else {
            add(visit(item, depth + 1));
          }
        }
      }
    }
    if (anchor) {
      open.delete(node);
      measured.set(node, m);
    }
    return m;
  };
  visit(root, 0);
  return out;
}

/**
 * Keeps the first MAX_FILE_PROBLEMS findings in the order of the file and counts the rest in one
 * more, at the first left out: a file with a problem on every line gets a report a person reads.
 * `total` is the number of problems when the caller explained only the first few of them.
 */
export function capProblems(findings: Finding[], what: string, total = findings.length): Finding[] {
  if (total <= MAX_FILE_PROBLEMS) return findings;
  const sorted = [...findings].sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0));
  const first = sorted[MAX_FILE_PROBLEMS] ?? sorted[sorted.length - 1]!;
  return [
    ...sorted.slice(0, MAX_FILE_PROBLEMS),
    {
      ...first,
      message: `${(total - MAX_FILE_PROBLEMS).toLocaleString('en-US')} more ${what} in this file are not listed: fix the ones listed and check the file again`,
    },
  ];
}

const DEPTH_MESSAGE = `the document nests deeper than ${MAX_DEPTH} levels: grant files are shallow; flatten it`;

/** `fileSize`: the size in bytes, when `content` holds only the start of the file (one past the limit need not be read whole). */
export function parseYamlFile(path: string, content: Uint8Array | string, fileSize?: number): ParsedYaml {
  const problems: Finding[] = [];
  const read = typeof content === 'string' ? Buffer.byteLength(content) : content.length;
  const size = Math.max(read, fileSize ?? 0);
  const none: ParsedYaml = { path, value: undefined, problems, locate: () => START };
  if (size > MAX_FILE_BYTES) {
    problems.push(problem(path, START, `the file is ${size} bytes, over the 1 MiB limit: split it, one identity per file`));
    return none;
  }
  let text = decode(path, content, problems);
  if (text === undefined) return none;
  if (text.charCodeAt(0) === 0xfeff) {
    problems.push(problem(path, START, 'the file starts with a byte-order mark: save it as UTF-8 without BOM'));
    text = text.slice(1);
  }
  none.text = text;
  if (isBlankYaml(text)) {
    problems.push(problem(path, START, 'the file is empty: add the definition, or delete the file'));
    return none;
  }
  const crlf = text.indexOf('\r\n');
  if (crlf >= 0) {
    const line = text.slice(0, crlf).split('\n').length;
    problems.push(
      problem(path, { line, column: 1 }, 'the file uses CRLF line endings: save it with LF endings (e.g. `git config core.autocrlf input`)', 'warning'),
    );
  }

  const flowDepth = maxFlowDepth(text);
  if (flowDepth.depth > MAX_DEPTH) {
    problems.push(problem(path, flowDepth.at, DEPTH_MESSAGE));
    return none;
  }

  const lineCounter = new LineCounter();
  const at = (offset: number): Pos => {
    const p = lineCounter.linePos(offset);
    return { line: p.line, column: p.col };
  };
  let docs: Document.Parsed[];
  try {
    // Duplicate keys are found by walkDocument: the parser's own check is quadratic in the keys.
    const parser = new Parser(lineCounter.addNewLine);
    lineCounter.addNewLine(0);
    docs = Array.from(new Composer({ uniqueKeys: false, strict: true }).compose(limitedTokens(text, parser)));
  } catch (err) {
    if (err instanceof TokenLimit) {
      problems.push(
        problem(
          path,
          at(err.offset),
          `the file holds more than ${MAX_TOKENS.toLocaleString('en-US')} YAML tokens (keys, values, punctuation, comments and line breaks), more than a grant file of 500 access entries needs, and reading stopped at this line: keep one identity per file and remove what does not belong to its grant`,
        ),
      );
      return none;
    }
    problems.push(problem(path, START, `the file could not be parsed as YAML (${(err as Error).message}): fix the syntax`));
    return none;
  }
  if (docs.length === 0) {
    problems.push(problem(path, START, 'the file is empty: add the definition, or delete the file'));
    return none;
  }
  const doc = docs[0]!;
  if (docs.length > 1) {
    const second = docs[1]!;
    const offset = second.range?.[0] ?? 0;
    problems.push(problem(path, at(offset), 'the file holds more than one YAML document: keep one identity per file and remove the extra `---` section'));
  }
  const walked = walkDocument(doc.contents);
  const errors = [
    ...doc.errors.map((e) => ({ offset: e.pos[0], code: e.code as string, message: e.message })),
    ...walked.duplicates.map((offset) => ({ offset, code: 'DUPLICATE_KEY', message: '' })),
  ].sort((a, b) => a.offset - b.offset);
  const syntax: Finding[] = [];
  const linesWithErrors = new Set<number>();
  for (const err of errors) {
    const pos = at(err.offset);
    // One error per line: a tab or a stray bracket sets off follow-on errors that say nothing new.
    if (linesWithErrors.has(pos.line)) continue;
    linesWithErrors.add(pos.line);
    const hint =
      err.code === 'DUPLICATE_KEY'
        ? 'a key appears twice in the same mapping: keep one (a later value would silently replace the first)'
        : err.code === 'TAB_AS_INDENT'
          ? 'tabs are not allowed as indentation in YAML: indent with spaces'
          : `YAML syntax error (${err.message.split('\n')[0]}): fix the syntax at this position`;
    syntax.push(problem(path, pos, hint));
  }
  problems.push(...capProblems(syntax, 'YAML errors'));
  const warnings = doc.warnings.map((warn) => problem(path, at(warn.pos[0]), `YAML warning: ${warn.message.split('\n')[0]}`, 'warning'));
  problems.push(...capProblems(warnings, 'YAML warnings'));
  if (errors.length > 0) return { ...none, locate: makeLocate(() => doc, at) };

  if (walked.deep !== undefined) {
    problems.push(problem(path, at(walked.deep), DEPTH_MESSAGE));
    return none;
  }
  if (walked.cycle !== undefined) {
    problems.push(
      problem(
        path,
        at(walked.cycle),
        'an alias refers to the node that contains it, which would make the data endless: write the values out instead of using anchors and aliases',
      ),
    );
    return none;
  }
  if (walked.aliases !== undefined) {
    problems.push(
      problem(
        path,
        at(walked.aliases),
        `the file uses YAML aliases beyond the limit of ${MAX_ALIASES} expansions: write the values out instead of using anchors and aliases`,
      ),
    );
    return none;
  }
  if (walked.expansion !== undefined) {
    problems.push(
      problem(
        path,
        at(walked.expansion),
        `expanding the YAML aliases up to this one would give more than ${MAX_VALUES.toLocaleString('en-US')} values or more than 1 MiB of text, more than the file may hold: write the values out instead of using anchors and aliases`,
      ),
    );
    return none;
  }
  let value: unknown;
  try {
    // The limits above are the ones that count; the parser's own check of aliases (a product of
    // uses and nesting) stays as a backstop well past them.
    value = doc.toJS({ maxAliasCount: 4 * MAX_ALIASES });
  } catch (err) {
    const message = (err as Error).message;
    problems.push(
      problem(
        path,
        START,
        /alias/i.test(message)
          ? `the file uses YAML aliases beyond the limit of ${MAX_ALIASES} expansions: write the values out instead of using anchors and aliases`
          : `the file could not be read as data (${message}): fix the YAML`,
      ),
    );
    return none;
  }
  // The document tree is several times the size of the data; keep only the text and rebuild the
  // tree on the rare call to locate (a finding), so 100,000 clean files stay cheap to hold.
  return { path, value, problems, locate: lazyLocate(text), text };
}

/**
 * The `locate` parseYamlFile gave a file, given again from the file's text (ParsedYaml.text) where
 * the parsed document is not at hand: a file parsed on another thread, handed over as plain data.
 * `parsed`: whether the file gave a value. Nothing is parsed until the first call, so only files
 * with a finding pay for it.
 */
export function locateLater(path: string, text: string | undefined, parsed: boolean): ParsedYaml['locate'] {
  if (text === undefined) return () => START;
  if (parsed) return lazyLocate(text);
  // A file that gave no value: its positions are those of the same parse, done again (the text
  // holds no byte-order mark, which moves no position; every limit is checked as before).
  let locate: ParsedYaml['locate'] | undefined;
  return (path2, key) => {
    locate ??= parseYamlFile(path, text).locate;
    return locate(path2, key);
  };
}

function lazyLocate(text: string): (path: YamlPath, key?: boolean) => Pos {
  let locate: ((path: YamlPath, key?: boolean) => Pos) | undefined;
  return (path, key) => {
    if (!locate) {
      const lineCounter = new LineCounter();
      const doc = parseAllDocuments(text, { lineCounter, uniqueKeys: false, prettyErrors: false }) as Document.Parsed[];
      const at = (offset: number): Pos => {
        const p = lineCounter.linePos(offset);
        return { line: p.line, column: p.col };
      };
      const first = Array.isArray(doc) ? doc[0] : undefined;
      locate = first ? makeLocate(() => first, at) : () => START;
    }
    return locate(path, key);
  };
}

/** A mapping's pairs by key, built on the first lookup: finding every key of a wide mapping stays linear. */
type KeyIndex = Map<string, Pair<unknown, unknown>>;

function makeLocate(getDoc: () => Document.Parsed, at: (offset: number) => Pos): (path: YamlPath, key?: boolean) => Pos {
  const indexes = new WeakMap<object, KeyIndex>();
  const pairOf = (map: YAMLMap<unknown, unknown>, seg: string | number): Pair<unknown, unknown> | undefined => {
    let index = indexes.get(map);
    if (!index) {
      index = new Map();
      for (const p of map.items) {
        if (!isScalar(p.key)) continue;
        const k = String(p.key.value);
        if (!index.has(k)) index.set(k, p);
      }
      indexes.set(map, index);
    }
    return index.get(String(seg));
  };
  return (path, key = false) => {
    let node: unknown = getDoc().contents;
    let best: Pos = nodePos(node, at) ?? START;
    for (let i = 0; i < path.length; i++) {
      const seg = path[i]!;
      const last = i === path.length - 1;
      if (isMap(node)) {
        const pair = pairOf(node, seg);
        if (!pair) return best;
        const keyPos = nodePos(pair.key, at);
        if (last && key && keyPos) return keyPos;
        const valuePos = nodePos(pair.value, at);
        best = (valuePos && !(isMap(pair.value) || isSeq(pair.value)) ? valuePos : keyPos) ?? best;
        if (last && valuePos) return valuePos;
        node = pair.value;
      } else if (isSeq(node) && typeof seg === 'number') {
        const item = node.items[seg];
        const pos = nodePos(item, at);
        if (!pos) return best;
        best = pos;
        node = item;
      } else {
        return best;
      }
    }
    return best;
  };
}

function nodePos(node: unknown, at: (offset: number) => Pos): Pos | undefined {
  const range = (node as Node | null | undefined)?.range;
  return range ? at(range[0]) : undefined;
}
