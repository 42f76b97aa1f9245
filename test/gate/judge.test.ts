/** judgePull beyond approvals: what it evaluates, with which policy, and what it reports. */
import { describe, expect, it } from 'vitest';
import { neededTeamLookups } from '../../src/core/pull/plan.ts';
import { loginsToCheck } from '../../src/core/rules/owner-in-org.ts';
import { CONFIG, SYSTEMS, factsOf, grant, judge, show } from './scenario.ts';

const BOB = 'grants/people/bob.yaml';

describe('judgePull', () => {
  it('passes a PR that touches nothing under grants/, systems/ or the config, saying there is nothing to check', () => {
    const r = judge({ change: { 'README.md': '# Access\n', 'docs/how.md': 'x\n', 'grants/README.md': 'not yaml\n' } });
    expect(r).toMatchObject({ verdict: 'pass', nothingToCheck: true, findings: [], rows: [] });
    expect(r.nextStep).toBe('nothing to check: this pull request changes nothing under grants/, systems/ or the config');
  });

  it('runs the file rules on the changed grants at head, at the offending line, with the base policy', () => {
    // The PR raises the human expiry limit in its own config; the base limit (365 days) still applies.
    const r = judge({
      change: { 'access-ledger.yaml': CONFIG + 'rules:\n  expiry-max-days: { options: { human: 3650 } }\n', [BOB]: grant('bob', [{ expires: '2029-01-01' }]) },
      teams: { '@acme/security': ['sue'] },
      reviews: [
        ['dave', 'APPROVED'],
        ['sue', 'APPROVED'],
      ],
    });
    expect(r.verdict).toBe('fail');
    expect(show(r)).toEqual([expect.stringMatching(/^error expiry-max-days grants\/people\/bob.yaml:10 /)]);
    expect(r.nextStep).toMatch(/^fix grants\/people\/bob.yaml:10: /);
  });

  it('knows the base systems (system-known) and the systems the PR adds', () => {
    const unknown = judge({ change: { [BOB]: grant('bob', [{ system: 'vault' }]) }, reviews: [['dave', 'APPROVED']] });
    expect(show(unknown).filter((f) => f.includes('system-known'))).toEqual([
      expect.stringContaining(`${BOB}:7 system \`vault\` is not defined under systems/`),
    ]);
    const known = judge({ change: { [BOB]: grant('bob') }, reviews: [['dave', 'APPROVED']] });
    expect(show(known)).toEqual([]);
  });

  describe('declared roles: a grant cannot talk a role its system declares privileged down', () => {
    const ROLES = 'roles:\n  superuser: { privileged: true }\n  readonly: {}\n';
    const systems = { ...SYSTEMS, 'systems/db.yaml': SYSTEMS['systems/db.yaml']! + ROLES };

    it('fails `role: superuser, privileged: false` with one approval and a year: two approvals needed, and at the privileged and expires lines', () => {
      const r = judge({
        systems,
        change: { [BOB]: grant('bob', [{ role: 'superuser', privileged: false, expires: '2027-11-01' }]) },
        reviews: [['dave', 'APPROVED']],
      });
      expect(r.verdict).toBe('fail');
      expect(show(r)).toEqual([
        // The declaration, not the file, decides the count: two approvals, as for any privileged entry.
        expect.stringContaining(
          `error approvals ${BOB}:7 access for \`bob\` to db (superuser (privileged), expires 2027-11-01: new entry) needs 1 more approval (2 required) from @acme/dba or dave (approved by dave)`,
        ),
        expect.stringContaining(
          `error role-declared ${BOB}:9 role \`superuser\` on \`db\` is declared privileged in systems/db.yaml, but this entry says privileged: false: write privileged: true`,
        ),
        expect.stringContaining(
          `error expiry-max-days ${BOB}:11 expires 2027-11-01 is 340 days ahead; \`superuser\` is declared privileged in systems/db.yaml, and privileged access may last at most 90 days`,
        ),
      ]);
    });

    it('fails a role the system does not declare', () => {
      const r = judge({ systems, change: { [BOB]: grant('bob', [{ role: 'admin' }]) }, reviews: [['dave', 'APPROVED']] });
      expect(show(r)).toEqual([expect.stringContaining(`error role-declared ${BOB}:8 role \`admin\` is not declared for system \`db\``)]);
    });

    it("a change that declassifies the role in its own systems/ file is still held to the base's privileged window", () => {
      const r = judge({
        systems,
        change: {
          'systems/db.yaml': systems['systems/db.yaml'].replace('superuser: { privileged: true }', 'superuser: {}'),
          [BOB]: grant('bob', [{ role: 'superuser', privileged: false, expires: '2027-11-01' }]),
        },
        teams: { '@acme/security': ['sue'], '@acme/dba': ['erin'] },
        reviews: [
          ['dave', 'APPROVED'],
          ['erin', 'APPROVED'],
          ['sue', 'APPROVED'],
        ],
      });
      expect(r.verdict).toBe('fail');
      expect(show(r)).toEqual([
        expect.stringContaining(
          `error expiry-max-days ${BOB}:11 expires 2027-11-01 is 340 days ahead; \`superuser\` is declared privileged in systems/db.yaml on the base branch`,
        ),
      ]);
    });

    it('passes the privileged role written as privileged, with the privileged count of approvals', () => {
      const r = judge({
        systems,
        change: { [BOB]: grant('bob', [{ role: 'superuser', privileged: true, expires: '2027-01-31' }]) },
        teams: { '@acme/dba': ['erin'] },
        reviews: [
          ['dave', 'APPROVED'],
          ['erin', 'APPROVED'],
        ],
      });
      expect(show(r)).toEqual([]);
      expect(r.verdict).toBe('pass');
      expect(r.approvals).toEqual([expect.objectContaining({ system: 'db', required: 2, missing: 0 })]);
    });
  });

  it('reports problems of a changed system file at its line', () => {
    const r = judge({
      change: { 'systems/db.yaml': SYSTEMS['systems/db.yaml']!.replace(/owner: carol\n/, '') },
      teams: { '@acme/security': ['sue'] },
      reviews: [['sue', 'APPROVED']],
    });
    expect(show(r)).toEqual([expect.stringContaining('system-owner-required systems/db.yaml:')]);
  });

  it('reports an invalid config the PR proposes (unknown pack), while judging with the base one', () => {
    const r = judge({
      change: { 'access-ledger.yaml': CONFIG.replace('soc2-baseline', 'lenient') },
      teams: { '@acme/security': ['sue'] },
      reviews: [['sue', 'APPROVED']],
    });
    expect(show(r)).toEqual([expect.stringContaining('schema access-ledger.yaml:3 unknown pack `lenient`')]);
    expect(r.pack).toBe('soc2-baseline');
  });

  it('judges mass removal by count only, since it never reads the whole repo', () => {
    const grants: Record<string, string> = {};
    const change: Record<string, null> = {};
    for (let i = 0; i < 3; i++) {
      grants[`grants/people/u${i}.yaml`] = grant(`u${i}`, [{ system: 'db' }, { system: 'wiki' }]);
      change[`grants/people/u${i}.yaml`] = null;
    }
    // 6 entries removed out of the 6 the gate can see: 100%, yet far under the 25-entry limit.
    expect(judge({ grants, change })).toMatchObject({ verdict: 'pass', findings: [], removalOnly: true });
    for (let i = 3; i < 14; i++) {
      grants[`grants/people/u${i}.yaml`] = grant(`u${i}`, [{ system: 'db' }, { system: 'wiki' }]);
      change[`grants/people/u${i}.yaml`] = null;
    }
    const many = judge({ grants, change });
    expect(many.verdict).toBe('pass');
    expect(show(many)).toEqual([
      'warning mass-removal : this change removes 28 access entries (14 grant files deleted), over the limit of 25: split it, or confirm it is intended and have the admins approve',
    ]);
  });

  it('fails on warnings when asked to', () => {
    const r = judge(
      {
        change: { 'systems/db.yaml': SYSTEMS['systems/db.yaml']!.replace(/ {2}activity: .*\n/, '') },
        teams: { '@acme/security': ['sue'] },
        reviews: [['sue', 'APPROVED']],
      },
      { failOn: 'warning' },
    );
    expect(r.verdict).toBe('fail');
    expect(r.warnings).toBe(1);
    expect(r.nextStep).toMatch(/^fix systems\/db.yaml:\d+: /);
  });

  it('turning approvals off in the base config leaves rows in the report but no approval findings', () => {
    const r = judge({ config: CONFIG + 'rules:\n  approvals: "off"\n  no-self-approval: "off"\n', change: { [BOB]: grant('bob') } });
    expect(r.verdict).toBe('pass');
    expect(r.rows).toMatchObject([{ identity: 'bob', system: 'db', change: 'adds', required: 1, missing: 1, approvers: '@acme/dba or dave' }]);
    expect(r.nextStep).toBe('passes: the base policy does not require the approvals listed in the report');
  });

  it('reports one row per identity and system, with what is requested, who approved and what is missing', () => {
    const r = judge({
      grants: { [BOB]: grant('bob', [{ system: 'db' }, { system: 'wiki' }]) },
      change: {
        [BOB]: grant('bob', [{ system: 'db', role: 'writer', privileged: true, expires: '2027-01-31' }]),
        'grants/people/cleo.yaml': grant('cleo', [{ system: 'wiki' }]),
      },
      teams: { '@acme/it': ['ivy'], '@acme/dba': ['erin'] },
      reviews: [
        ['dave', 'APPROVED'],
        ['ivy', 'APPROVED'],
      ],
    });
    expect(
      r.rows.map(({ subject, system, change, requested, required, approvedBy, missing, approvers }) => ({
        subject,
        system,
        change,
        requested,
        required,
        approvedBy,
        missing,
        approvers,
      })),
    ).toEqual([
      {
        subject: 'bob',
        system: 'db',
        change: 'widens',
        requested: 'writer (privileged), expires 2027-01-31',
        required: 2,
        approvedBy: ['dave'],
        missing: 1,
        approvers: '@acme/dba or dave',
      },
      { subject: 'bob', system: 'wiki', change: 'removes', requested: 'removes readonly', required: 0, approvedBy: [], missing: 0, approvers: '' },
      {
        subject: 'cleo',
        system: 'wiki',
        change: 'adds',
        requested: 'readonly, expires 2027-03-31',
        required: 1,
        approvedBy: ['ivy'],
        missing: 0,
        approvers: '@acme/it',
      },
    ]);
    expect(r.rows[0]!.controls).toContain('ISO27001:A.8.2');
    expect(r.approvals).toEqual([
      { system: 'db', required: 2, approvedBy: ['dave'], missing: 1, blockedBy: [] },
      { system: 'wiki', required: 1, approvedBy: ['ivy'], missing: 0, blockedBy: [] },
    ]);
    expect(r.nextStep).toBe('needs 1 more approval (2 required) from @acme/dba or dave');
  });
});

describe('the lookups the adapter must make', () => {
  it('asks team membership only for reviewers whose review could count, and not for listed users', () => {
    const facts = factsOf({
      change: { [BOB]: grant('bob', [{ system: 'db' }, { system: 'wiki' }]) },
      commitAuthors: ['alice', 'carl'],
      reviews: [
        ['dave', 'APPROVED'],
        ['erin', 'CHANGES_REQUESTED', 'old'],
        ['bob', 'APPROVED'],
        ['carl', 'APPROVED'],
        ['ci[bot]', 'APPROVED'],
        ['zoe', 'COMMENTED'],
        ['yan', 'DISMISSED'],
      ],
    });
    expect(
      neededTeamLookups(facts)
        .map((p) => `${p.team} ${p.login}`)
        .sort(),
    ).toEqual(['@acme/dba erin', '@acme/it dave', '@acme/it erin']);
  });

  it('asks none for a removal-only PR', () => {
    expect(neededTeamLookups(factsOf({ grants: { [BOB]: grant('bob') }, change: { [BOB]: null }, reviews: [['erin', 'APPROVED']] }))).toEqual([]);
  });

  it("asks the admins' teams when the PR changes governed files", () => {
    expect(neededTeamLookups(factsOf({ change: { 'systems/db.yaml': SYSTEMS['systems/db.yaml']! + '\n' }, reviews: [['sue', 'APPROVED']] }))).toEqual([
      { team: '@acme/security', login: 'sue' },
    ]);
  });

  it('asks organization membership of the owners and grantees of grants that add, widen or change hands', () => {
    const facts = factsOf({
      grants: { 'grants/people/kept.yaml': grant('kept', [{}, { system: 'wiki' }], { owner: 'olga' }) },
      change: { [BOB]: grant('bob', [{}], { owner: 'Olga' }), 'grants/people/kept.yaml': grant('kept', [{}], { owner: 'olga' }) },
    });
    expect(loginsToCheck(facts).map((c) => `${c.file.path} ${c.field} ${c.login}`)).toEqual([`${BOB} owner Olga`, `${BOB} github bob`]);
  });
});
