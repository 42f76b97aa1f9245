/** The clock rules: what the sweep reports, judged against a fixed day (2026-11-26 unless a case says). */
import { describe, it } from 'vitest';
import { CONFIG, checkCase, human, type Case } from './harness.ts';

const EXCEPTION = 'exception:\n  reason: The vendor tool cannot use personal accounts\n  compensating_controls: [session-logging]\n';

describe('expired (the sweep view; covered by expiry-in-future when both run)', () => {
  const cases: Case[] = [
    {
      name: 'validate runs both: only expiry-in-future reports',
      grant: human({ expires: '2026-11-25' }),
      expect: [],
      alsoFrom: ['expiry-in-future'],
    },
    {
      name: 'the sweep (time scope only) reports it',
      grant: human({ expires: '2026-11-25' }),
      options: { scopes: ['time'] },
      expect: [
        [
          11,
          'access to `db` (readonly) expired on 2026-11-25, 1 day ago: renew it by pull request with a new expires, or revoke it by deleting the entry',
          'error',
        ],
      ],
    },
    { name: 'expires today: not expired yet', grant: human({ expires: '2026-11-26' }), options: { scopes: ['time'] }, expect: [], alsoFrom: ['expiring-soon'] },
    {
      name: 'reported when expiry-in-future is turned off',
      grant: human({ expires: '2026-10-27' }),
      options: { config: CONFIG + 'rules:\n  expiry-in-future: "off"\n' },
      expect: [[11, 'expired on 2026-10-27, 30 days ago']],
    },
    {
      name: 'reported when the caller asks only for it',
      grant: human({ expires: '2026-11-25' }),
      options: { only: ['expired'] },
      expect: [[11, 'expired on 2026-11-25']],
    },
    {
      name: 'an expired exception',
      grant: human({ extra: EXCEPTION + '  expires: 2026-11-20\n' }),
      options: { scopes: ['time'] },
      expect: [[15, "the exception for `alice` expired on 2026-11-20: renew it with the admins' approval"]],
    },
    {
      name: 'leap day: 2028-02-29 is still valid that day',
      grant: human({ expires: '2028-02-29' }),
      options: { scopes: ['time'], today: '2028-02-29' },
      expect: [],
      alsoFrom: ['expiring-soon'],
    },
    {
      name: 'leap day: expired on 2028-03-01',
      grant: human({ expires: '2028-02-29' }),
      options: { scopes: ['time'], today: '2028-03-01' },
      expect: [[11, 'expired on 2028-02-29, 1 day ago']],
    },
  ];
  it.each(cases)('$name', (c) => void checkCase('expired', c));
});

describe('expiring-soon', () => {
  const cases: Case[] = [
    { name: '15 days ahead: outside the 14-day window', grant: human({ expires: '2026-12-11' }), expect: [] },
    {
      name: '14 days ahead: a warning',
      grant: human({ expires: '2026-12-10' }),
      expect: [[11, 'access to `db` (readonly) expires on 2026-12-10, in 14 days: renew by pull request if it is still needed, or let it lapse', 'warning']],
    },
    { name: 'expires today: in 0 days', grant: human({ expires: '2026-11-26' }), expect: [[11, 'expires on 2026-11-26, in 0 days']] },
    { name: 'already expired: not this rule', grant: human({ expires: '2026-11-25' }), expect: [], alsoFrom: ['expiry-in-future'] },
    {
      name: 'config stale.expiring_within_days widens the window',
      grant: human({ expires: '2026-12-16' }),
      options: { config: CONFIG + 'stale: { expiring_within_days: 30 }\n' },
      expect: [[11, 'in 20 days']],
    },
    {
      name: 'the rule option wins over the stale setting',
      grant: human({ expires: '2026-12-01' }),
      options: { config: CONFIG + 'stale: { expiring_within_days: 30 }\nrules:\n  expiring-soon: { options: { days: 3 } }\n' },
      expect: [],
    },
    {
      name: 'each entry on its own line',
      grant: human({
        expires: '2026-12-01',
        extra: '  - system: wiki\n    role: editor\n    justification: Writes the on-call runbooks\n    expires: 2026-12-05\n',
      }),
      expect: [
        [11, 'access to `db` (readonly) expires on 2026-12-01, in 5 days'],
        [15, 'access to `wiki` (editor) expires on 2026-12-05, in 9 days'],
      ],
    },
    {
      name: 'the sweep sees it too (time scope)',
      grant: human({ expires: '2026-12-01' }),
      options: { scopes: ['time'] },
      expect: [[11, 'in 5 days']],
    },
  ];
  it.each(cases)('$name', (c) => void checkCase('expiring-soon', c));
});

/** human() plus a review block: line 13 is last_reviewed. */
const reviewed = (day: string, extraAccess = '') => human({ extra: extraAccess + `review:\n  last_reviewed: ${day}\n  reviewer: dave\n` });
const DB = '  - system: db\n    role: editor\n    justification: Corrects order rows on request\n    expires: 2027-03-31\n';

describe('review-overdue', () => {
  const cases: Case[] = [
    { name: 'due today (db: every 90 days): not overdue', grant: reviewed('2026-08-28'), expect: [] },
    {
      name: 'due yesterday: overdue by 1 day',
      grant: reviewed('2026-08-27'),
      expect: [
        [
          13,
          'review of `alice` was due on 2026-11-25 (db is reviewed every 90 days; last reviewed 2026-08-27), 1 day overdue: approve the access review pull request or revoke',
          'warning',
        ],
      ],
    },
    {
      name: 'the strictest cadence of the systems reached decides (wiki yearly, then db quarterly)',
      grant: human({ extra: DB + 'review:\n  last_reviewed: 2026-06-01\n  reviewer: dave\n' }).replace('- system: db', '- system: wiki'),
      expect: [[17, '(db is reviewed every 90 days']],
    },
    { name: 'only a yearly system: not overdue after 200 days', grant: reviewed('2026-05-10').replace('- system: db', '- system: wiki'), expect: [] },
    {
      name: 'a system without a cadence uses the default of 365 days',
      grant: reviewed('2025-11-25').replace('- system: db', '- system: crm'),
      files: {
        'systems/crm.yaml': 'id: crm\nname: CRM\ncategory: saas\nowner: carol\napprovers: [dave]\nevidence: { provisioning: Okta, activity: vendor log }\n',
      },
      expect: [[13, 'was due on 2026-11-25 (crm is reviewed every 365 days']],
    },
    {
      name: 'options through access-ledger.yaml: default_cadence_days 30',
      grant: reviewed('2026-10-26').replace('- system: db', '- system: crm'),
      files: {
        'systems/crm.yaml': 'id: crm\nname: CRM\ncategory: saas\nowner: carol\napprovers: [dave]\nevidence: { provisioning: Okta, activity: vendor log }\n',
      },
      options: { config: CONFIG + 'rules:\n  review-overdue: { options: { default_cadence_days: 30 } }\n' },
      expect: [[13, '1 day overdue']],
    },
    { name: 'never reviewed and no record of when it was added: nothing to judge', grant: human(), expect: [] },
    {
      name: 'never reviewed: judged from the day it was added (ledger facts), at the identity',
      grant: human(),
      options: { facts: { addedAt: new Map([['grants/people/alice.yaml', '2026-08-01']]) } },
      expect: [[2, 'review of `alice` was due on 2026-10-30 (db is reviewed every 90 days; last changed 2026-08-01), 27 days overdue']],
    },
    {
      name: 'leap year: due 2028-02-29, judged that day',
      grant: reviewed('2027-12-01'),
      options: { today: '2028-02-29' },
      expect: [],
      alsoFrom: ['expiry-in-future'],
    },
    {
      name: 'leap year: due 2028-02-29, judged the day after',
      grant: reviewed('2027-12-01'),
      options: { today: '2028-03-01' },
      expect: [[13, 'was due on 2028-02-29']],
      alsoFrom: ['expiry-in-future'],
    },
    {
      name: 'the strict pack makes it an error',
      grant: reviewed('2026-08-27'),
      options: { config: CONFIG.replace('soc2-baseline', 'strict') },
      expect: [[13, 'overdue', 'error']],
      alsoFrom: ['system-evidence-sources'],
    },
  ];
  it.each(cases)('$name', (c) => void checkCase('review-overdue', c));
});

/** An API key with a 90-day secret; line 9 is last_rotated. */
function rotated(lastRotated: string | null, type = 'static-secret'): string {
  return [
    'identity:',
    '  id: alice',
    '  kind: api-key',
    '  owner: carol',
    'credential:',
    `  type: ${type}`,
    '  storage: vault:kv/app/alice',
    '  rotation_days: 90',
    ...(lastRotated ? [`  last_rotated: ${lastRotated}`] : []),
    '  revocation: revoke it in the vault',
    'access:',
    '  - system: wiki',
    '    role: api',
    '    justification: Publishes release notes to the wiki',
    '    expires: 2027-03-31',
    '',
  ].join('\n');
}

describe('rotation-overdue', () => {
  const cases: Case[] = [
    { name: 'due today: not overdue', grant: rotated('2026-08-28'), path: 'grants/keys/alice.yaml', expect: [] },
    {
      name: 'due yesterday: overdue by 1 day',
      grant: rotated('2026-08-27'),
      path: 'grants/keys/alice.yaml',
      expect: [
        [
          9,
          'credential of `alice` was due for rotation on 2026-11-25 (every 90 days, last 2026-08-27), 1 day overdue: rotate it and update credential.last_rotated',
          'warning',
        ],
      ],
    },
    {
      name: 'no rotation on record: points at the credential key',
      grant: rotated(null),
      path: 'grants/keys/alice.yaml',
      expect: [[5, 'credential of `alice` has no rotation on record: rotate it and set credential.last_rotated']],
    },
    {
      name: 'leap year: rotated 2027-12-01, due 2028-02-29',
      grant: rotated('2027-12-01'),
      path: 'grants/keys/alice.yaml',
      options: { today: '2028-02-29', scopes: ['time'] },
      expect: [],
      alsoFrom: ['expired'],
    },
    {
      name: 'leap year: a day later',
      grant: rotated('2027-12-01'),
      path: 'grants/keys/alice.yaml',
      options: { today: '2028-03-01', scopes: ['time'] },
      expect: [[9, 'due for rotation on 2028-02-29']],
      alsoFrom: ['expired'],
    },
    {
      name: 'the strict pack makes it an error',
      grant: rotated('2026-08-01').replace('rotation_days: 90', 'rotation_days: 60'),
      path: 'grants/keys/alice.yaml',
      options: { config: CONFIG.replace('soc2-baseline', 'strict') },
      expect: [[9, 'every 60 days', 'error']],
      alsoFrom: ['system-evidence-sources'],
    },
    {
      name: 'federated credentials do not rotate',
      grant: rotated('2020-01-01', 'oidc-federated').replace('  rotation_days: 90\n', ''),
      path: 'grants/keys/alice.yaml',
      expect: [],
    },
  ];
  it.each(cases)('$name', (c) => void checkCase('rotation-overdue', c));
});

const service =
  'identity:\n  id: exporter\n  kind: service-account\n  owner: bob\ncredential:\n  type: oidc-federated\n  revocation: remove the binding\naccess:\n  - system: db\n    role: app\n    justification: Reads invoices for the export\n    expires: 2027-03-31\n';

describe('owner-left-org (membership facts from the adapter)', () => {
  const cases: Case[] = [
    { name: 'everyone is a member', grant: human(), options: { facts: { orgMembership: { alice: true, carol: true } } }, expect: [] },
    { name: 'no membership facts: nothing to judge', grant: human(), expect: [] },
    {
      name: 'the grantee left: revoke',
      grant: human(),
      options: { facts: { orgMembership: { alice: false, carol: true } } },
      expect: [[5, 'grantee @alice is no longer a member of the organization: revoke by deleting grants/people/alice.yaml', 'error']],
    },
    {
      name: 'the owner of a service account left: hand it over',
      grant: service,
      path: 'grants/services/exporter.yaml',
      options: { facts: { orgMembership: { bob: false } } },
      expect: [[4, 'owner @bob is no longer a member of the organization: hand `exporter` to a new owner by pull request, or revoke it']],
    },
    {
      name: 'membership unknown for a login: not reported (the adapter fails closed instead)',
      grant: human(),
      options: { facts: { orgMembership: { carol: true } } },
      expect: [],
    },
    {
      name: 'logins compare case-insensitively',
      grant: human().replace('github: alice', 'github: Alice'),
      options: { facts: { orgMembership: { alice: false, carol: true } } },
      expect: [[5, 'grantee @Alice is no longer a member']],
    },
    {
      name: 'a leaver who owns their own grant is reported once',
      grant: human().replace('owner: carol', 'owner: alice'),
      options: { facts: { orgMembership: { alice: false } } },
      expect: [[5, 'grantee @alice']],
    },
  ];
  it.each(cases)('$name', (c) => void checkCase('owner-left-org', c));
});
