/**
 * Safe YAML parsing with positions. Every problem becomes a `schema` finding with a line and a
 * column; nothing here throws on bad input. Limits: size, aliases, nesting depth, one document.
 */
import { LineCounter, isMap, isPair, isScalar, isSeq, parseAllDocuments, type Document, type Node } from 'yaml';
import type { Finding } from '../findings.ts';

export const MAX_FILE_BYTES = 1024 * 1024;
export const MAX_ALIASES = 50;
export const MAX_DEPTH = 24;

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
}

const SCHEMA_CONTROLS = ['SOC2:CC6.1', 'NIST-CSF-2.0:PR.AA-05', 'ISO27001:A.5.15'];

function problem(path: string, pos: Pos, message: string, severity: 'error' | 'warning' = 'error'): Finding {
  return { rule: 'schema', severity, file: path, line: pos.line, column: pos.column, message, controls: SCHEMA_CONTROLS };
}

const START: Pos = { line: 1, column: 1 };

function decode(path: string, content: Uint8Array | string, problems: Finding[]): string | undefined {
  if (typeof content === 'string') return content;
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(content);
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

function depthOf(node: unknown, depth: number): number {
  if (depth > MAX_DEPTH) return depth;
  if (isMap(node) || isSeq(node)) {
    let max = depth;
    for (const item of node.items as unknown[]) {
      const child = isPair(item) ? item.value : item;
      max = Math.max(max, depthOf(child, depth + 1));
      if (max > MAX_DEPTH) return max;
    }
    return max;
  }
  return depth;
}

export function parseYamlFile(path: string, content: Uint8Array | string): ParsedYaml {
  const problems: Finding[] = [];
  const size = typeof content === 'string' ? Buffer.byteLength(content) : content.length;
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
  if (text.trim() === '' || /^(\s*#[^\n]*\n?|\s*---\s*\n?)*\s*$/.test(text)) {
    problems.push(problem(path, START, 'the file is empty: add the definition, or delete the file'));
    return none;
  }
  const crlf = text.indexOf('\r\n');
  if (crlf >= 0) {
    const line = text.slice(0, crlf).split('\n').length;
    problems.push(problem(path, { line, column: 1 }, 'the file uses CRLF line endings: save it with LF endings (e.g. `git config core.autocrlf input`)', 'warning'));
  }

  const flowDepth = maxFlowDepth(text);
  if (flowDepth.depth > MAX_DEPTH) {
    problems.push(problem(path, flowDepth.at, `the document nests deeper than ${MAX_DEPTH} levels: grant files are shallow; flatten it`));
    return none;
  }

  const lineCounter = new LineCounter();
  const at = (offset: number): Pos => {
    const p = lineCounter.linePos(offset);
    return { line: p.line, column: p.col };
  };
  let docs: Document.Parsed[];
  try {
    const parsed = parseAllDocuments(text, { lineCounter, uniqueKeys: true, prettyErrors: false, strict: true });
    docs = Array.isArray(parsed) ? parsed : [];
  } catch (err) {
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
  let syntaxBroken = false;
  const linesWithErrors = new Set<number>();
  for (const err of doc.errors) {
    syntaxBroken = true;
    const pos = at(err.pos[0]);
    // One error per line: a tab or a stray bracket sets off follow-on errors that say nothing new.
    if (linesWithErrors.has(pos.line)) continue;
    linesWithErrors.add(pos.line);
    const hint =
      err.code === 'DUPLICATE_KEY'
        ? 'a key appears twice in the same mapping: keep one (a later value would silently replace the first)'
        : err.code === 'TAB_AS_INDENT'
          ? 'tabs are not allowed as indentation in YAML: indent with spaces'
          : `YAML syntax error (${err.message.split('\n')[0]}): fix the syntax at this position`;
    problems.push(problem(path, pos, hint));
  }
  for (const warn of doc.warnings) {
    problems.push(problem(path, at(warn.pos[0]), `YAML warning: ${warn.message.split('\n')[0]}`, 'warning'));
  }
  if (syntaxBroken) return { ...none, locate: makeLocate(() => doc, at) };

  if (depthOf(doc.contents, 0) > MAX_DEPTH) {
    problems.push(problem(path, START, `the document nests deeper than ${MAX_DEPTH} levels: grant files are shallow; flatten it`));
    return none;
  }
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: MAX_ALIASES });
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
  return { path, value, problems, locate: lazyLocate(text) };
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

function makeLocate(getDoc: () => Document.Parsed, at: (offset: number) => Pos): (path: YamlPath, key?: boolean) => Pos {
  return (path, key = false) => {
    let node: unknown = getDoc().contents;
    let best: Pos = nodePos(node, at) ?? START;
    for (let i = 0; i < path.length; i++) {
      const seg = path[i];
      const last = i === path.length - 1;
      if (isMap(node)) {
        const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === String(seg));
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
