/** How the packs, the repo config and exceptions shape what the rules report. */
import { describe, expect, it } from 'vitest';
import { CONFIG, checkCase, human, run, type Case } from './harness.ts';

const short = human().replace('justification: Investigates incidents from production rows', 'justification: needed');
const config = (rules: string) => CONFIG + 'rules:\n' + rules;

describe('repo config overrides (access-ledger.yaml rules:)', () => {
  const cases: (Case & { rule: string })[] = [
    { rule: 'justification-required', name: 'the baseline severity', grant: short, expect: [[10, 'too short', 'error']] },
    {
      rule: 'justification-required',
      name: 'severity as a bare word',
      grant: short,
      options: { config: config('  justification-required: warning\n') },
      expect: [[10, 'too short', 'warning']],
    },
    {
      rule: 'justification-required',
      name: 'severity in a setting',
      grant: short,
      options: { config: config('  justification-required: { severity: warning }\n') },
      expect: [[10, 'too short', 'warning']],
    },
    { rule: 'justification-required', name: 'turned off', grant: short, options: { config: config('  justification-required: "off"\n') }, expect: [] },
    {
      rule: 'justification-required',
      name: 'options alone keep the pack severity',
      grant: short,
      options: { config: config('  justification-required: { options: { min_length: 20 } }\n') },
      expect: [[10, '(6 characters, at least 20)', 'error']],
    },
    {
      rule: 'expiring-soon',
      name: 'a warning rule raised to error',
      grant: human({ expires: '2026-12-01' }),
      options: { config: config('  expiring-soon: error\n') },
      expect: [[11, 'in 5 days', 'error']],
    },
  ];
  it.each(cases)('$name', (c) => void checkCase(c.rule, c));
});

describe('config problems are schema findings on access-ledger.yaml', () => {
  it.each([
    {
      name: 'an unknown rule id, at its key',
      config: config('  justification-requried: warning\n'),
      expect: {
        line: 6,
        column: 3,
        message: 'unknown rule `justification-requried`: did you mean `justification-required`? (the rule ids are in docs/rules.md)',
      },
    },
    {
      name: 'invalid options, at the rule',
      config: config('  expiry-max-days: { options: { human: "a year" } }\n'),
      expect: { line: 6, column: 3, message: 'options of rule `expiry-max-days` are invalid (/human must be integer): see docs/rules.md#expiry-max-days' },
    },
    {
      name: 'an unknown option, at the rule',
      config: config('  no-secrets: { options: { min_entropie: 3 } }\n'),
      expect: { line: 6, column: 3, message: 'options of rule `no-secrets` are invalid' },
    },
    {
      name: 'an unknown pack, at extends',
      config: CONFIG.replace('soc2-baseline', 'soc3'),
      expect: { line: 3, column: 10, message: 'unknown pack `soc3`: use one of' },
    },
    {
      name: 'a typo in a config key',
      config: CONFIG + 'stale: { expiring_within_day: 30 }\n',
      expect: { line: 5, column: 10, message: 'unknown key `expiring_within_day` under stale: did you mean `expiring_within_days`?' },
    },
  ])('$name', ({ config: text, expect: e }) => {
    const findings = run({ 'grants/people/alice.yaml': human() }, { config: text }).filter((f) => f.file === 'access-ledger.yaml');
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ rule: 'schema', severity: 'error', line: e.line, column: e.column });
    expect(findings[0]!.message).toContain(e.message);
  });

  it('no access-ledger.yaml at all', () => {
    const findings = run({ 'grants/people/alice.yaml': human() }, { config: null });
    expect(findings.map((f) => [f.rule, f.file, f.line, f.message])).toEqual([
      ['schema', 'access-ledger.yaml', 1, 'there is no access-ledger.yaml at the root: create one (`access-ledger init` writes a starting point)'],
    ]);
  });

  it('access-ledger.yml is accepted, and extends defaults to soc2-baseline', () => {
    expect(run({ 'grants/people/alice.yaml': short, 'access-ledger.yml': 'version: 1\n' }, { config: null }).map((f) => [f.rule, f.severity])).toEqual([
      ['justification-required', 'error'],
    ]);
  });
});

describe('the strict pack', () => {
  const strict = CONFIG.replace('soc2-baseline', 'strict');
  const DB =
    'id: db\nname: DB\ncategory: database\nowner: carol\napprovers: [dave]\nevidence: { provisioning: terraform, activity: pgaudit, review: role report }\n';

  it('tightens windows and severities of the baseline it extends', () => {
    const grant = human({ expires: '2027-06-30' }).replace('justification: Investigates incidents from production rows', 'justification: Reads the orders db');
    const findings = run({ 'grants/people/alice.yaml': grant }, { config: strict, systems: { 'systems/db.yaml': DB } });
    expect(findings.map((f) => [f.rule, f.severity, f.line])).toEqual([
      ['justification-required', 'error', 10],
      ['expiry-max-days', 'error', 11],
    ]);
  });

  it('a repo config may loosen a strict option again (the gate asks the admins to approve that)', () => {
    const grant = human({ expires: '2027-06-30' });
    const findings = run(
      { 'grants/people/alice.yaml': grant },
      { config: strict + 'rules:\n  expiry-max-days: { options: { human: 365 } }\n', systems: { 'systems/db.yaml': DB } },
    );
    expect(findings).toEqual([]);
  });
});

describe('exceptions waive rules for their own file while in force', () => {
  const exception = (rules: string, expires = '2027-01-31') =>
    `exception:\n  reason: Waiting for the identity provider migration\n  compensating_controls: [weekly-log-review]\n  expires: ${expires}\n  rules: [${rules}]\n`;

  it('a waived finding stays visible as a warning that names the exception', () => {
    const findings = run({ 'grants/people/alice.yaml': short + exception('justification-required') });
    expect(findings.map((f) => [f.rule, f.severity, f.line, f.message])).toEqual([
      ['justification-required', 'warning', 10, expect.stringContaining('too short to judge') as unknown as string],
    ]);
    expect(findings[0]!.message).toMatch(/\(waived by the exception in this file until 2027-01-31\)$/);
  });

  it('only the rules it names', () => {
    const grant =
      human({ expires: '2026-12-01' }).replace('justification: Investigates incidents from production rows', 'justification: needed') +
      exception('expiring-soon');
    const findings = run({ 'grants/people/alice.yaml': grant });
    expect(findings.map((f) => [f.rule, f.severity])).toEqual([
      ['justification-required', 'error'],
      ['expiring-soon', 'warning'],
    ]);
    expect(findings[1]!.message).toContain('waived by the exception');
  });

  it('only in its own file', () => {
    const findings = run({ 'grants/people/alice.yaml': short + exception('justification-required'), 'grants/people/bob.yaml': short.replace(/alice/g, 'bob') });
    expect(findings.map((f) => [f.file, f.severity])).toEqual([
      ['grants/people/alice.yaml', 'warning'],
      ['grants/people/bob.yaml', 'error'],
    ]);
  });

  it('not once it has expired (and the expiry itself is reported)', () => {
    const findings = run({ 'grants/people/alice.yaml': short + exception('justification-required', '2026-11-25') });
    expect(findings.map((f) => [f.rule, f.severity])).toEqual([
      ['justification-required', 'error'],
      ['expiry-in-future', 'error'],
    ]);
  });

  it('on its expiry day it still applies', () => {
    const findings = run({ 'grants/people/alice.yaml': short + exception('justification-required', '2026-11-26') });
    expect(findings.map((f) => [f.rule, f.severity])).toEqual([['justification-required', 'warning']]);
  });

  it.each(['no-secrets', 'expiry-in-future', 'exception-governed'])('never %s', (rule) => {
    const grants: Record<string, string> = {
      'no-secrets': human().replace(
        'justification: Investigates incidents from production rows',
        `justification: "rows, key ${['AK', 'IA'].join('')}Q4JQ7XAMPLEZ5W2M"`,
      ),
      'expiry-in-future': human({ expires: '2026-11-01' }),
      'exception-governed': human(),
    };
    const exc = rule === 'exception-governed' ? exception('no-such-rule, exception-governed') : exception(rule);
    const findings = run({ 'grants/people/alice.yaml': grants[rule]! + exc }).filter((f) => f.rule === rule);
    expect(findings.length).toBeGreaterThan(0);
    for (const f of findings) {
      expect(f.severity).toBe('error');
      expect(f.message).not.toContain('waived');
    }
  });
});
