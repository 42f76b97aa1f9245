import { describe, it } from 'vitest';
import { CONFIG, checkCase, human, y, type Case } from './harness.ts';

const STRICT = CONFIG.replace('extends: soc2-baseline', 'extends: strict');

const CREDENTIAL = y`
  credential:
    type: password
    rotation_days: 30
    last_rotated: 2026-11-20
    storage: 1password:vault/ops/admin
    revocation: reset the password and disable the login
`;
const ACCESS = y`
  access:
    - system: db
      role: admin
      justification: Emergency recovery when automation is down
      expires: 2027-03-31
`;

/** Lines: 3 kind, 11 shared, 12 holders, 13 compensating_controls, 14 exception, 15 reason, 16 controls, 17 expires. */
function shared(opts: { kind?: string; shared?: string | null; exception?: string | null } = {}): string {
  const sharedBlock = opts.shared === null ? '' : (opts.shared ?? 'shared:\n  holders: [carol, dave]\n  compensating_controls: [checkout, mfa]\n');
  const exception =
    opts.exception === null
      ? ''
      : (opts.exception ??
        'exception:\n  reason: The database needs one superuser for recovery\n  compensating_controls: [checkout, session-logging]\n  expires: 2027-02-20\n');
  return `identity:\n  id: alice\n  kind: ${opts.kind ?? 'shared-account'}\n  owner: carol\n` + CREDENTIAL + sharedBlock + exception + ACCESS;
}

describe('shared-account-controls', () => {
  const cases: Case[] = [
    { name: 'holders, controls and an exception', grant: shared(), expect: [] },
    {
      name: 'no shared block: points at the kind',
      grant: shared({ shared: null }),
      expect: [[3, 'shared account `alice` has no shared block: list shared.holders and shared.compensating_controls']],
    },
    {
      name: 'no holders',
      grant: shared({ shared: 'shared:\n  holders: []\n  compensating_controls: [checkout]\n' }),
      expect: [[12, 'shared account `alice` names no holders: list every person who can use it']],
    },
    {
      name: 'no compensating controls',
      grant: shared({ shared: 'shared:\n  holders: [carol]\n  compensating_controls: []\n' }),
      expect: [[13, 'shared account `alice` needs at least one of checkout, mfa, session-logging in shared.compensating_controls']],
    },
    {
      name: 'controls outside the accepted set',
      grant: shared({ shared: 'shared:\n  holders: [carol]\n  compensating_controls: [video-review]\n' }),
      expect: [[13, 'needs at least one of checkout, mfa, session-logging']],
    },
    { name: 'controls compare case-insensitively', grant: shared({ shared: 'shared:\n  holders: [carol]\n  compensating_controls: [MFA]\n' }), expect: [] },
    {
      name: 'no exception: points at the kind',
      grant: shared({ exception: null }),
      expect: [[3, 'shared account `alice` is a deviation from one-person-one-identity: add an exception block']],
    },
    {
      name: 'options through access-ledger.yaml: no exception required',
      grant: shared({ exception: null }),
      options: { config: CONFIG + 'rules:\n  shared-account-controls: { options: { require_exception: false } }\n' },
      expect: [],
    },
    {
      name: 'the strict pack requires checkout, mfa and session-logging',
      grant: shared(),
      options: { config: STRICT, systems: {} },
      files: {
        'systems/db.yaml':
          'id: db\nname: DB\ncategory: database\nowner: carol\napprovers: [dave]\nevidence: { provisioning: terraform, activity: pgaudit, review: role report }\n',
      },
      expect: [[13, 'shared account `alice` lacks the compensating controls session-logging: add them to shared.compensating_controls', 'error']],
    },
    {
      name: 'a shared block on another kind',
      grant: shared({ kind: 'service-account' }),
      expect: [[11, 'only shared-account identities carry a shared block: remove it or change identity.kind']],
      alsoFrom: ['prefer-federated-credentials'],
    },
  ];
  it.each(cases)('$name', (c) => void checkCase('shared-account-controls', c));
});

/** Lines: 3 kind, 11 vendor, 12 name, 13 data_scope, 14 offboarding. */
function integration(vendor: string | null): string {
  const credential =
    'credential:\n  type: oauth-token\n  rotation_days: 180\n  last_rotated: 2026-11-01\n  storage: held by the vendor\n  revocation: revoke the OAuth app\n';
  return 'identity:\n  id: alice\n  kind: integration\n  owner: carol\n' + credential + (vendor ?? '') + ACCESS;
}

describe('vendor-offboarding', () => {
  const cases: Case[] = [
    {
      name: 'name, data scope and offboarding',
      grant: integration(
        'vendor:\n  name: Example CRM Inc.\n  data_scope: customer contact records\n  offboarding: revoke the OAuth app, then delete this file\n',
      ),
      expect: [],
    },
    {
      name: 'no vendor block: points at the kind',
      grant: integration(null),
      expect: [[3, 'integration `alice` has no vendor block: add vendor.name, vendor.data_scope and vendor.offboarding']],
    },
    {
      name: 'no offboarding: points at the vendor key',
      grant: integration('vendor:\n  name: Example CRM Inc.\n  data_scope: customer contact records\n'),
      expect: [[11, 'integration `alice` does not say how to offboard the vendor: add vendor.offboarding']],
    },
    {
      name: 'no data scope',
      grant: integration('vendor:\n  name: Example CRM Inc.\n  offboarding: revoke the OAuth app\n'),
      expect: [[11, 'integration `alice` does not say what data the vendor reaches: add vendor.data_scope']],
    },
    {
      name: 'blank offboarding and no data scope',
      grant: integration('vendor:\n  name: Example CRM Inc.\n  offboarding: " "\n'),
      expect: [
        [11, 'how to offboard'],
        [11, 'what data the vendor reaches'],
      ],
    },
    { name: 'other kinds need no vendor block', grant: human(), expect: [] },
  ];
  it.each(cases)('$name', (c) => void checkCase('vendor-offboarding', c));
});

describe('exception-governed', () => {
  /** Lines: 12 exception, 13 reason, 14 compensating_controls, 15 expires, 16 rules, 17 first rule. */
  const withException = (body: string) => human({ extra: 'exception:\n' + body });
  const cases: Case[] = [
    {
      name: 'reason, controls and expiry',
      grant: withException('  reason: The vendor tool cannot use personal accounts\n  compensating_controls: [session-logging]\n  expires: 2027-03-31\n'),
      expect: [],
    },
    {
      name: 'a reason too short to explain anything',
      grant: withException('  reason: legacy\n  compensating_controls: [session-logging]\n  expires: 2027-03-31\n'),
      expect: [[13, 'the exception for `alice` does not explain itself: write exception.reason (why the policy cannot be met)']],
    },
    {
      name: 'a reason of exactly 10 characters',
      grant: withException('  reason: legacy app\n  compensating_controls: [session-logging]\n  expires: 2027-03-31\n'),
      expect: [],
    },
    {
      name: 'no compensating controls',
      grant: withException('  reason: The vendor tool cannot use personal accounts\n  compensating_controls: []\n  expires: 2027-03-31\n'),
      expect: [[14, 'the exception for `alice` lists no compensating controls: say what reduces the risk instead']],
    },
    {
      name: 'waives a rule that does not exist',
      grant: withException(
        '  reason: The vendor tool cannot use personal accounts\n  compensating_controls: [session-logging]\n  expires: 2027-03-31\n  rules:\n    - expiry-max-days\n    - justification-requried\n',
      ),
      expect: [
        [18, 'the exception waives `justification-requried`, which is not a rule: did you mean `justification-required`? use a rule id from docs/rules.md'],
      ],
    },
    {
      name: 'waives a rule like no rule: no guess',
      grant: withException(
        '  reason: The vendor tool cannot use personal accounts\n  compensating_controls: [session-logging]\n  expires: 2027-03-31\n  rules:\n    - everything\n',
      ),
      expect: [[17, 'the exception waives `everything`, which is not a rule: use a rule id from docs/rules.md']],
    },
    {
      name: 'options through access-ledger.yaml: min_reason_length 60',
      grant: withException('  reason: The vendor tool cannot use personal accounts\n  compensating_controls: [session-logging]\n  expires: 2027-03-31\n'),
      options: { config: CONFIG + 'rules:\n  exception-governed: { options: { min_reason_length: 60 } }\n' },
      expect: [[13, 'does not explain itself']],
    },
  ];
  it.each(cases)('$name', (c) => void checkCase('exception-governed', c));
});
