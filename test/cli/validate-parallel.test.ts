/**
 * `access-ledger validate` on worker threads (src/adapters/fs/judge-repo.ts) gives the report one
 * thread gives, byte for byte, in every format: run as a process on a repo of two parts (this
 * thread judges the first, the worker the second) whose files break rules of every scope, attack
 * the YAML parser, hold secrets and a byte-order mark, in both parts and across them. A worker
 * that throws, stops, hands back nothing or runs out of memory fails the command: exit 2, a
 * message, no report.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RuleRegistry } from '../../src/core/rules/index.ts';
import { CONFIG, SYSTEMS, TODAY, grant, y } from '../gate/scenario.ts';
import { KEY_TOKEN, SECRET_ROLE, expectNoSecret, yamlString } from '../support/hostile.ts';
import { BIN, ROOT } from './run-cli.ts';

const FAULTS = join(ROOT, 'test/cli/worker-faults.mjs');
/** Enough valid grants that the repo is cut into two parts (a thousand grant files each). */
const FILLER = 1150;

function hostile(p: string): Record<string, string | Uint8Array> {
  const g = `grants/${p}`;
  const bomb = ['a: &a ["x","x","x","x","x","x","x","x","x"]'];
  for (let i = 1; i < 9; i++)
    bomb.push(
      `${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(9)
        .fill(`*${String.fromCharCode(96 + i)}`)
        .join(',')}]`,
    );
  return {
    // Every scope: file rules, a repo rule across the two parts, time rules.
    [`${g}/expired.yaml`]: grant('expired', [{ expires: '2026-01-01' }]),
    [`${g}/expiring.yaml`]: grant('expiring', [{ expires: '2026-12-01' }]),
    [`${g}/overdue.yaml`]: grant('overdue', [{}], { extra: 'review:\n  last_reviewed: 2025-01-01\n  reviewer: dave\n' }),
    [`${g}/unexplained.yaml`]: grant('unexplained').replace(/ {4}justification: .*\n/, ''),
    [`${g}/unknown-system.yaml`]: grant('unknown-system', [{ system: 'dbb' }]),
    [`${g}/twin.yaml`]: grant('twin', [{}], { github: `twin-${p}` }),
    [`${g}/waived.yaml`]: grant('waived', [{ system: 'dbb' }], {
      extra:
        'exception:\n  reason: The database is being renamed this week\n  compensating_controls: [session-logging]\n  expires: 2026-12-20\n  rules: [system-known]\n',
    }),
    // Secrets: a value of a valid file, a value under a mistyped key, a key name.
    [`${g}/secret-role.yaml`]: grant('secret-role', [{ role: yamlString(SECRET_ROLE) }]),
    [`${g}/secret-mistyped.yaml`]: grant('secret-mistyped').replace('  kind: human\n', `  kind: human\n  tokn: ${yamlString(SECRET_ROLE)}\n`),
    [`${g}/secret-key.yaml`]: grant('secret-key').replace('  kind: human\n', `  kind: human\n  ${KEY_TOKEN}: pasted\n`),
    // The file itself: a byte-order mark, CRLF, not UTF-8, empty, too large.
    [`${g}/bom.yaml`]: `\ufeff${grant('bom')}`,
    [`${g}/crlf.yaml`]: grant('crlf').replace(/\n/g, '\r\n'),
    [`${g}/latin1.yaml`]: Buffer.concat([Buffer.from(grant('latin1').replace('Investigates', 'Investig')), Buffer.from([0xe9, 0x0a])]),
    [`${g}/empty.yaml`]: '# nothing yet\n---\n',
    [`${g}/too-large.yaml`]: `${grant('too-large')}# ${'x'.repeat(1024 * 1024)}\n`,
    // Hostile YAML: an alias bomb, duplicate keys, a huge scalar, deep nesting, tabs, two documents,
    // a prototype key, a merge key, an alias without its anchor, a syntax error.
    [`${g}/bomb.yaml`]: `${bomb.join('\n')}\n`,
    [`${g}/duplicate-keys.yaml`]: grant('duplicate-keys').replace('  kind: human\n', '  kind: human\n  kind: bot\n'),
    [`${g}/huge-scalar.yaml`]: grant('huge-scalar', [{ justification: 'ab'.repeat(450_000) }]),
    [`${g}/deep.yaml`]: `identity: ${'['.repeat(200)}${']'.repeat(200)}\n`,
    [`${g}/deep-block.yaml`]: `${Array.from({ length: 40 }, (_, i) => `${'  '.repeat(i)}k${i}:`).join('\n')} x\n`,
    [`${g}/tabs.yaml`]: grant('tabs').replace('  kind: human', '\tkind: human'),
    [`${g}/two-documents.yaml`]: `${grant('two-documents')}---\n${grant('two-documents')}`,
    [`${g}/proto.yaml`]: grant('proto').replace('  kind: human\n', '  kind: human\n  __proto__: { polluted: true }\n'),
    [`${g}/merge-key.yaml`]: y`
      defaults: &d { system: db, role: readonly, justification: Investigates incidents from production rows, expires: 2027-03-31 }
      identity:
        id: merge-key
        kind: human
        owner: carol
        github: merge-key
      access:
        - <<: *d
    `,
    [`${g}/dangling-alias.yaml`]: grant('dangling-alias').replace('owner: carol', 'owner: *nobody'),
    [`${g}/syntax.yaml`]: grant('syntax').replace('access:\n', 'access: [\n'),
  };
}

function writeRepo(dir: string): void {
  const files: Record<string, string | Uint8Array> = {
    'access-ledger.yaml': CONFIG,
    ...SYSTEMS,
    'systems/cache.yaml': y`
      id: cache
      name: Cache
      category: database
      approvers: [dave]
    `,
    // A folder a case-insensitive file system would read as grants/ (first in the first part).
    'Grants/upper.yaml': grant('upper'),
    ...hostile('aa'),
    ...hostile('zz'),
  };
  for (let i = 0; i < FILLER; i++) {
    const id = `u-${String(i).padStart(4, '0')}`;
    files[`grants/mm/${id}.yaml`] = grant(id);
  }
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), content);
  }
}

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** `validate` as a process: on one thread or on worker threads, whatever the default threshold. */
function validate(dir: string, args: string[], options: { threads: boolean; fault?: string }): Run {
  const r = spawnSync(process.execPath, [...(options.fault ? ['--import', FAULTS] : []), BIN, 'validate', dir, '--today', TODAY, ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    maxBuffer: 1 << 28,
    env: {
      ...process.env,
      NO_COLOR: '1',
      CI: 'true',
      ACCESS_LEDGER_PARALLEL_FILES: options.threads ? '0' : '1000000',
      ...(options.fault ? { WORKER_FAULT: options.fault } : {}),
    },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'al-parallel-'));
  writeRepo(dir);
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('validate on worker threads', () => {
  it('gives the JSON report one thread gives, with findings of every scope in both parts', () => {
    const one = validate(dir, ['--format', 'json'], { threads: false });
    const many = validate(dir, ['--format', 'json'], { threads: true });
    expect(many.stderr).toBe('');
    expect(many.code).toBe(1);
    expect(one.code).toBe(1);
    expect(many.stdout).toBe(one.stdout);
    expectNoSecret(many.stdout);

    // The comparison means something: the report covers every scope, the hostile files of both
    // parts, the repo rule across the parts, the waiver, and no filler file.
    const report = JSON.parse(many.stdout) as { findings: { rule: string; file?: string; severity: string; message: string }[]; summary: { files: number } };
    expect(report.summary.files).toBe(3 + 1 + 1 + 2 * Object.keys(hostile('aa')).length + FILLER);
    const registry = new RuleRegistry();
    expect(new Set(report.findings.map((f) => registry.get(f.rule)?.meta.scope))).toEqual(new Set(['file', 'repo', 'time']));
    for (const p of ['aa', 'zz']) {
      const files = new Set(report.findings.map((f) => f.file).filter((f) => f?.startsWith(`grants/${p}/`)));
      for (const name of Object.keys(hostile(p))) expect(files).toContain(name);
      expect(report.findings).toContainEqual(expect.objectContaining({ rule: 'identity-unique', file: `grants/${p}/twin.yaml` }));
      expect(report.findings).toContainEqual(expect.objectContaining({ rule: 'system-known', file: `grants/${p}/waived.yaml`, severity: 'warning' }));
      expect(report.findings).toContainEqual(expect.objectContaining({ rule: 'no-secrets', file: `grants/${p}/secret-mistyped.yaml` }));
      expect(report.findings).toContainEqual(expect.objectContaining({ rule: 'schema', file: `grants/${p}/bom.yaml` }));
      expect(report.findings).toContainEqual(expect.objectContaining({ rule: 'expiry-in-future', file: `grants/${p}/expired.yaml` }));
      expect(report.findings.filter((f) => f.rule === 'expired')).toEqual([]);
    }
    expect(report.findings.filter((f) => f.file?.startsWith('grants/mm/'))).toEqual([]);
    expect(report.findings).toContainEqual(expect.objectContaining({ rule: 'system-owner-required', file: 'systems/cache.yaml' }));
  });

  it('gives the SARIF and the text reports one thread gives', () => {
    for (const format of ['sarif', 'text']) {
      const one = validate(dir, ['--format', format, '--fail-on', 'warning'], { threads: false });
      const many = validate(dir, ['--format', format, '--fail-on', 'warning'], { threads: true });
      expect(many.stderr).toBe('');
      expect(many.code).toBe(one.code);
      expect(many.stdout).toBe(one.stdout);
      expect(many.stdout.length).toBeGreaterThan(10_000);
    }
  });

  it('judges only the change under --changed-since as one thread does, the repo rules still across the whole repo', () => {
    const git = (...args: string[]) =>
      execFileSync('git', args, {
        cwd: dir,
        env: { ...process.env, GIT_AUTHOR_NAME: 'T', GIT_AUTHOR_EMAIL: 't@example.com', GIT_COMMITTER_NAME: 'T', GIT_COMMITTER_EMAIL: 't@example.com' },
      });
    git('init', '-q', '-b', 'main');
    git('add', '-A');
    git('commit', '-qm', 'the repo');
    // Changed in both parts: a filler grant loses its justification, another duplicates a hostile
    // file's identity, a new file is added at the end.
    writeFileSync(join(dir, 'grants/mm/u-0003.yaml'), grant('u-0003').replace(/ {4}justification: .*\n/, ''));
    writeFileSync(join(dir, 'grants/mm/u-1100.yaml'), grant('expiring', [{ expires: '2026-12-01' }]));
    writeFileSync(join(dir, 'grants/zz/new.yaml'), grant('new', [{ system: 'dbb' }]));
    const one = validate(dir, ['--format', 'json', '--changed-since', 'HEAD'], { threads: false });
    const many = validate(dir, ['--format', 'json', '--changed-since', 'HEAD'], { threads: true });
    expect(many.stderr).toBe('');
    expect(many.stdout).toBe(one.stdout);
    const files = new Set((JSON.parse(many.stdout) as { findings: { file?: string }[] }).findings.map((f) => f.file));
    expect(files).toEqual(new Set(['grants/mm/u-0003.yaml', 'grants/mm/u-1100.yaml', 'grants/zz/new.yaml']));
  });

  it.each([
    ['throws', 'throw', /could not read and judge every file of .* on worker threads \(the disk went away\), so it gives no report/],
    ['stops', 'exit', /on worker threads \(a worker thread stopped with exit code 70\)/],
    ['hands back nothing', 'silent', /on worker threads \(part 2 of 2, \d+ files, was not handed back\)/],
    ['runs out of memory', 'oom', /on worker threads \(a worker thread ran out of memory\)/],
  ])('fails loudly when a worker %s: exit 2, a message naming the way out, no report', (_, fault, message) => {
    const r = validate(dir, ['--format', 'json'], { threads: true, fault });
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(message);
    expect(r.stderr).toMatch(/validate on one thread: ACCESS_LEDGER_PARALLEL_FILES=\d+\n$/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('refuses a threshold that is not a number of files', () => {
    const r = spawnSync(process.execPath, [BIN, 'validate', dir], { encoding: 'utf8', env: { ...process.env, ACCESS_LEDGER_PARALLEL_FILES: 'many' } });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/ACCESS_LEDGER_PARALLEL_FILES must be a number of files, not many/);
  });
});
