/** `validate --format sarif` produces a SARIF 2.1.0 document that code scanning accepts. */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Finding } from '../../src/core/findings.ts';
import { builtinRegistry } from '../../src/core/validate.ts';
import { FINGERPRINT_KEY, MAX_RESULTS, securitySeverity, toSarif } from '../../src/core/report/sarif.ts';
import { githubIngestionProblems, sarifSchemaValidator as sarifValidator } from '../support/sarif.ts';
import { ROOT, runCli, type CliRun } from './run-cli.ts';

interface SarifRule {
  id: string;
  shortDescription: { text: string };
  fullDescription: { text: string };
  help: { text: string; markdown: string };
  helpUri: string;
  defaultConfiguration: { level: string };
  properties: { tags: string[]; precision: string; 'security-severity': string };
}

interface SarifResult {
  ruleId: string;
  ruleIndex?: number;
  level: string;
  message: { text: string };
  locations: { physicalLocation: { artifactLocation: { uri: string }; region: { startLine: number; startColumn: number } } }[];
  partialFingerprints: Record<string, string>;
}

interface SarifLog {
  version: string;
  runs: {
    tool: { driver: { rules: SarifRule[] } };
    automationDetails: { id: string };
    invocations?: { executionSuccessful: boolean; toolExecutionNotifications: { level: string; message: { text: string } }[] }[];
    results: SarifResult[];
  }[];
}

let sarif: CliRun;
let log: SarifLog;
let findings: Finding[];

beforeAll(async () => {
  sarif = await runCli(['validate', 'examples/broken-repo', '--format', 'sarif', '--today', '2026-11-26']);
  log = JSON.parse(sarif.stdout) as SarifLog;
  const json = await runCli(['validate', 'examples/broken-repo', '--format', 'json', '--today', '2026-11-26']);
  findings = (JSON.parse(json.stdout) as { findings: Finding[] }).findings;
});

describe('validate --format sarif', () => {
  it('exits 1 on the broken repo, like the other formats', () => {
    expect(sarif.stderr).toBe('');
    expect(sarif.code).toBe(1);
  });

  it('validates against the SARIF 2.1.0 schema', () => {
    const validate = sarifValidator();
    const ok = validate(log);
    expect(validate.errors ?? []).toEqual([]);
    expect(ok).toBe(true);
    expect(log.version).toBe('2.1.0');
  });

  it('the schema check can fail: a result without a message is rejected', () => {
    const validate = sarifValidator();
    const broken = structuredClone(log) as unknown as { runs: { results: Record<string, unknown>[] }[] };
    delete broken.runs[0]!.results[0]!.message;
    expect(validate(broken)).toBe(false);
  });

  it('carries one result per finding, at the same file, line and column, pointing at its rule', () => {
    const run = log.runs[0]!;
    expect(run.results).toHaveLength(findings.length);
    run.results.forEach((r, i) => {
      const f = findings[i]!;
      const loc = r.locations[0]!.physicalLocation;
      expect([r.ruleId, loc.artifactLocation.uri, loc.region.startLine, loc.region.startColumn, r.level]).toEqual([
        f.rule,
        f.file,
        f.line,
        f.column,
        f.severity,
      ]);
      expect(run.tool.driver.rules[r.ruleIndex!]!.id).toBe(r.ruleId);
    });
  });

  it('tags each rule with its control identifiers', () => {
    const rules = log.runs[0]!.tool.driver.rules;
    const expiry = rules.find((r) => r.id === 'expiry-max-days')!;
    expect(expiry.properties.tags).toContain('SOC2:CC6.3');
    expect(rules.every((r) => r.properties.tags.length > 1)).toBe(true);
  });
});

describe('what GitHub code scanning needs beyond the schema', () => {
  const dirs: string[] = [];
  afterAll(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });
  const fingerprints = (l: SarifLog) => l.runs[0]!.results.map((r) => r.partialFingerprints[FINGERPRINT_KEY]!);

  it('meets every documented ingestion requirement and limit', () => {
    expect(githubIngestionProblems(sarif.stdout)).toEqual([]);
  });

  it('the ingestion check can fail: a result without fingerprints, a rule with 21 tags, an absolute path', () => {
    const broken = structuredClone(log);
    const run = broken.runs[0]!;
    delete (run.results[0] as Partial<SarifResult>).partialFingerprints;
    run.tool.driver.rules[0]!.properties.tags = Array.from({ length: 21 }, (_, i) => `t${i}`);
    run.results[1]!.locations[0]!.physicalLocation.artifactLocation.uri = '/home/runner/work/grants/a.yaml';
    const problems = githubIngestionProblems(JSON.stringify(broken));
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/result 0: no partialFingerprints/),
        expect.stringMatching(/21 tags/),
        expect.stringMatching(/result 1: artifactLocation.uri \/home\/runner\/.* is not a path relative/),
        expect.stringMatching(/security-severity without the security tag/),
      ]),
    );
  });

  it('names its category: the CLI and the gate are separate analyses', () => {
    expect(log.runs[0]!.automationDetails).toEqual({ id: 'access-ledger/validate/' });
    const gate = toSarif([], builtinRegistry().rules.values(), '0.1.0', { category: 'access-ledger/gate/' }) as SarifLog;
    expect(gate.runs[0]!.automationDetails).toEqual({ id: 'access-ledger/gate/' });
  });

  it('gives every result a fingerprint of its own', () => {
    const fp = fingerprints(log);
    expect(fp.every((f) => /^[0-9a-f]{32}:\d+$/.test(f))).toBe(true);
    expect(new Set(fp).size).toBe(fp.length);
  });

  it('keeps each fingerprint when lines move and days pass, and changes it for another identity', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'al-sarif-'));
    dirs.push(dir);
    cpSync(join(ROOT, 'examples/broken-repo'), dir, { recursive: true });
    // Every grant file gains two comment lines at the top: every finding in it moves down two lines.
    const grants = log.runs[0]!.results.map((r) => r.locations[0]!.physicalLocation.artifactLocation.uri).filter((u) => u.startsWith('grants/'));
    for (const file of new Set(grants)) {
      const text = readFileSync(join(dir, file), 'utf8');
      const [first, ...rest] = text.split('\n');
      writeFileSync(join(dir, file), [first, '# moved', '# down', ...rest].join('\n'));
    }
    const later = JSON.parse((await runCli(['validate', dir, '--format', 'sarif', '--today', '2026-11-28'])).stdout) as SarifLog;
    const before = new Map(log.runs[0]!.results.map((r) => [r.partialFingerprints[FINGERPRINT_KEY]!, r]));
    const after = new Map(later.runs[0]!.results.map((r) => [r.partialFingerprints[FINGERPRINT_KEY]!, r]));
    // The same findings (a later day may add time-based ones, e.g. an expiry now due soon)...
    const kept = [...before.keys()].filter((k) => after.has(k));
    const lost = [...before.entries()]
      .filter(([k]) => !after.has(k))
      .map(([, r]) => `${r.ruleId} ${r.locations[0]!.physicalLocation.artifactLocation.uri}: ${r.message.text}`);
    expect(lost).toEqual([]);
    // ...at other lines, under the same fingerprints.
    const moved = kept.filter(
      (k) => before.get(k)!.locations[0]!.physicalLocation.region.startLine !== after.get(k)!.locations[0]!.physicalLocation.region.startLine,
    );
    expect(moved.length).toBeGreaterThan(5);
    // And a finding about another identity is another alert.
    const a = findings.find((f) => f.identity)!;
    const [fa] = fingerprints(toSarif([a], builtinRegistry().rules.values(), '0.1.0') as SarifLog);
    const [fb] = fingerprints(toSarif([{ ...a, identity: `${a.identity}-2` }], builtinRegistry().rules.values(), '0.1.0') as SarifLog);
    expect(fa).not.toBe(fb);
  });

  it('rates each rule for code scanning: secrets critical, privilege high, errors above warnings', () => {
    const rules = log.runs[0]!.tool.driver.rules;
    const score = new Map(rules.map((r) => [r.id, Number(r.properties['security-severity'])]));
    for (const r of rules) {
      expect(r.properties.tags[0], r.id).toBe('security');
      expect(r.properties['security-severity'], r.id).toMatch(/^\d+\.\d$/);
      expect(r.properties.precision).toBe('very-high');
    }
    expect(score.get('no-secrets')).toBeGreaterThanOrEqual(9);
    expect(Math.max(...score.values())).toBe(score.get('no-secrets'));
    for (const id of ['approvals', 'no-self-approval', 'role-declared', 'shared-account-controls', 'expired', 'owner-left-org'])
      expect(score.get(id), id).toBeGreaterThanOrEqual(7);
    const errors = rules.filter((r) => r.defaultConfiguration.level === 'error').map((r) => score.get(r.id)!);
    const warnings = rules.filter((r) => r.defaultConfiguration.level === 'warning').map((r) => score.get(r.id)!);
    expect(Math.min(...errors)).toBeGreaterThan(Math.max(...warnings));
    // A rule added later without a score gets the default of its severity.
    const rule = builtinRegistry().get('expiring-soon')!;
    expect(securitySeverity({ ...rule, meta: { ...rule.meta, id: 'new-rule' } })).toBe(3);
    expect(securitySeverity({ ...rule, meta: { ...rule.meta, id: 'new-rule', defaultSeverity: 'error' } })).toBe(7);
  });

  it('explains each rule: description, fix and controls, in text and markdown, linked to the release', () => {
    for (const r of log.runs[0]!.tool.driver.rules) {
      const meta = builtinRegistry().get(r.id)!.meta;
      expect(r.fullDescription.text).toBe(meta.description);
      expect(meta.description.startsWith(r.shortDescription.text), r.id).toBe(true);
      for (const part of [meta.description, meta.fix, ...meta.controls]) {
        expect(r.help.text, r.id).toContain(part);
        expect(r.help.markdown, r.id).toContain(part);
      }
      expect(r.help.markdown).toContain('**How to fix:**');
      expect(r.helpUri).toBe(`https://github.com/access-ledger/access-ledger/blob/v0.1.0/docs/rules.md#${r.id}`);
    }
  });

  it(`keeps at most ${MAX_RESULTS} results, the errors first, and says how many were left out`, () => {
    const base = findings.find((f) => f.severity === 'error')!;
    const many: Finding[] = [];
    for (let i = 0; i < 30_000; i++) {
      const error = i % 6 === 0;
      many.push({
        ...base,
        severity: error ? 'error' : 'warning',
        rule: error ? base.rule : 'expiring-soon',
        identity: `id-${i}`,
        file: `grants/people/id-${i}.yaml`,
        message: `finding ${i}`,
      });
    }
    const text = JSON.stringify(toSarif(many, builtinRegistry().rules.values(), '0.1.0'), null, 2);
    const big = JSON.parse(text) as SarifLog;
    const run = big.runs[0]!;
    expect(run.results).toHaveLength(MAX_RESULTS);
    expect(run.results.filter((r) => r.level === 'error')).toHaveLength(5000);
    expect(run.invocations![0]!.toolExecutionNotifications[0]!.message.text).toMatch(
      /^30000 findings, more than the 25000 results code scanning accepts in one run: the 5000 least severe are left out/,
    );
    expect(githubIngestionProblems(text)).toEqual([]);
    const validate = sarifValidator();
    expect(validate(big)).toBe(true);
  });
});
