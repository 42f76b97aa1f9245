/**
 * The file scope judged in parts, as `validate` does on worker threads for a large repo: each part
 * is its own evaluation of the file scope (beside the config and every system file), its files
 * cross to the main thread as plain data (toPortable, a structured clone, fromPortable), and the
 * main thread runs the repo and time rules with the parts' findings (`fileFindings`). Whatever the
 * cut, the findings are those of one evaluation of the whole repo, in the same order, and every
 * file placed as the thread that parsed it placed it.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { evaluate } from '../../src/core/engine/evaluate.ts';
import { resolvePolicy } from '../../src/core/engine/policy.ts';
import type { Finding } from '../../src/core/findings.ts';
import { SnapshotBuilder, buildSnapshot, fromPortable, loadFile, roleOf, toPortable, type LoadedFile, type RepoFile } from '../../src/core/model/snapshot.ts';
import { MAX_FILE_BYTES, type YamlPath } from '../../src/core/model/yaml-file.ts';
import { builtinRegistry, validateSnapshot } from '../../src/core/validate.ts';
import { loadBuiltinPacks } from '../../src/adapters/fs/packs.ts';
import { CONFIG, SYSTEMS, TODAY, y } from '../support/access-repo-fixtures.ts';
import { KEY_TOKEN, SECRET_ROLE, yamlString } from '../support/hostile.ts';

const BAD_INPUT = join(import.meta.dirname, '..', 'fixtures', 'bad-input');

function human(id: string, entry = '', extra = ''): string {
  return (
    `identity:\n  id: ${id}\n  kind: human\n  owner: carol\n  github: ${id}\naccess:\n  - system: db\n    role: readonly\n` +
    `    justification: Investigates incidents from production rows\n    expires: 2027-03-31\n${entry}${extra}`
  );
}

/** A repo with findings of every scope, the bad-input corpus, secrets, a BOM and bytes that are not UTF-8. */
function repo(): RepoFile[] {
  const files: Record<string, string | Uint8Array> = {
    'access-ledger.yaml': CONFIG,
    ...SYSTEMS,
    'systems/cache.yaml': y`
      id: cache
      name: Cache
      category: database
      approvers: [dave]
    `,
    'grants/a/alice.yaml': human('alice'),
    'grants/a/expired.yaml': human('expired').replace('2027-03-31', '2026-01-01'),
    'grants/a/expiring.yaml': human('expiring').replace('2027-03-31', '2026-12-01'),
    'grants/a/overdue.yaml': human('overdue', '', 'review:\n  last_reviewed: 2025-01-01\n  reviewer: dave\n'),
    'grants/a/twin.yaml': human('twin'),
    'grants/z/twin.yaml': human('twin'),
    'grants/a/unknown-system.yaml': human('unknown-system').replace('system: db', 'system: dbb'),
    'grants/a/waived.yaml': human(
      'waived',
      '',
      'exception:\n  reason: The database is being renamed this week\n  compensating_controls: [session-logging]\n  expires: 2026-12-20\n  rules: [system-known]\n',
    ).replace('system: db', 'system: dbb'),
    'grants/b/secret-role.yaml': human('secret-role').replace('role: readonly', `role: ${yamlString(SECRET_ROLE)}`),
    'grants/b/secret-key.yaml': human('secret-key').replace('  kind: human\n', `  kind: human\n  ${KEY_TOKEN}: pasted\n`),
    'grants/b/secret-mistyped.yaml': human('secret-mistyped').replace('  kind: human\n', `  kind: human\n  tokn: ${yamlString(SECRET_ROLE)}\n`),
    'grants/b/bom.yaml': `\ufeff${human('bom')}`,
    'grants/b/crlf.yaml': human('crlf').replace(/\n/g, '\r\n'),
    'grants/b/latin1.yaml': Buffer.concat([Buffer.from(human('latin1')), Buffer.from([0xe9, 0x0a])]),
    'grants/b/too-large.yaml': `${human('too-large')}# ${'x'.repeat(MAX_FILE_BYTES)}\n`,
    'Grants/upper.yaml': human('upper'),
  };
  for (const name of readdirSync(BAD_INPUT)) if (name.endsWith('.yaml')) files[`grants/bad/${name}`] = readFileSync(join(BAD_INPUT, name));
  return Object.entries(files).map(([path, content]) => ({ path, content }));
}

/** Where the rules look: every path a finding may point at in these files, keys too. */
const PLACES: [YamlPath, boolean][] = [
  [[], false],
  [['identity'], true],
  [['identity', 'id'], false],
  [['identity', 'kind'], true],
  [['identity', 'owner'], false],
  [['access', 0, 'system'], false],
  [['access', 0, 'expires'], false],
  [['access', 1, 'role'], false],
  [['review', 'last_reviewed'], false],
  [['exception', 'rules', 0], false],
  [['no', 'such', 'key'], false],
];

/** A file as the main thread receives it from a worker. */
const handedOver = (file: LoadedFile<unknown>): LoadedFile<unknown> => fromPortable(structuredClone(toPortable(file)));

/** The whole repo judged in `parts` (paths of grant files), each part beside the config and every system. */
function inParts(files: RepoFile[], cut: (grants: string[]) => string[][], changed?: ReadonlySet<string>): Finding[] {
  const context = files.filter((f) => roleOf(f.path) !== 'grant');
  const grants = files.filter((f) => roleOf(f.path) === 'grant');
  const byPath = new Map(grants.map((f) => [f.path, f]));
  const packs = loadBuiltinPacks();
  const parts = cut(grants.map((f) => f.path).sort());
  parts[0] = [...context.map((f) => f.path), ...(parts[0] ?? [])];
  const main = new SnapshotBuilder();
  const fileFindings: Finding[] = [];
  for (const part of parts) {
    // On the worker: the context parsed again, the part's files, the file scope for the part alone.
    const worker = new SnapshotBuilder();
    const loadedContext = new Map(context.map((f) => [f.path, loadFile(f, roleOf(f.path) as 'config' | 'system')]));
    for (const f of loadedContext.values()) worker.addLoaded(f);
    const loaded = part.map((path) => loadedContext.get(path) ?? loadFile(byPath.get(path)!, 'grant'));
    for (const f of loaded) if (!loadedContext.has(f.path)) worker.addLoaded(f);
    const snapshot = worker.finish();
    const { policy } = resolvePolicy(snapshot.config, packs, builtinRegistry());
    const judged = evaluate({
      snapshot,
      policy,
      registry: builtinRegistry(),
      today: TODAY,
      scopes: ['file'],
      changed: new Set(part.filter((p) => !changed || changed.has(p))),
    });
    fileFindings.push(...structuredClone(judged));
    for (const f of loaded) main.addLoaded(handedOver(f));
  }
  return validateSnapshot(main.finish(), { packs, today: TODAY, fileFindings, ...(changed ? { changed, scopes: ['file', 'repo'] } : {}) }).findings;
}

const CUTS: [string, (grants: string[]) => string[][]][] = [
  ['one part', (g) => [g]],
  ['two halves', (g) => [g.slice(0, g.length >> 1), g.slice(g.length >> 1)]],
  ['a part per file', (g) => g.map((p) => [p])],
  ['the context alone first, then the rest', (g) => [[], g]],
  ['interleaved, out of order', (g) => [g.filter((_, i) => i % 3 === 2), g.filter((_, i) => i % 3 === 0), g.filter((_, i) => i % 3 === 1)]],
];

describe('the file scope judged in parts', () => {
  const files = repo();
  const whole = validateSnapshot(buildSnapshot(files), { packs: loadBuiltinPacks(), today: TODAY }).findings;

  it('the repo has findings of every scope, and a rule another covers stays silent', () => {
    const scopes = new Set(whole.map((f) => builtinRegistry().get(f.rule)?.meta.scope));
    expect(scopes).toEqual(new Set(['file', 'repo', 'time']));
    expect(whole).toContainEqual(expect.objectContaining({ rule: 'expiry-in-future', file: 'grants/a/expired.yaml' }));
    expect(whole.filter((f) => f.rule === 'expired')).toEqual([]);
    expect(whole).toContainEqual(expect.objectContaining({ rule: 'system-known', file: 'grants/a/waived.yaml', severity: 'warning' }));
    expect(whole).toContainEqual(expect.objectContaining({ rule: 'identity-unique', file: 'grants/z/twin.yaml' }));
  });

  it.each(CUTS)('%s: the findings of one evaluation, in its order', (_, cut) => {
    expect(JSON.stringify(inParts(files, cut))).toBe(JSON.stringify(whole));
  });

  it.each(CUTS)('%s, judging only a change: the findings of one evaluation of the change', (_, cut) => {
    const changed = new Set(['grants/a/twin.yaml', 'grants/b/secret-mistyped.yaml', 'grants/bad/duplicate-keys.yaml', 'systems/cache.yaml']);
    const one = validateSnapshot(buildSnapshot(files), { packs: loadBuiltinPacks(), today: TODAY, changed, scopes: ['file', 'repo'] }).findings;
    expect(new Set(one.map((f) => f.file))).toEqual(changed);
    expect(JSON.stringify(inParts(files, cut, changed))).toBe(JSON.stringify(one));
  });

  it('a file handed over to another thread is the file its parser gave: data, problems, text and every position', () => {
    for (const file of files) {
      const role = roleOf(file.path) as 'config' | 'system' | 'grant';
      const original = loadFile(file, role);
      const again = handedOver(loadFile(file, role));
      expect(again.path).toBe(original.path);
      expect(again.data).toEqual(original.data);
      expect(again.data === undefined).toBe(original.data === undefined);
      expect(again.problems).toEqual(original.problems);
      expect(again.source.problems).toEqual(original.source.problems);
      expect(again.source.value).toEqual(original.source.value);
      expect(again.source.text).toBe(original.source.text);
      for (const [path, key] of PLACES)
        expect([file.path, path, key, again.source.locate(path, key)]).toEqual([file.path, path, key, original.source.locate(path, key)]);
    }
  });
});
