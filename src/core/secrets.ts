/**
 * Where a text holds something that looks like a secret: the known token formats and long
 * high-entropy strings that the `no-secrets` rule reports, as character ranges. Pure.
 */
import { PATTERNS, looksHighEntropy } from './rules/no-secrets.ts';

export interface SecretRange {
  start: number;
  end: number;
  kind: string;
}

const GLOBAL = PATTERNS.map((p) => ({ kind: p.name, re: new RegExp(p.re.source, p.re.flags.includes('g') ? p.re.flags : p.re.flags + 'g') }));
const DEFAULT_MIN_LENGTH = 24;
const DEFAULT_MIN_ENTROPY = 4.0;
/** One pass decides whether any known format may be present; most text has none. */
const ANY_KNOWN = new RegExp(PATTERNS.map((p) => p.re.source).join('|'));
const LONG_TOKEN = new RegExp(`[^\\s,;'"()]{${DEFAULT_MIN_LENGTH},}`);

/** Every secret-looking range of `text`, in order, none overlapping. */
export function findSecrets(text: string): SecretRange[] {
  if (text.length < 16) return [];
  const anyKnown = ANY_KNOWN.test(text);
  if (!anyKnown && !LONG_TOKEN.test(text)) return [];
  const found: SecretRange[] = [];
  for (const p of anyKnown ? GLOBAL : []) {
    p.re.lastIndex = 0;
    for (const m of text.matchAll(p.re)) {
      let start = m.index;
      let end = m.index + m[0].length;
      if (p.kind === 'a password in a URL') {
        // scheme://user:password@ : the password alone.
        start = m.index + m[0].indexOf(':', m[0].indexOf('://') + 3) + 1;
        end -= 1;
      } else if (p.kind === 'a private key') {
        end = privateKeyEnd(text, start);
      }
      found.push({ start, end, kind: p.kind });
    }
  }
  if (text.length >= DEFAULT_MIN_LENGTH) {
    const known = found.length;
    for (const m of text.matchAll(/[^\s,;'"()]+/g)) {
      const end = m.index + m[0].length;
      // A token holding a known format (a URL with its password) is masked where that format is.
      if (found.slice(0, known).some((r) => r.start < end && r.end > m.index)) continue;
      if (m[0].length >= DEFAULT_MIN_LENGTH && looksHighEntropy(m[0], DEFAULT_MIN_LENGTH, DEFAULT_MIN_ENTROPY)) {
        found.push({ start: m.index, end: m.index + m[0].length, kind: 'a secret (a long high-entropy string)' });
      }
    }
  }
  found.sort((a, b) => a.start - b.start || b.end - a.end);
  const out: SecretRange[] = [];
  for (const r of found) {
    const last = out[out.length - 1];
    if (last && r.start < last.end) last.end = Math.max(last.end, r.end);
    else out.push({ ...r });
  }
  return out;
}

/** A PEM block runs to its END line, or to the end of the text when that is missing. */
function privateKeyEnd(text: string, start: number): number {
  const end = /-----END ([A-Z]+ )?PRIVATE KEY( BLOCK)?-----/.exec(text.slice(start));
  return end ? start + end.index + end[0].length : text.length;
}
