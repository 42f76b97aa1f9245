/**
 * The observed rules as tables: grant files and what a system listed in, findings out. Each case
 * names the lines it expects; findings of other observed rules are failures unless the case
 * allows them. Named attacks: hiding an account behind another grant's name, a homoglyph, an
 * expired grant kept as cover, a claim on another system's entry, privilege talked down in the
 * file, a rotation recorded that never happened.
 */
import { describe, expect, it } from 'vitest';
import type { Finding } from '../../src/core/findings.ts';
import { drift, driftRepo } from '../../src/core/observe/drift.ts';
import type { ObservedSnapshot } from '../../src/core/observe/types.ts';
import { loadBuiltinPacks } from '../../src/adapters/fs/packs.ts';
import { CONFIG, SYSTEMS, TODAY, y } from './harness.ts';

import { ALL, account, listing } from '../support/observed.ts';

const ALICE = y`
  identity: { id: alice, kind: human, github: alice-gh, owner: alice-gh, email: alice@acme.com }
  access:
    - system: db
      role: reader
      justification: Reads orders for support
      expires: 2027-01-31
`;

const SVC = y`
  identity: { id: exporter, kind: service-account, owner: carol }
  credential:
    type: static-secret
    rotation_days: 90
    last_rotated: 2026-10-01
    storage: vault:kv/exporter
    revocation: https://wiki/runbooks/exporter
  access:
    - system: db
      role: reader
      justification: Nightly export of invoices
      expires: 2027-01-31
      accounts: [svc_exporter]
`;

interface Case {
  name: string;
  files?: Record<string, string>;
  snapshots: ObservedSnapshot[];
  config?: string;
  /** [file:line, fragment] of each finding of the rule, in order. */
  expect: [string, string][];
  alsoFrom?: string[];
}

function run(files: Record<string, string>, snapshots: ObservedSnapshot[], config = CONFIG): Finding[] {
  const all = { 'access-ledger.yaml': config, ...SYSTEMS, ...files };
  const repo = driftRepo(Object.entries(all).map(([path, content]) => ({ path, content: Buffer.from(content) })));
  return drift(repo, snapshots, { packs: loadBuiltinPacks(), today: TODAY }).findings;
}

function check(rule: string, c: Case): Finding[] {
  const findings = run(c.files ?? {}, c.snapshots, c.config);
  const mine = findings.filter((f) => f.rule === rule);
  const others = findings.filter((f) => f.rule !== rule && !c.alsoFrom?.includes(f.rule));
  expect(
    others.map((f) => `${f.file}:${f.line} ${f.rule}: ${f.message}`),
    'findings of other rules',
  ).toEqual([]);
  expect(mine.map((f) => `${f.file}:${f.line} ${f.message}`)).toHaveLength(c.expect.length);
  c.expect.forEach(([at, fragment], i) => {
    expect(`${mine[i]!.file}:${mine[i]!.line}`, mine[i]!.message).toBe(at);
    expect(mine[i]!.message).toContain(fragment);
    expect(mine[i]!.controls.length).toBeGreaterThan(0);
  });
  return mine;
}

const table = (rule: string, cases: Case[]) => it.each(cases.map((c) => [c.name, c] as const))('%s', (_, c) => void check(rule, c));

describe('observed-undeclared', () => {
  table('observed-undeclared', [
    {
      name: 'every account maps to a grant in force: nothing to say',
      files: { 'grants/alice.yaml': ALICE, 'grants/exporter.yaml': SVC },
      snapshots: [listing('db', [account('alice-gh', { roles: ['reader'] }), account('svc_exporter', { kind: 'service', roles: ['reader'], mfa: null })])],
      expect: [],
    },
    {
      name: 'the orphaned account: on the system, in no grant (points at the system file)',
      files: { 'grants/alice.yaml': ALICE },
      snapshots: [listing('db', [account('alice-gh', { roles: ['reader'] }), account('mallory', { roles: ['reader'] })])],
      expect: [['systems/db.yaml:1', 'lists the account `mallory` (person; `reader`), which no grant declares']],
    },
    {
      name: "an account maps by the grant's e-mail, case aside",
      files: { 'grants/alice.yaml': ALICE },
      snapshots: [listing('db', [account('Alice@ACME.com', { roles: ['reader'] })])],
      expect: [],
    },
    {
      name: 'an account maps by the identity id when nothing stronger names it',
      files: { 'grants/alice.yaml': ALICE },
      snapshots: [listing('db', [account('alice', { roles: ['reader'] })])],
      expect: [],
    },
    {
      name: 'an account maps by an accounts entry for this system',
      files: { 'grants/exporter.yaml': SVC },
      snapshots: [listing('db', [account('SVC_EXPORTER', { kind: 'service', roles: ['reader'], mfa: null })])],
      expect: [],
    },
    {
      name: 'attack: an accounts entry on another system does not cover this one',
      files: { 'grants/exporter.yaml': SVC },
      snapshots: [listing('wiki', [account('svc_exporter', { kind: 'service', mfa: null })])],
      expect: [['systems/wiki.yaml:1', 'lists the account `svc_exporter` (service), which no grant declares']],
    },
    {
      name: 'attack: an account named after a grant that has no access to the system is still undeclared (points at the grant)',
      files: { 'grants/alice.yaml': ALICE },
      snapshots: [listing('wiki', [account('alice-gh', { roles: ['editor'] })])],
      expect: [['grants/alice.yaml:2', 'but this grant declares no access to `wiki`']],
    },
    {
      name: 'attack: an expired grant kept as cover: the account outlived the access',
      files: { 'grants/alice.yaml': ALICE.replace('expires: 2027-01-31', 'expires: 2026-11-01') },
      snapshots: [listing('db', [account('alice-gh', { roles: ['reader'] })])],
      expect: [['grants/alice.yaml:6', 'access of `alice` to `db` expired on 2026-11-01, but `db` (listed 2026-11-20) still lists its account `alice-gh`']],
    },
    {
      name: 'access valid through its expiry day counts on that day',
      files: { 'grants/alice.yaml': ALICE.replace('expires: 2027-01-31', 'expires: 2026-11-20') },
      snapshots: [listing('db', [account('alice-gh', { roles: ['reader'] })])],
      expect: [],
    },
    {
      name: 'attack: a homoglyph of a declared name is another account',
      files: { 'grants/alice.yaml': ALICE },
      snapshots: [listing('db', [account('alice-gh', { roles: ['reader'] }), account('аlice-gh', { roles: ['reader'] })])],
      expect: [['systems/db.yaml:1', 'lists the account `аlice-gh`']],
    },
    {
      name: 'two grants claiming one account: ambiguous, never guessed',
      files: { 'grants/exporter.yaml': SVC, 'grants/other.yaml': SVC.replace('id: exporter', 'id: other') },
      snapshots: [listing('db', [account('svc_exporter', { kind: 'service', roles: ['reader'], mfa: null })])],
      expect: [['systems/db.yaml:1', 'which grants/exporter.yaml, grants/other.yaml all claim (by accounts)']],
      alsoFrom: ['observed-unprovisioned'],
    },
    {
      name: 'the strongest match decides: an accounts entry beats an identity id',
      files: { 'grants/exporter.yaml': SVC.replace('accounts: [svc_exporter]', 'accounts: [alice]'), 'grants/alice.yaml': ALICE },
      snapshots: [listing('db', [account('alice', { kind: 'service', roles: ['reader'], mfa: null }), account('alice-gh', { roles: ['reader'] })])],
      expect: [],
    },
    {
      name: 'a listing the snapshot says has a system with no file: every account is named, at systems/<id>.yaml',
      snapshots: [listing('ghost', [account('x')])],
      expect: [['systems/ghost.yaml:undefined', 'lists the account `x` (person), which no grant declares']],
    },
    {
      name: 'a formula in a listed name is shown after an apostrophe',
      snapshots: [listing('db', [account("=cmd|' /C calc'!A0")])],
      expect: [['systems/db.yaml:1', "lists the account `'=cmd|' /C calc'!A0` (person)"]],
    },
  ]);
});

describe('observed-unprovisioned', () => {
  table('observed-unprovisioned', [
    {
      name: 'a grant with no account on a listed system: never provisioned, or removed there',
      files: { 'grants/alice.yaml': ALICE },
      snapshots: [listing('db', [])],
      expect: [['grants/alice.yaml:3', '`alice` is granted `reader` on `db`, but `db` (listed 2026-11-20) lists no account for it']],
    },
    { name: 'a system nobody listed is not judged', files: { 'grants/alice.yaml': ALICE }, snapshots: [listing('wiki', [])], expect: [] },
    {
      name: 'just-in-time access has no standing account',
      files: { 'grants/alice.yaml': ALICE.replace('expires: 2027-01-31', 'expires: 2027-01-31\n    jit: { max_duration_hours: 4 }') },
      snapshots: [listing('db', [])],
      expect: [],
    },
    {
      name: "access that had expired by the listing is the clock rules' business",
      files: { 'grants/alice.yaml': ALICE.replace('expires: 2027-01-31', 'expires: 2026-11-01') },
      snapshots: [listing('db', [])],
      expect: [],
    },
    {
      name: 'a listing with gaps says so in the finding',
      files: { 'grants/alice.yaml': ALICE },
      snapshots: [listing('db', [], { gaps: ['tokens not listed'] })],
      expect: [['grants/alice.yaml:3', '(the listing has gaps: tokens not listed)']],
    },
    {
      name: 'judged against the newest listing of the system',
      files: { 'grants/alice.yaml': ALICE },
      snapshots: [
        listing('db', [account('alice-gh', { roles: ['reader'] })], { taken_at: '2026-10-01T00:00:00Z' }),
        listing('db', [], { taken_at: '2026-11-20T00:00:00Z' }),
      ],
      expect: [],
    },
  ]);
});

describe('observed-excess-privilege', () => {
  table('observed-excess-privilege', [
    {
      name: 'a role no entry declares',
      files: { 'grants/alice.yaml': ALICE },
      snapshots: [listing('db', [account('alice-gh', { roles: ['reader', 'writer'] })])],
      expect: [['grants/alice.yaml:4', 'gives `alice-gh` the role `writer`, beyond what `alice` declares for `db` (`reader`)']],
    },
    {
      name: 'roles compare case-insensitively',
      files: { 'grants/alice.yaml': ALICE },
      snapshots: [listing('db', [account('alice-gh', { roles: ['READER'] })])],
      expect: [],
    },
    {
      name: 'roles a snapshot does not report are not compared',
      files: { 'grants/alice.yaml': ALICE },
      snapshots: [listing('db', [account('alice-gh', { roles: ['writer'] })], { reports: { ...ALL, roles: false } })],
      expect: [],
    },
    {
      name: 'ignored roles (option) are left out',
      config: `${CONFIG}rules:\n  observed-excess-privilege: { options: { ignore_roles: ["team:*"] } }\n`,
      files: { 'grants/alice.yaml': ALICE },
      snapshots: [listing('db', [account('alice-gh', { roles: ['reader', 'team:dba', 'Team:ops'] })])],
      expect: [],
    },
    {
      name: 'attack: privilege talked down in the file (the system says admin)',
      files: { 'grants/alice.yaml': ALICE.replace('role: reader', 'role: reader\n    privileged: false') },
      snapshots: [listing('db', [account('alice-gh', { roles: ['reader'], privileged: true })])],
      expect: [['grants/alice.yaml:5', 'lists `alice-gh` as privileged (db reports it privileged), but no access entry of `alice` to `db` is privileged']],
    },
    {
      name: 'a role the system file declares privileged counts, whatever the export says',
      files: {
        'grants/alice.yaml': ALICE,
        'systems/db.yaml': `${SYSTEMS['systems/db.yaml']}roles:\n  reader: {}\n  dba: { privileged: true }\n`,
      },
      snapshots: [listing('db', [account('alice-gh', { roles: ['reader', 'DBA'], privileged: null })])],
      expect: [
        ['grants/alice.yaml:4', 'the role `DBA`, beyond what'],
        ['grants/alice.yaml:4', 'as privileged (its role `DBA` is declared privileged in the system file)'],
      ],
    },
    {
      name: 'declared privileged access covers an observed admin',
      files: { 'grants/alice.yaml': ALICE.replace('role: reader', 'role: reader\n    privileged: true').replace('2027-01-31', '2027-01-15') },
      snapshots: [listing('db', [account('alice-gh', { roles: ['reader'], privileged: true })])],
      expect: [],
    },
  ]);
});

describe('observed-dormant', () => {
  table('observed-dormant', [
    {
      name: 'last used more than 90 days before the listing',
      files: { 'grants/alice.yaml': ALICE },
      snapshots: [listing('db', [account('alice-gh', { roles: ['reader'], last_used: '2026-06-01T00:00:00Z' })])],
      expect: [['grants/alice.yaml:3', 'reports the account `alice-gh` (person; `reader`) last used 2026-06-01, 172 days before the listing (more than 90)']],
    },
    {
      name: '90 days exactly is not dormant',
      files: { 'grants/alice.yaml': ALICE },
      snapshots: [listing('db', [account('alice-gh', { roles: ['reader'], last_used: '2026-08-22T00:00:00Z' })])],
      expect: [],
    },
    {
      name: 'never used since created long ago',
      files: { 'grants/alice.yaml': ALICE },
      snapshots: [listing('db', [account('alice-gh', { roles: ['reader'], last_used: null, created: '2026-01-01T00:00:00Z' })])],
      expect: [['grants/alice.yaml:3', 'never used since it was created 2026-01-01, 323 days before the listing']],
    },
    {
      name: 'never used, created recently',
      files: { 'grants/alice.yaml': ALICE },
      snapshots: [listing('db', [account('alice-gh', { roles: ['reader'], last_used: null, created: '2026-11-01T00:00:00Z' })])],
      expect: [],
    },
    {
      name: 'use not reported: not judged',
      files: { 'grants/alice.yaml': ALICE },
      snapshots: [listing('db', [account('alice-gh', { roles: ['reader'], last_used: null })], { reports: { ...ALL, last_used: false } })],
      expect: [],
    },
    {
      name: 'the window is an option',
      config: `${CONFIG}rules:\n  observed-dormant: { options: { days: 30 } }\n`,
      files: { 'grants/alice.yaml': ALICE },
      snapshots: [listing('db', [account('alice-gh', { roles: ['reader'], last_used: '2026-10-01T00:00:00Z' })])],
      expect: [['grants/alice.yaml:3', '(more than 30)']],
    },
    {
      name: 'an undeclared dormant account is named at the system file too',
      snapshots: [listing('db', [account('ghost', { last_used: '2025-01-01T00:00:00Z' })])],
      expect: [['systems/db.yaml:1', 'last used 2025-01-01']],
      alsoFrom: ['observed-undeclared'],
    },
  ]);
});

describe('observed-rotation-overdue', () => {
  const key = (rotated: string, active = true) => ({
    name: 'access_key_1',
    type: 'access-key' as const,
    active,
    rotated_at: rotated,
    last_used: null,
    expires_at: null,
  });
  table('observed-rotation-overdue', [
    {
      name: 'a key rotated within the declared period',
      files: { 'grants/exporter.yaml': SVC },
      snapshots: [listing('db', [account('svc_exporter', { kind: 'service', roles: ['reader'], mfa: null, credentials: [key('2026-10-01T00:00:00Z')] })])],
      expect: [],
    },
    {
      name: 'a key older than the declared rotation',
      files: { 'grants/exporter.yaml': SVC.replace('last_rotated: 2026-10-01', 'last_rotated: 2026-01-01') },
      snapshots: [listing('db', [account('svc_exporter', { kind: 'service', roles: ['reader'], mfa: null, credentials: [key('2026-01-01T00:00:00Z')] })])],
      expect: [['grants/exporter.yaml:4', 'last rotated 2026-01-01, 323 days before the listing, beyond the 90-day rotation the grant declares']],
    },
    {
      name: 'an inactive old key does not count',
      files: { 'grants/exporter.yaml': SVC },
      snapshots: [
        listing('db', [
          account('svc_exporter', {
            kind: 'service',
            roles: ['reader'],
            mfa: null,
            credentials: [key('2020-01-01T00:00:00Z', false), key('2026-10-01T00:00:00Z')],
          }),
        ]),
      ],
      expect: [],
    },
    {
      name: 'attack: the file records a rotation the system does not show',
      files: { 'grants/exporter.yaml': SVC.replace('rotation_days: 90', 'rotation_days: 365') },
      snapshots: [listing('db', [account('svc_exporter', { kind: 'service', roles: ['reader'], mfa: null, credentials: [key('2026-02-01T00:00:00Z')] })])],
      expect: [
        ['grants/exporter.yaml:5', 'the grant records a rotation on 2026-10-01, but `db` reports `access_key_1` of `svc_exporter` last rotated 2026-02-01'],
      ],
    },
    {
      name: 'a federated identity with a standing key on the system',
      files: { 'grants/exporter.yaml': SVC.replace('type: static-secret\n  rotation_days: 90\n  last_rotated: 2026-10-01\n', 'type: oidc-federated\n') },
      snapshots: [listing('db', [account('svc_exporter', { kind: 'service', roles: ['reader'], mfa: null, credentials: [key('2026-10-01T00:00:00Z')] })])],
      expect: [['grants/exporter.yaml:3', 'declares an oidc-federated credential, but `db` reports an active key']],
    },
    {
      name: "an undeclared key is held to the policy's maximum",
      snapshots: [listing('db', [account('old-key', { kind: 'key', mfa: null, credentials: [key('2025-01-01T00:00:00Z')] })])],
      expect: [['systems/db.yaml:1', 'beyond the 90-day rotation the policy allows']],
      alsoFrom: ['observed-undeclared'],
    },
    {
      name: 'credentials not reported: not judged',
      files: { 'grants/exporter.yaml': SVC },
      snapshots: [
        listing('db', [account('svc_exporter', { kind: 'service', roles: ['reader'], mfa: null, credentials: [key('2020-01-01T00:00:00Z')] })], {
          reports: { ...ALL, credentials: false },
        }),
      ],
      expect: [],
    },
  ]);
});

describe('observed-mfa-missing', () => {
  table('observed-mfa-missing', [
    {
      name: 'a person without MFA',
      files: { 'grants/alice.yaml': ALICE },
      snapshots: [listing('db', [account('alice-gh', { roles: ['reader'], mfa: false })])],
      expect: [['grants/alice.yaml:1', 'reports the account `alice-gh` (person; `reader`) without MFA']],
    },
    {
      name: 'a service account without MFA is not a person',
      files: { 'grants/exporter.yaml': SVC },
      snapshots: [listing('db', [account('svc_exporter', { kind: 'service', roles: ['reader'], mfa: false })])],
      expect: [],
    },
    {
      name: 'MFA not reported (null) is not judged',
      files: { 'grants/alice.yaml': ALICE },
      snapshots: [listing('db', [account('alice-gh', { roles: ['reader'], mfa: null })])],
      expect: [],
    },
    {
      name: 'MFA reported for tokens only is not judged for people',
      files: { 'grants/alice.yaml': ALICE },
      snapshots: [listing('db', [account('alice-gh', { roles: ['reader'], mfa: false })], { reports: { ...ALL, mfa: false } })],
      expect: [],
    },
  ]);

  it('an exception waiving the rule turns it into a warning that names the exception', () => {
    const grant = `${ALICE}exception:\n  reason: Hardware key on order, due next week\n  compensating_controls: [ip-allowlist]\n  expires: 2026-12-15\n  rules: [observed-mfa-missing]\n`;
    const f = run({ 'grants/alice.yaml': grant }, [listing('db', [account('alice-gh', { roles: ['reader'], mfa: false })])]).filter(
      (x) => x.rule === 'observed-mfa-missing',
    );
    expect(f.map((x) => [x.severity, x.message.includes('waived by the exception in this file until 2026-12-15')])).toEqual([['warning', true]]);
  });
});

describe('observed-leaver-access', () => {
  const BOB = ALICE.replace(/alice/g, 'bob');
  const org = (logins: string[], outside: string[] = []) =>
    listing('github', [...logins.map((l) => account(l, { roles: ['member'] })), ...outside.map((l) => account(l, { roles: ['outside-collaborator'] }))], {
      connector: 'github-org',
      scope: 'acme',
    });
  table('observed-leaver-access', [
    {
      name: 'someone gone from the organization whose database account is still there',
      files: { 'grants/bob.yaml': BOB },
      snapshots: [org(['alice-gh']), listing('db', [account('bob-gh', { roles: ['reader'], last_used: '2026-11-18T00:00:00Z' })])],
      expect: [
        [
          'grants/bob.yaml:1',
          '@bob-gh is not in the organization acme (listed 2026-11-20), but `db` (listed 2026-11-20) still lists their account `bob-gh` (person; `reader`), last used 2026-11-18',
        ],
      ],
      // The organization's other members have no grants in this small repo.
      alsoFrom: ['observed-undeclared'],
    },
    {
      name: 'a member is no leaver',
      files: { 'grants/bob.yaml': BOB },
      snapshots: [org(['bob-gh']), listing('db', [account('bob-gh', { roles: ['reader'] })])],
      expect: [],
      alsoFrom: ['observed-undeclared'],
    },
    {
      name: 'an outside collaborator is no leaver',
      files: { 'grants/bob.yaml': BOB },
      snapshots: [org([], ['bob-gh']), listing('db', [account('bob-gh', { roles: ['reader'] })])],
      expect: [],
      alsoFrom: ['observed-undeclared'],
    },
    {
      name: 'without a listing of the organization nobody is judged',
      files: { 'grants/bob.yaml': BOB },
      snapshots: [listing('db', [account('bob-gh', { roles: ['reader'] })])],
      expect: [],
    },
  ]);
});

describe('drift over unreadable files', () => {
  it('a grant that cannot be read is a finding, so its accounts are never silently undeclared or declared', () => {
    const f = run({ 'grants/broken.yaml': 'identity: [unclosed\n' }, [listing('db', [])]);
    expect(f.filter((x) => x.file === 'grants/broken.yaml').map((x) => [x.rule, x.severity])).toEqual([['schema', 'error']]);
    expect(f.find((x) => x.file === 'grants/broken.yaml')!.message).toContain('drift cannot map accounts to it');
  });

  it('grants read by the fast reader and by the full reader give the same findings, at the same lines', () => {
    // Flow mappings, comments and quoting send a file to the full reader; the plain form stays fast.
    const fancy = `# a comment\n${ALICE.replace('role: reader', "role: 'reader' # quoted")}`;
    const snapshots = [listing('db', [account('alice-gh', { roles: ['reader', 'writer'], mfa: false })])];
    const a = run({ 'grants/alice.yaml': ALICE }, snapshots).map((x) => `${x.rule} ${x.line}`);
    const b = run({ 'grants/alice.yaml': fancy }, snapshots).map((x) => `${x.rule} ${x.line! - 1}`);
    expect(a).toEqual(b);
    expect(a.length).toBeGreaterThan(0);
  });
});

describe('the account a finding is about', () => {
  it('every observed finding about one account names it in `account`; findings about a grant without an account name none', () => {
    const snapshots = [
      listing('db', [
        account('alice-gh', { roles: ['reader', 'writer'], mfa: false, last_used: '2025-01-01T00:00:00Z' }),
        account('mallory', { roles: ['reader'] }),
      ]),
    ];
    const f = run({ 'grants/alice.yaml': ALICE, 'grants/exporter.yaml': SVC }, snapshots);
    const byRule = (rule: string) => f.filter((x) => x.rule === rule).map((x) => x.account ?? null);
    expect(byRule('observed-undeclared')).toEqual(['mallory']);
    expect(byRule('observed-excess-privilege')).toEqual(['alice-gh']);
    expect(byRule('observed-mfa-missing')).toEqual(['alice-gh']);
    expect(byRule('observed-dormant')).toEqual(['alice-gh']);
    // The exporter's grant has no account on db: the finding is about the grant.
    expect(byRule('observed-unprovisioned')).toEqual([null]);
  });

  it('attack: an account named like a secret is masked in `account` as in the message', () => {
    const key = 'ghp_' + 'a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8';
    const f = run({ 'grants/alice.yaml': ALICE }, [listing('db', [account('alice-gh', { roles: ['reader'] }), account(key, { roles: ['reader'] })])]);
    const undeclared = f.filter((x) => x.rule === 'observed-undeclared');
    expect(undeclared).toHaveLength(1);
    expect(undeclared[0]!.account).not.toContain(key);
    expect(undeclared[0]!.account).toMatch(/masked/);
    expect(undeclared[0]!.message).not.toContain(key);
  });
});
