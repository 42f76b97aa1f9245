/**
 * Never echo a secret: whatever `findSecrets` calls a secret is replaced, wherever text leaves the
 * product (annotations, the job summary, JSON and SARIF reports, comments, issues, the binder, the
 * terminal), by its well-known prefix, if it has one, and a mark: `ghp_…(masked)`. Pure.
 */
import { findSecrets } from '../secrets.ts';

export const MASKED = '…(masked)';

const OPENERS = '`\'"([{<';
const CLOSERS = '`\'")]}>.,:;!?';

/** Prefixes that name the kind of a token without giving any of it away. */
const PREFIX = /^(?:gh[pousr]_|github_pat_|AKIA|ASIA|xox[abposr]-|[rs]k_live_|AIza|eyJ|-----BEGIN [A-Z ]*PRIVATE KEY( BLOCK)?-----)/;

/** `text` with every secret `findSecrets` finds in it masked (spans that overlap are masked as one). */
export function maskSecrets(text: string): string {
  // Nothing shorter can hold a secret (the shortest, a URL's password, needs `a://b:ccc@`).
  if (text.length < 10) return text;
  const spans = findSecrets(text);
  if (spans.length === 0) return text;
  let out = '';
  let at = 0;
  for (let i = 0; i < spans.length; ) {
    const start = spans[i]!.start;
    let end = spans[i]!.end;
    // findSecrets sorts by start; a span may reach into the next (a token used as a URL's password).
    for (i++; i < spans.length && spans[i]!.start < end; i++) end = Math.max(end, spans[i]!.end);
    let from = Math.max(start, at);
    // A high-entropy token runs to the next space, so it may take in the quotes or backticks around
    // a secret: those stay, they are no part of any secret.
    while (from < end && OPENERS.includes(text[from]!)) from++;
    while (end > from && CLOSERS.includes(text[end - 1]!)) end--;
    if (from >= end) continue;
    out += text.slice(at, from) + (PREFIX.exec(text.slice(from, end))?.[0] ?? '') + MASKED;
    at = end;
  }
  return out + text.slice(at);
}

/** A JSON value with every string (and object key) masked; the same value when nothing is. */
export function maskSecretsDeep<T>(value: T): T {
  return deep(value) as T;
}

function deep(value: unknown): unknown {
  if (typeof value === 'string') return maskSecrets(value);
  if (Array.isArray(value)) {
    let changed = false;
    const out = value.map((v) => {
      const m = deep(v);
      if (m !== v) changed = true;
      return m;
    });
    return changed ? out : value;
  }
  if (value && typeof value === 'object') {
    let changed = false;
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      const mk = maskSecrets(k);
      const mv = deep(v);
      if (mk !== k || mv !== v) changed = true;
      out[mk] = mv;
    }
    return changed ? out : value;
  }
  return value;
}
