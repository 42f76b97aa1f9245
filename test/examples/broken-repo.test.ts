/**
 * examples/broken-repo breaks each rule once; the `# expect: <rule>` comment on the offending
 * line is the expectation. The CLI must report exactly those findings, no more, no fewer.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Finding, FindingSummary } from '../../src/core/findings.ts';
import { BUILTIN_RULES } from '../../src/core/rules/index.ts';
import { ROOT, expectationsIn, key, runCli, type CliRun } from './run-cli.ts';

const DIR = join(ROOT, 'examples', 'broken-repo');
const TODAY = '2026-11-26';
/** Rules a folder alone cannot show: tested in test/rules/ with facts and a base snapshot. */
const NOT_IN_FOLDER = new Set(['expired', 'owner-left-org', 'mass-removal']);

const expected = expectationsIn(DIR);
let run: CliRun;
let report: { findings: Finding[]; summary: FindingSummary };

beforeAll(async () => {
  run = await runCli(['validate', 'examples/broken-repo', '--format', 'json', '--today', TODAY]);
  report = JSON.parse(run.stdout) as typeof report;
});

describe('validate examples/broken-repo', () => {
  it('exits 1 with a JSON report and nothing on stderr', () => {
    expect(run.stderr).toBe('');
    expect(run.code).toBe(1);
    expect(report.summary.errors).toBeGreaterThan(0);
  });

  it('marks a violation of every file, repo and time rule the folder can show', () => {
    const marked = new Set(expected.map((e) => e.rule));
    const showable = BUILTIN_RULES.filter((r) => ['file', 'repo', 'time'].includes(r.meta.scope) && !NOT_IN_FOLDER.has(r.meta.id)).map((r) => r.meta.id);
    expect(showable.length).toBeGreaterThanOrEqual(21);
    expect(showable.filter((id) => !marked.has(id))).toEqual([]);
  });

  it.each(expected.map((e) => [key(e), e] as const))('reports %s', (_, e) => {
    const atLine = report.findings.filter((f) => f.file === e.file && f.line === e.line);
    expect(
      atLine.map((f) => f.rule),
      `findings at ${e.file}:${e.line}`,
    ).toContain(e.rule);
  });

  it('reports nothing that is not marked (one violation per mark)', () => {
    expect(report.findings.map(key).sort()).toEqual(expected.map(key).sort());
  });

  it('gives every finding a column, controls, a message that says what to do, and the pack severity', () => {
    const warnings = new Set(['prefer-federated-credentials', 'system-evidence-sources', 'expiring-soon', 'review-overdue', 'rotation-overdue']);
    for (const f of report.findings) {
      expect(f.column, key(f)).toBeGreaterThanOrEqual(1);
      expect(f.controls.length, key(f)).toBeGreaterThan(0);
      expect(f.message, key(f)).toMatch(/:/); // "what is wrong: what to do"
      expect(f.severity, key(f)).toBe(warnings.has(f.rule) ? 'warning' : 'error');
    }
    expect(report.summary).toMatchObject({
      errors: report.findings.filter((f) => f.severity === 'error').length,
      warnings: report.findings.filter((f) => f.severity === 'warning').length,
    });
  });

  it('README lists every expectation with its file and line', () => {
    const readme = readFileSync(join(DIR, 'README.md'), 'utf8');
    const rows = [...readme.matchAll(/^\| `([a-z-]+)` \| ([^ |:]+):(\d+) \|/gm)].map((m) => key({ rule: m[1]!, file: m[2]!, line: Number(m[3]) }));
    expect(rows.sort()).toEqual(expected.map(key).sort());
    expect(readme).toContain(`${report.summary.errors} errors, ${report.summary.warnings} warnings`);
  });

  it('prints file:line:col per finding in the text format', async () => {
    const text = await runCli(['validate', 'examples/broken-repo', '--today', TODAY]);
    expect(text.code).toBe(1);
    const schema = report.findings.find((f) => f.rule === 'schema')!;
    expect(text.stdout).toContain(schema.file);
    expect(text.stdout).toMatch(new RegExp(`^\\s+${schema.line}:${schema.column}\\s+error\\s+unknown key \`justfication\``, 'm'));
    expect(text.stdout).toContain('did you mean `justification`?');
  });
});
