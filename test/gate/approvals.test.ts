/**
 * The approval engine as a table, in the manner of policy-bot's approval tests: a PR and its
 * reviews in, the verdict, the one-line next step and the pull-request findings out.
 */
import { describe, expect, it } from 'vitest';
import { CONFIG, SYSTEMS, grant, judge, show, y, type Scenario } from './scenario.ts';

const BOB = 'grants/people/bob.yaml';
const PR_RULES = new Set(['approvals', 'no-self-approval', 'owner-in-org']);

interface Case {
  name: string;
  s: Scenario;
  verdict: 'pass' | 'fail';
  /** A fragment of the one-line next step. */
  next?: string;
  /** Findings of the pull-request rules, in order: rule, file:line, fragment. */
  findings?: [rule: string, at: string, fragment: string][];
  /** Other rules whose findings this case expects (any other finding fails the case). */
  alsoFrom?: string[];
}

const addBob = (entries = [{}] as Parameters<typeof grant>[1], opts?: Parameters<typeof grant>[2]): Scenario['change'] => ({
  [BOB]: grant('bob', entries, opts),
});
const dba = { '@acme/dba': ['erin', 'frida'] };
const it_ = { '@acme/it': ['ivy'] };
const security = { '@acme/security': ['sam', 'sue'] };

const cases: Case[] = [
  // ── the basics ────────────────────────────────────────────────────────────────────────────
  {
    name: 'a new grant without any review fails at the access entry',
    s: { change: addBob() },
    verdict: 'fail',
    next: 'needs 1 more approval from @acme/dba or dave',
    findings: [['approvals', `${BOB}:7`, 'access for `bob` to db (readonly, expires 2027-03-31: new entry) needs 1 more approval from @acme/dba or dave']],
  },
  { name: 'approved on the head commit by a listed user', s: { change: addBob(), reviews: [['dave', 'APPROVED']] }, verdict: 'pass', next: 'approved by dave' },
  { name: 'logins compare case-insensitively', s: { change: addBob(), reviews: [['Dave', 'APPROVED']] }, verdict: 'pass' },
  {
    name: 'a stale approval on an older commit does not count',
    s: { change: addBob(), reviews: [['dave', 'APPROVED', 'old']] },
    verdict: 'fail',
    findings: [['approvals', `${BOB}:7`, 'dave approved an older commit and must approve the latest one']],
  },
  {
    name: 'the base config may relax the head-commit requirement',
    s: { change: addBob(), reviews: [['dave', 'APPROVED', 'old']], config: CONFIG + 'rules:\n  approvals: { options: { require_head_sha: false } }\n' },
    verdict: 'pass',
  },
  {
    name: 'a COMMENTED review after an approval leaves the approval standing',
    s: {
      change: addBob(),
      reviews: [
        ['dave', 'APPROVED'],
        ['dave', 'COMMENTED'],
      ],
    },
    verdict: 'pass',
  },
  {
    name: 'an approval later dismissed does not count',
    s: { change: addBob(), reviews: [['dave', 'DISMISSED']] },
    verdict: 'fail',
    next: 'needs 1 more approval from @acme/dba or dave',
  },
  {
    name: 'dismissal of an earlier approval leaves a later one standing',
    s: {
      change: addBob(),
      reviews: [
        ['dave', 'DISMISSED'],
        ['dave', 'APPROVED'],
      ],
    },
    verdict: 'pass',
  },
  {
    name: 'the latest review decides by time, not by list order',
    s: {
      change: addBob(),
      reviews: [
        ['dave', 'APPROVED', 'head', '2026-11-26T12:00:00Z'],
        ['dave', 'CHANGES_REQUESTED', 'head', '2026-11-26T09:00:00Z'],
      ],
    },
    verdict: 'pass',
  },

  // ── who may not approve ───────────────────────────────────────────────────────────────────
  {
    name: 'self-approval: the grantee, though a listed approver, cannot approve their own access',
    s: {
      change: addBob(),
      systems: { ...SYSTEMS, 'systems/db.yaml': SYSTEMS['systems/db.yaml']!.replace('dave]', 'dave, bob]') },
      reviews: [['bob', 'APPROVED']],
    },
    verdict: 'fail',
    next: 'bob cannot approve their own access; needs 1 more approval from @acme/dba or dave',
    findings: [
      ['approvals', `${BOB}:7`, 'needs 1 more approval from @acme/dba or dave'],
      ['no-self-approval', `${BOB}:7`, 'bob cannot approve their own access: their approval does not count (ask @acme/dba or dave)'],
    ],
  },
  {
    name: 'self-approval is ignored, not fatal, once an eligible approver has approved',
    s: {
      change: addBob(),
      systems: { ...SYSTEMS, 'systems/db.yaml': SYSTEMS['systems/db.yaml']!.replace('dave]', 'dave, bob]') },
      reviews: [
        ['bob', 'APPROVED'],
        ['dave', 'APPROVED'],
      ],
    },
    verdict: 'pass',
  },
  {
    name: 'the grantee as a member of a listed team cannot approve either',
    s: { change: addBob(), teams: { '@acme/dba': ['bob'] }, reviews: [['bob', 'APPROVED']] },
    verdict: 'fail',
    next: 'bob cannot approve their own access',
  },
  {
    name: 'the PR author cannot approve it',
    s: { change: addBob(), author: 'dave', commitAuthors: ['dave'], reviews: [['dave', 'APPROVED']] },
    verdict: 'fail',
    next: 'dave opened this pull request and cannot approve it; needs 1 more approval from @acme/dba',
    findings: [
      ['approvals', `${BOB}:7`, 'needs 1 more approval from @acme/dba'],
      ['no-self-approval', `${BOB}:7`, 'dave opened this pull request and cannot approve it'],
    ],
  },
  {
    name: 'a co-author of a commit cannot approve',
    s: { change: addBob(), commitAuthors: ['alice', 'dave'], reviews: [['dave', 'APPROVED']] },
    verdict: 'fail',
    next: 'dave committed to this pull request and cannot approve it',
  },
  {
    name: 'commits GitHub could not link to an account exclude nobody',
    s: { change: addBob(), commitAuthors: ['alice', null], reviews: [['dave', 'APPROVED']] },
    verdict: 'pass',
  },
  {
    name: 'a bot cannot approve, even one on the list',
    s: {
      change: addBob(),
      systems: { ...SYSTEMS, 'systems/db.yaml': SYSTEMS['systems/db.yaml']!.replace('dave]', 'dave, "@acme/bots"]') },
      teams: { '@acme/bots': ['approver-bot[bot]'] },
      reviews: [['approver-bot[bot]', 'APPROVED']],
    },
    verdict: 'fail',
    findings: [['approvals', `${BOB}:7`, 'approvals by bots do not count (approver-bot[bot])']],
  },
  {
    name: 'a bot author still needs human approval',
    s: { change: addBob(), author: 'renovate[bot]', authorIsBot: true, commitAuthors: ['renovate[bot]'], reviews: [['dave', 'APPROVED']] },
    verdict: 'pass',
  },

  // ── eligibility from the base branch's lists ──────────────────────────────────────────────
  {
    name: "an approver outside the system's list does not count",
    s: { change: addBob(), teams: dba, reviews: [['zoe', 'APPROVED']] },
    verdict: 'fail',
    findings: [['approvals', `${BOB}:7`, 'zoe approved but is not on the list for db']],
  },
  { name: 'a member of a listed team counts', s: { change: addBob(), teams: dba, reviews: [['erin', 'APPROVED']] }, verdict: 'pass', next: 'approved by erin' },
  {
    name: 'a non-member of a listed team does not count',
    s: { change: addBob(), teams: dba, reviews: [['ivy', 'APPROVED']] },
    verdict: 'fail',
    next: 'needs 1 more approval from @acme/dba or dave',
  },
  {
    name: 'a team membership that could not be determined fails closed',
    s: { change: addBob(), unknownTeams: ['@acme/dba'], reviews: [['erin', 'APPROVED']] },
    verdict: 'fail',
    next: 'could not determine whether erin is a member of @acme/dba',
    findings: [
      ['approvals', `${BOB}:7`, 'needs 1 more approval'],
      [
        'approvals',
        `${BOB}:7`,
        'could not determine whether erin is a member of @acme/dba, so their approval cannot be judged: run the gate with a token that can read team membership',
      ],
    ],
  },
  {
    name: 'a system without approvers is approved by its owner',
    s: {
      change: addBob(),
      systems: { ...SYSTEMS, 'systems/db.yaml': SYSTEMS['systems/db.yaml']!.replace(/approvers: .*\n/, '') },
      reviews: [['dave', 'APPROVED']],
    },
    verdict: 'fail',
    next: 'needs 1 more approval from carol (the owner of db, which lists no approvers)',
  },
  {
    name: 'a PR that edits systems/ to list its author as approver is judged with the base list (and needs the admins)',
    s: {
      author: 'mallory',
      commitAuthors: ['mallory'],
      change: { ...addBob(), 'systems/db.yaml': SYSTEMS['systems/db.yaml']!.replace('dave]', 'dave, mallory, zoe]') },
      teams: { ...dba, ...security },
      reviews: [['zoe', 'APPROVED']],
    },
    verdict: 'fail',
    next: 'needs 1 more approval from @acme/dba or dave for db; needs 1 more approval from @acme/security (the admins) for the governed changes',
    findings: [
      ['approvals', `${BOB}:7`, 'zoe approved but is not on the list for db'],
      ['approvals', 'systems/db.yaml:5', 'this pull request changes who may approve access to `db`; it needs 1 more approval from @acme/security (the admins)'],
    ],
  },

  // ── change requests ───────────────────────────────────────────────────────────────────────
  {
    name: 'CHANGES_REQUESTED after APPROVED blocks',
    s: {
      change: addBob(),
      reviews: [
        ['dave', 'APPROVED'],
        ['dave', 'CHANGES_REQUESTED'],
      ],
    },
    verdict: 'fail',
    next: 'dave requested changes: address them, or have the review dismissed',
    findings: [
      ['approvals', `${BOB}:7`, 'needs 1 more approval'],
      [
        'approvals',
        `${BOB}:7`,
        'dave requested changes (as an approver of db): address them and ask dave to approve the latest commit, or have the review dismissed',
      ],
    ],
  },
  {
    name: 'APPROVED after CHANGES_REQUESTED counts',
    s: {
      change: addBob(),
      reviews: [
        ['dave', 'CHANGES_REQUESTED'],
        ['dave', 'APPROVED'],
      ],
    },
    verdict: 'pass',
  },
  {
    name: 'a change request from another eligible approver blocks despite an approval',
    s: {
      change: addBob(),
      teams: dba,
      reviews: [
        ['dave', 'APPROVED'],
        ['erin', 'CHANGES_REQUESTED', 'old'],
      ],
    },
    verdict: 'fail',
    next: 'erin requested changes',
    findings: [['approvals', `${BOB}:7`, 'erin requested changes (as an approver of db)']],
  },
  {
    name: 'a change request from someone off the list does not block',
    s: {
      change: addBob(),
      teams: dba,
      reviews: [
        ['dave', 'APPROVED'],
        ['zoe', 'CHANGES_REQUESTED'],
      ],
    },
    verdict: 'pass',
  },

  // ── counts: privileged, several systems ───────────────────────────────────────────────────
  {
    name: 'a privileged entry needs the privileged count',
    s: { change: addBob([{ privileged: true, expires: '2027-01-31' }]), reviews: [['dave', 'APPROVED']] },
    verdict: 'fail',
    next: 'needs 1 more approval (2 required) from @acme/dba or dave',
    findings: [
      [
        'approvals',
        `${BOB}:7`,
        '(readonly (privileged), expires 2027-01-31: new entry) needs 1 more approval (2 required) from @acme/dba or dave (approved by dave)',
      ],
    ],
  },
  {
    name: 'two privileged entries on one system need two approvals, not four',
    s: {
      change: addBob([
        { role: 'admin', privileged: true, expires: '2027-01-31' },
        { role: 'replication', privileged: true, expires: '2027-01-31' },
      ]),
      teams: dba,
      reviews: [
        ['dave', 'APPROVED'],
        ['erin', 'APPROVED'],
      ],
    },
    verdict: 'pass',
    next: 'approved by dave, erin',
  },
  {
    name: 'two privileged entries with one approval: one more needed, reported once per identity and system',
    s: {
      change: addBob([
        { role: 'admin', privileged: true, expires: '2027-01-31' },
        { role: 'replication', privileged: true, expires: '2027-01-31' },
      ]),
      reviews: [['dave', 'APPROVED']],
    },
    verdict: 'fail',
    findings: [['approvals', `${BOB}:7`, 'needs 1 more approval (2 required)']],
  },
  {
    name: 'a PR touching two systems needs an eligible approver of each',
    s: { change: addBob([{ system: 'db' }, { system: 'wiki' }]), teams: it_, reviews: [['dave', 'APPROVED']] },
    verdict: 'fail',
    next: 'needs 1 more approval from @acme/it',
    findings: [
      [
        'approvals',
        `${BOB}:11`,
        'access for `bob` to wiki (readonly, expires 2027-03-31: new entry) needs 1 more approval from @acme/it (dave approved but is not on the list for wiki)',
      ],
    ],
  },
  {
    name: 'two systems, one eligible approver of each',
    s: {
      change: addBob([{ system: 'db' }, { system: 'wiki' }]),
      teams: it_,
      reviews: [
        ['dave', 'APPROVED'],
        ['ivy', 'APPROVED'],
      ],
    },
    verdict: 'pass',
  },
  {
    name: 'one approver listed for both systems covers both',
    s: { change: addBob([{ system: 'db' }, { system: 'wiki' }]), teams: { '@acme/it': ['dave'] }, reviews: [['dave', 'APPROVED']] },
    verdict: 'pass',
  },
  {
    name: 'three new grants to one system need one approval, reported at each grant',
    s: { change: { ...addBob(), 'grants/people/cleo.yaml': grant('cleo'), 'grants/people/dan.yaml': grant('dan') } },
    verdict: 'fail',
    findings: [
      ['approvals', `${BOB}:7`, 'needs 1 more approval'],
      ['approvals', 'grants/people/cleo.yaml:7', 'needs 1 more approval'],
      ['approvals', 'grants/people/dan.yaml:7', 'needs 1 more approval'],
    ],
  },

  // ── adds or widens, or not ────────────────────────────────────────────────────────────────
  {
    name: 'a role change widens',
    s: { grants: { [BOB]: grant('bob') }, change: addBob([{ role: 'writer' }]) },
    verdict: 'fail',
    findings: [['approvals', `${BOB}:8`, '(writer, expires 2027-03-31: role readonly → writer)']],
  },
  {
    name: 'a later expiry widens (a renewal needs approval)',
    s: { grants: { [BOB]: grant('bob') }, change: addBob([{ expires: '2027-06-30' }]) },
    verdict: 'fail',
    findings: [['approvals', `${BOB}:10`, 'expiry later: 2027-03-31 → 2027-06-30']],
  },
  {
    name: 'an earlier expiry narrows: no approval',
    s: { grants: { [BOB]: grant('bob') }, change: addBob([{ expires: '2027-01-15' }]) },
    verdict: 'pass',
    next: 'removal only',
  },
  {
    name: 'privileged false → true widens, with the privileged count',
    s: {
      grants: { [BOB]: grant('bob', [{ privileged: false, expires: '2027-01-31' }]) },
      change: addBob([{ privileged: true, expires: '2027-01-31' }]),
      reviews: [['dave', 'APPROVED']],
    },
    verdict: 'fail',
    findings: [['approvals', `${BOB}:9`, 'becomes privileged) needs 1 more approval (2 required)']],
  },
  {
    name: 'removing the just-in-time limit widens to standing access',
    s: { grants: { [BOB]: grant('bob', [{ jit: 4 }]) }, change: addBob([{}]) },
    verdict: 'fail',
    findings: [['approvals', `${BOB}:7`, 'just-in-time limit removed (standing access)']],
  },
  { name: 'adding a just-in-time limit narrows', s: { grants: { [BOB]: grant('bob') }, change: addBob([{ jit: 4 }]) }, verdict: 'pass' },
  {
    name: 'a new grantee is new access',
    s: {
      grants: { [BOB]: grant('bob') },
      change: addBob([{}], { github: 'bobby' }),
      reviews: [['bobby', 'APPROVED']],
      systems: { ...SYSTEMS, 'systems/db.yaml': SYSTEMS['systems/db.yaml']!.replace('dave]', 'dave, bobby]') },
    },
    verdict: 'fail',
    next: 'bobby cannot approve their own access',
    findings: [
      ['approvals', `${BOB}:7`, 'new grantee @bobby (was @bob)'],
      ['no-self-approval', `${BOB}:7`, 'bobby cannot approve their own access'],
    ],
  },
  {
    name: 'a reworded justification needs no approval',
    s: { grants: { [BOB]: grant('bob') }, change: addBob([{ justification: 'Reads production rows during incidents' }]) },
    verdict: 'pass',
    next: 'no approval needed',
  },
  {
    name: 'a renamed file with the same content needs no approval',
    s: { grants: { 'grants/bob.yaml': grant('bob') }, change: { [BOB]: grant('bob') }, renames: { [BOB]: 'grants/bob.yaml' } },
    verdict: 'pass',
  },

  // ── removals ──────────────────────────────────────────────────────────────────────────────
  {
    name: 'removal-only (a deleted grant) passes without any approval',
    s: { grants: { [BOB]: grant('bob') }, change: { [BOB]: null } },
    verdict: 'pass',
    next: 'removal only: no approval needed',
  },
  {
    name: 'removal-only (one entry of two) passes without approval, even with a change request',
    s: {
      grants: { [BOB]: grant('bob', [{ system: 'db' }, { system: 'wiki' }]) },
      change: addBob([{ system: 'db' }]),
      reviews: [['dave', 'CHANGES_REQUESTED']],
    },
    verdict: 'pass',
    next: 'removal only',
  },
  {
    name: 'a removal next to an addition still needs the addition approved',
    s: {
      grants: { [BOB]: grant('bob') },
      change: { [BOB]: null, 'grants/people/cleo.yaml': grant('cleo', [{ system: 'wiki' }]) },
      reviews: [['dave', 'APPROVED']],
    },
    verdict: 'fail',
    next: 'needs 1 more approval from @acme/it',
  },

  // ── governed changes: config, systems/, exceptions ────────────────────────────────────────
  {
    name: 'a PR that weakens the config is judged with the base config and needs the admins',
    s: {
      change: {
        'access-ledger.yaml': CONFIG + 'rules:\n  approvals: "off"\n  expiry-max-days: { options: { human: 3650 } }\n',
        ...addBob([{ expires: '2030-01-01' }]),
      },
      reviews: [['dave', 'APPROVED']],
    },
    verdict: 'fail',
    next: 'needs 1 more approval from @acme/security (the admins)',
    findings: [['approvals', 'access-ledger.yaml:1', 'this pull request changes the repo config; it needs 1 more approval from @acme/security (the admins)']],
    alsoFrom: ['expiry-max-days'],
  },
  {
    name: 'a config change approved by an admin passes',
    s: { change: { 'access-ledger.yaml': CONFIG + 'stale: { expiring_within_days: 30 }\n' }, teams: security, reviews: [['sue', 'APPROVED']] },
    verdict: 'pass',
    next: 'approved by sue',
  },
  {
    name: 'a config at a custom path is governed too',
    s: { configPath: 'access/ledger.yaml', change: { 'access/ledger.yaml': CONFIG + 'stale: { expiring_within_days: 30 }\n' } },
    verdict: 'fail',
    findings: [['approvals', 'access/ledger.yaml:1', 'changes the repo config']],
  },
  {
    name: "adding an exception needs the admins as well as the system's approver",
    s: {
      change: addBob([{}], {
        extra: y`
        exception:
          reason: The vendor tool cannot use personal accounts
          compensating_controls: [session-logging]
          expires: 2027-01-31
      `,
      }),
      teams: security,
      reviews: [['dave', 'APPROVED']],
    },
    verdict: 'fail',
    next: 'needs 1 more approval from @acme/security (the admins)',
    findings: [
      [
        'approvals',
        `${BOB}:11`,
        'this pull request adds an exception to `bob`; it needs 1 more approval from @acme/security (the admins) (dave approved but is not one of the admins)',
      ],
    ],
  },
  {
    name: 'a grant to a system added in the same PR is approved by the admins',
    s: {
      change: { ...addBob([{ system: 'vault' }]), 'systems/vault.yaml': SYSTEMS['systems/wiki.yaml']!.replace('id: wiki', 'id: vault') },
      teams: security,
      reviews: [['sam', 'APPROVED']],
    },
    verdict: 'pass',
  },
  {
    name: 'bootstrap: with no config on the base, the first config is approved by any other reviewer',
    s: { config: null, change: { 'access-ledger.yaml': CONFIG }, reviews: [['zoe', 'APPROVED']] },
    verdict: 'pass',
  },
  {
    name: 'bootstrap: but never by its author',
    s: { config: null, change: { 'access-ledger.yaml': CONFIG }, reviews: [['alice', 'APPROVED']] },
    verdict: 'fail',
    next: 'alice opened this pull request and cannot approve it; needs 1 more approval from any reviewer who did not author or commit to this pull request',
  },

  // ── owner-in-org ──────────────────────────────────────────────────────────────────────────
  {
    name: 'owner outside the organization fails at identity.owner',
    s: { change: addBob([{}], { owner: 'olga' }), reviews: [['dave', 'APPROVED']], orgMembers: ['bob', 'dave'] },
    verdict: 'fail',
    next: 'fix grants/people/bob.yaml:4: owner @olga of `bob` is not a member of the acme organization',
    findings: [['owner-in-org', `${BOB}:4`, 'owner @olga of `bob` is not a member of the acme organization: name an accountable owner who is']],
  },
  {
    name: 'grantee outside the organization fails at identity.github',
    s: { change: addBob(), reviews: [['dave', 'APPROVED']], orgMembers: ['carol'] },
    verdict: 'fail',
    findings: [['owner-in-org', `${BOB}:5`, 'grantee @bob of `bob` is not a member of the acme organization: invite them to the organization first']],
  },
  {
    name: 'membership that could not be determined fails closed',
    s: { change: addBob(), reviews: [['dave', 'APPROVED']], orgMembers: 'unknown' },
    verdict: 'fail',
    findings: [
      ['owner-in-org', `${BOB}:4`, 'could not determine whether owner @carol of `bob` is a member of acme'],
      ['owner-in-org', `${BOB}:5`, 'could not determine whether grantee @bob'],
    ],
  },
  {
    name: 'a removal is not blocked by an owner who left',
    s: {
      grants: { [BOB]: grant('bob', [{ system: 'db' }, { system: 'wiki' }], { owner: 'olga' }) },
      change: addBob([{ system: 'db' }], { owner: 'olga' }),
      orgMembers: ['bob'],
    },
    verdict: 'pass',
  },
];

describe("the gate's approval engine", () => {
  it('has the table the issue asks for (at least 30 cases)', () => expect(cases.length).toBeGreaterThanOrEqual(30));

  it.each(cases)('$name', (c) => {
    const r = judge(c.s);
    const mine = r.findings.filter((f) => PR_RULES.has(f.rule));
    const others = r.findings.filter((f) => !PR_RULES.has(f.rule) && !c.alsoFrom?.includes(f.rule));
    expect(
      others.map((f) => `${f.rule} ${f.file}:${f.line} ${f.message}`),
      'findings of other rules',
    ).toEqual([]);
    expect(r.verdict, `${r.nextStep}\n${show(r).join('\n')}`).toBe(c.verdict);
    if (c.next) expect(r.nextStep).toContain(c.next);
    if (c.findings) {
      expect(mine.map((f) => `${f.rule} ${f.file}:${f.line} ${f.message}`)).toHaveLength(c.findings.length);
      c.findings.forEach(([rule, at, fragment], i) => {
        const f = mine[i]!;
        expect(`${f.rule} ${f.file}:${f.line}`, f.message).toBe(`${rule} ${at}`);
        expect(f.message).toContain(fragment);
        expect(f.column).toBeGreaterThanOrEqual(1);
        expect(f.controls.length).toBeGreaterThan(0);
      });
    } else if (c.verdict === 'pass') {
      expect(mine.filter((f) => f.severity === 'error')).toEqual([]);
    }
  });
});
