/**
 * Builds a repo snapshot from inline YAML and validates it with the built-in packs and a fixed
 * day, so each rule's table reads as "these files → these findings".
 */
import { expect } from 'vitest';
import type { Finding } from '../../src/core/findings.ts';
import { buildSnapshot, type RepoFile } from '../../src/core/model/snapshot.ts';
import { validateSnapshot, type ValidateOptions } from '../../src/core/validate.ts';
import type { Scope } from '../../src/core/rules/types.ts';
import { loadBuiltinPacks } from '../../src/adapters/fs/packs.ts';

export { TODAY, y, CONFIG, SYSTEMS } from '../support/access-repo-fixtures.ts';
import { TODAY, y, CONFIG, SYSTEMS } from '../support/access-repo-fixtures.ts';

export interface RunOptions {
  today?: string;
  /** Replaces access-ledger.yaml (null: no config file at all). */
  config?: string | null;
  /** Replaces the default systems. */
  systems?: Record<string, string>;
  base?: Record<string, string>;
  changed?: string[];
  scopes?: Scope[];
  facts?: ValidateOptions['facts'];
  only?: string[];
}

export function repoFiles(files: Record<string, string | Uint8Array>, options: RunOptions = {}): RepoFile[] {
  const all: Record<string, string | Uint8Array> = { ...(options.systems ?? SYSTEMS), ...files };
  if (options.config !== null && !('access-ledger.yaml' in files)) all['access-ledger.yaml'] = options.config ?? CONFIG;
  return Object.entries(all).map(([path, content]) => ({ path, content }));
}

export function run(files: Record<string, string | Uint8Array>, options: RunOptions = {}): Finding[] {
  const validateOptions: ValidateOptions = { packs: loadBuiltinPacks(), today: options.today ?? TODAY };
  if (options.scopes) validateOptions.scopes = options.scopes;
  if (options.changed) validateOptions.changed = new Set(options.changed);
  if (options.base) validateOptions.base = buildSnapshot(repoFiles(options.base, options));
  if (options.facts) validateOptions.facts = options.facts;
  if (options.only) validateOptions.only = new Set(options.only);
  return validateSnapshot(buildSnapshot(repoFiles(files, options)), validateOptions).findings;
}

/** One expected finding: the line, a fragment of the message, and optionally the severity. */
export type Expected = [line: number, fragment: string, severity?: 'error' | 'warning'];

export interface Case {
  name: string;
  /** The grant under test, at `path` (default grants/people/alice.yaml). */
  grant?: string;
  path?: string;
  /** Further files (systems, other grants). */
  files?: Record<string, string>;
  options?: RunOptions;
  expect: Expected[];
  /** Findings of other rules this case produces on purpose (rule ids); any other is a failure. */
  alsoFrom?: string[];
}

export function caseFiles(c: Case): Record<string, string> {
  return { ...(c.grant !== undefined ? { [c.path ?? 'grants/people/alice.yaml']: c.grant } : {}), ...c.files };
}

/** Runs a case and checks the rule's findings line by line; other rules must stay silent. */
export function checkCase(rule: string, c: Case): Finding[] {
  const findings = run(caseFiles(c), c.options);
  const mine = findings.filter((f) => f.rule === rule);
  const others = findings.filter((f) => f.rule !== rule && !c.alsoFrom?.includes(f.rule));
  expect(
    others.map((f) => `${f.file}:${f.line} ${f.rule}: ${f.message}`),
    'findings of other rules',
  ).toEqual([]);
  expect(
    mine.map((f) => `${f.file}:${f.line} ${f.message}`),
    `findings of ${rule}`,
  ).toHaveLength(c.expect.length);
  c.expect.forEach(([line, fragment, severity], i) => {
    const f = mine[i]!;
    expect(f.line, f.message).toBe(line);
    expect(f.column).toBeGreaterThanOrEqual(1);
    expect(f.message).toContain(fragment);
    if (severity) expect(f.severity, f.message).toBe(severity);
  });
  return mine;
}

/** A human grant with one access entry; its lines are fixed so tables can cite them. */
export function human(opts: { id?: string; expires?: string; privileged?: boolean; extra?: string } = {}): string {
  const id = opts.id ?? 'alice';
  return (
    y`
    identity:
      id: ${id}
      kind: human
      owner: carol
      github: ${id}
    access:
      - system: db
        role: readonly
        privileged: ${opts.privileged ?? false}
        justification: Investigates incidents from production rows
        expires: ${opts.expires ?? '2027-03-31'}
  ` + (opts.extra ?? '')
  );
}
