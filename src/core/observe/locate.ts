/**
 * Positions in the plain block YAML the fast reader accepts (src/core/binder/fast-yaml.ts), found
 * by walking lines and indentation: the same line and column the validator's reader gives
 * (`ParsedYaml.locate`), at a fraction of its cost, so 5,000 drift findings do not parse 5,000
 * files again. Anything this walk does not handle plainly (an empty value, a path into a flow
 * sequence, a line it cannot read) returns undefined and the caller asks the full reader. Pure.
 */
import type { YamlPath } from '../model/yaml-file.ts';

export interface Pos {
  line: number;
  column: number;
}

interface Line {
  /** 1-based line number in the file. */
  n: number;
  indent: number;
  text: string;
}

interface Node {
  kind: 'map' | 'seq';
  /** Lines [start, end) of the node. */
  start: number;
  end: number;
  /** Column (0-based) of the node's keys or dashes. */
  indent: number;
  /** A map that is a sequence item: its first key sits on the item's `- ` line. */
  item?: { lead: number };
}

const KEY = /^([A-Za-z_][A-Za-z0-9_-]*):(?=\s|$)/;

function isDash(text: string): boolean {
  return text === '-' || text.startsWith('- ');
}

/** The line's indent and text inside `node` (a sequence item's first line starts after its dash). */
function view(lines: Line[], node: Node, j: number): { indent: number; text: string } {
  const l = lines[j]!;
  if (node.item && j === node.start) return { indent: node.indent, text: l.text.slice(2 + node.item.lead) };
  return { indent: l.indent, text: l.text };
}

export function blockLocate(source: string, path: YamlPath, key = false): Pos | undefined {
  const lines: Line[] = [];
  const raw = source.split('\n');
  for (let i = 0; i < raw.length; i++) {
    const trimmed = raw[i]!.trimEnd();
    const body = trimmed.trimStart();
    if (body === '' || body.startsWith('#')) continue;
    if (/[\t\r]/.test(raw[i]!)) return undefined;
    lines.push({ n: i + 1, indent: trimmed.length - body.length, text: body });
  }
  if (lines.length === 0 || lines[0]!.indent !== 0) return undefined;
  let node: Node = { kind: isDash(lines[0]!.text) ? 'seq' : 'map', start: 0, end: lines.length, indent: 0 };
  let best: Pos = { line: lines[0]!.n, column: 1 };
  for (let s = 0; s < path.length; s++) {
    const seg = path[s]!;
    const last = s === path.length - 1;
    if (node.kind === 'map' && typeof seg === 'string') {
      let found = -1;
      let m: RegExpExecArray | null = null;
      for (let j = node.start; j < node.end; j++) {
        const v = view(lines, node, j);
        if (v.indent !== node.indent) continue;
        m = KEY.exec(v.text);
        if (m && m[1] === seg) {
          found = j;
          break;
        }
      }
      if (found < 0 || !m) return best;
      const line = lines[found]!;
      const keyPos = { line: line.n, column: node.indent + 1 };
      if (last && key) return keyPos;
      const text = view(lines, node, found).text;
      const after = text.slice(m[0].length);
      const rest = after.trimStart();
      if (rest !== '' && !rest.startsWith('#')) {
        // An inline value: a scalar or a one-line flow sequence.
        const valuePos = { line: line.n, column: node.indent + m[0].length + (after.length - rest.length) + 1 };
        if (last) return valuePos;
        return undefined; // a path into a flow sequence: the full reader knows it
      }
      const next = lines[found + 1];
      if (!next || found + 1 >= node.end) return undefined; // an empty value
      const sameIndentSeq = next.indent === node.indent && isDash(next.text);
      if (next.indent <= node.indent && !sameIndentSeq) return undefined;
      const childIndent = next.indent;
      let end = found + 1;
      while (end < node.end && (lines[end]!.indent > node.indent || (sameIndentSeq && lines[end]!.indent === node.indent && isDash(lines[end]!.text)))) end++;
      const valuePos = { line: next.n, column: childIndent + 1 };
      if (last) return valuePos;
      best = keyPos;
      node = { kind: isDash(next.text) ? 'seq' : 'map', start: found + 1, end, indent: childIndent };
    } else if (node.kind === 'seq' && typeof seg === 'number') {
      const items: number[] = [];
      for (let j = node.start; j < node.end; j++) if (lines[j]!.indent === node.indent && isDash(lines[j]!.text)) items.push(j);
      const at = items[seg];
      if (at === undefined) return best;
      const line = lines[at]!;
      const content = line.text === '-' ? '' : line.text.slice(2);
      const lead = content.length - content.trimStart().length;
      const body = content.trimStart();
      const end = items[seg + 1] ?? node.end;
      if (body === '' || body.startsWith('#')) {
        const next = lines[at + 1];
        if (!next || at + 1 >= end) return undefined;
        best = { line: next.n, column: next.indent + 1 };
        if (last) return best;
        node = { kind: isDash(next.text) ? 'seq' : 'map', start: at + 1, end, indent: next.indent };
        continue;
      }
      const column = node.indent + 2 + lead;
      best = { line: line.n, column: column + 1 };
      if (last) return best;
      if (isDash(body)) return undefined;
      if (!KEY.test(body)) return undefined; // a scalar item has nothing under it
      node = { kind: 'map', start: at, end, indent: column, item: { lead } };
    } else {
      return best;
    }
  }
  return best;
}
