/**
 * Never echo a secret: whatever `findSecrets` calls a secret is replaced, wherever text leaves the
 * product (annotations, the job summary, JSON and SARIF reports, comments, issues, the binder, the
 * terminal), by its well-known prefix, if it has one, and a mark: `ghp_…(masked)`. Pure.
 */
import { findSecrets } from '../secrets.ts';

export const MASKED = '…(masked)';

/** Prefixes that name the kind of a token without giving any of it away. */
const PREFIX = /^(?:gh[pousr]_|github_pat_|AKIA|ASIA|xox[abposr]-|[rs]k_live_|AIza|eyJ|-----BEGIN [A-Z ]*PRIVATE KEY( BLOCK)?-----)/;

export function maskSecrets(text: string): string {
  if (text.length < 16) return text;
  const ranges = findSecrets(text);
  if (ranges.length === 0) return text;
  let out = '';
  let at = 0;
  for (const r of ranges) {
    const secret = text.slice(r.start, r.end);
    out += text.slice(at, r.start) + (PREFIX.exec(secret)?.[0] ?? '') + MASKED;
    at = r.end;
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
