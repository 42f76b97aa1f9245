/**
 * CODEOWNERS as GitHub reads it: one rule per line, a gitignore-style pattern and its owners; the
 * last matching rule decides a path's owners, and a matching rule without owners leaves the path
 * unowned. Pure.
 */

/** Where GitHub looks, in its order: the first that exists is used. */
export const CODEOWNERS_PATHS = ['.github/CODEOWNERS', 'CODEOWNERS', 'docs/CODEOWNERS'] as const;

export interface CodeownersRule {
  pattern: string;
  owners: string[];
  line: number;
}

export function parseCodeowners(text: string): CodeownersRule[] {
  const rules: CodeownersRule[] = [];
  text.split('\n').forEach((raw, i) => {
    // `#` starts a comment unless escaped; a pattern may begin with `\#`.
    let line = '';
    for (let j = 0; j < raw.length; j++) {
      const ch = raw[j]!;
      if (ch === '\\' && raw[j + 1] === '#') {
        line += '#';
        j++;
        continue;
      }
      if (ch === '#') break;
      line += ch;
    }
    const parts = line.trim().split(/\s+/).filter(Boolean);
    if (parts.length === 0) return;
    rules.push({ pattern: parts[0]!, owners: parts.slice(1), line: i + 1 });
  });
  return rules;
}

function escapeRegex(s: string): string {
  return s.replace(/[.+^${}()|[\]\\]/g, '\\$&');
}

function patternRegex(body: string): string {
  let out = '';
  for (let i = 0; i < body.length; i++) {
    const ch = body[i]!;
    if (ch === '*' && body[i + 1] === '*') {
      const before = i === 0 || body[i - 1] === '/';
      const after = body[i + 2] === '/' || i + 2 === body.length;
      if (before && body[i + 2] === '/') {
        out += '(?:.*/)?';
        i += 2;
        continue;
      }
      if (before && after) {
        out += '.*';
        i += 1;
        continue;
      }
      out += '[^/]*';
      i += 1;
      continue;
    }
    if (ch === '*') out += '[^/]*';
    else if (ch === '?') out += '[^/]';
    else out += escapeRegex(ch);
  }
  return out;
}

/** Whether `pattern` matches the file `path` (a pattern naming a directory matches everything in it). */
export function matchesPattern(pattern: string, path: string): boolean {
  let p = pattern;
  const dirOnly = p.endsWith('/');
  if (dirOnly) p = p.slice(0, -1);
  const anchored = p.startsWith('/') || p.includes('/');
  p = p.replace(/^\/+/, '');
  if (p === '' || p === '**') return true;
  if (p === '*' && !anchored) return true;
  const body = patternRegex(p);
  // A trailing `/**` already matches everything below.
  const re = new RegExp(anchored ? `^${body}$` : `^(?:.*/)?${body}$`);
  const parts = path.split('/');
  const dirs = parts.slice(0, -1).map((_, i) => parts.slice(0, i + 1).join('/'));
  // GitHub departs from gitignore here: `docs/*` owns the files in docs/, not those further down.
  const last = p.split('/').pop() ?? '';
  const wildLast = last !== '**' && /[*?]/.test(last);
  const candidates = dirOnly ? dirs : wildLast ? [path] : [path, ...dirs];
  return candidates.some((c) => re.test(c));
}

/** The rule that decides `path`'s owners (the last that matches), or undefined when none does. */
export function ruleFor(rules: readonly CodeownersRule[], path: string): CodeownersRule | undefined {
  for (let i = rules.length - 1; i >= 0; i--) if (matchesPattern(rules[i]!.pattern, path)) return rules[i];
  return undefined;
}
