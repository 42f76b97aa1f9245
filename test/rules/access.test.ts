import { describe, it } from 'vitest';
import { CONFIG, checkCase, human, y, type Case } from './harness.ts';

const STRICT = CONFIG.replace('extends: soc2-baseline', 'extends: strict');
/** Under `strict` the default systems lack review evidence; those findings are not under test. */
const STRICT_SYSTEMS = ['system-evidence-sources'];
const withJustification = (text: string) => human().replace('justification: Investigates incidents from production rows', `justification: ${text}`);

describe('justification-required', () => {
  const cases: Case[] = [
    { name: 'a justification a reviewer can judge', grant: human(), expect: [] },
    {
      name: 'missing: points at the entry',
      grant: human().replace(/ {4}justification: .*\n/, ''),
      expect: [[7, 'access to `db` has no justification: add justification: saying why']],
    },
    { name: 'null', grant: withJustification('null'), expect: [[10, 'has no justification']] },
    { name: 'empty text', grant: withJustification('""'), expect: [[10, 'has no justification']] },
    {
      name: 'too short',
      grant: withJustification('needed'),
      expect: [[10, 'the justification for `db` is too short to judge (6 characters, at least 10): say what the access is used for']],
    },
    { name: 'exactly the minimum (10)', grant: withJustification('on-call 24'), expect: [] },
    { name: 'one under the minimum (9)', grant: withJustification('on-call 2'), expect: [[10, '(9 characters, at least 10)']] },
    { name: 'surrounding spaces do not count', grant: withJustification('"    on-call     "'), expect: [[10, '(7 characters, at least 10)']] },
    {
      name: 'the strict pack asks for 20 characters',
      grant: withJustification('Reads the orders db'),
      options: { config: STRICT },
      expect: [[10, '(19 characters, at least 20)', 'error']],
      alsoFrom: STRICT_SYSTEMS,
    },
    {
      name: 'options through access-ledger.yaml: min_length 3',
      grant: withJustification('needed'),
      options: { config: CONFIG + 'rules:\n  justification-required: { options: { min_length: 3 } }\n' },
      expect: [],
    },
    {
      name: 'severity warning through access-ledger.yaml',
      grant: withJustification('needed'),
      options: { config: CONFIG + 'rules:\n  justification-required: warning\n' },
      expect: [[10, 'too short', 'warning']],
    },
    {
      name: 'turned off through access-ledger.yaml',
      grant: withJustification('needed'),
      options: { config: CONFIG + 'rules:\n  justification-required: { severity: "off" }\n' },
      expect: [],
    },
  ];
  it.each(cases)('$name', (c) => void checkCase('justification-required', c));
});

const EXCEPTION = y`
  exception:
    reason: The vendor tool cannot use personal accounts
    compensating_controls: [session-logging]
`;

describe('expiry-required', () => {
  const cases: Case[] = [
    { name: 'has an expiry', grant: human(), expect: [] },
    {
      name: 'missing: points at the entry',
      grant: human().replace(/ {4}expires: .*\n/, ''),
      expect: [[7, 'access to `db` (readonly) has no expiry: add expires: YYYY-MM-DD']],
    },
    { name: 'null', grant: human({ expires: 'null' }), expect: [[7, 'has no expiry']] },
    {
      name: 'an exception without expiry: points at the exception key',
      grant: human({ extra: EXCEPTION }),
      expect: [[12, 'the exception has no expiry: add exception.expires']],
    },
    { name: 'an exception with expiry', grant: human({ extra: EXCEPTION + '  expires: 2027-03-31\n' }), expect: [] },
  ];
  it.each(cases)('$name', (c) => void checkCase('expiry-required', c));
});

const svc = (expires: string, privileged = false) => y`
  identity:
    id: alice
    kind: service-account
    owner: carol
  credential:
    type: oidc-federated
    revocation: remove the role binding
  access:
    - system: db
      role: billing_read
      privileged: ${privileged}
      justification: Reads invoices for the nightly export
      expires: ${expires}
`;

describe('expiry-max-days (counted from today, 2026-11-26)', () => {
  const cases: Case[] = [
    { name: 'human: 365 days ahead', grant: human({ expires: '2027-11-26' }), expect: [] },
    {
      name: 'human: 366 days ahead',
      grant: human({ expires: '2027-11-27' }),
      expect: [[11, 'expires 2027-11-27 is 366 days ahead; access may last at most 365 days: set expires to 2027-11-26 or earlier']],
    },
    { name: 'privileged: 90 days ahead', grant: human({ expires: '2027-02-24', privileged: true }), expect: [] },
    {
      name: 'privileged: 91 days ahead',
      grant: human({ expires: '2027-02-25', privileged: true }),
      expect: [[11, 'is 91 days ahead; privileged access may last at most 90 days: set expires to 2027-02-24 or earlier']],
    },
    { name: 'non-human: 365 days ahead', grant: svc('2027-11-26'), expect: [] },
    { name: 'non-human privileged: 91 days ahead', grant: svc('2027-02-25', true), expect: [[13, 'privileged access may last at most 90 days']] },
    {
      name: 'exception: 180 days ahead',
      grant: human({ extra: EXCEPTION + '  expires: 2027-05-25\n' }),
      expect: [],
    },
    {
      name: 'exception: 181 days ahead',
      grant: human({ extra: EXCEPTION + '  expires: 2027-05-26\n' }),
      expect: [[15, 'the exception expires 2027-05-26, 181 days ahead; exceptions may last at most 180 days: set exception.expires to 2027-05-25 or earlier']],
    },
    { name: 'leap day today (2028-02-29): 365 days is 2029-02-28', grant: human({ expires: '2029-02-28' }), options: { today: '2028-02-29' }, expect: [] },
    {
      name: 'leap day today (2028-02-29): 2029-03-01 is 366 days',
      grant: human({ expires: '2029-03-01' }),
      options: { today: '2028-02-29' },
      expect: [[11, 'is 366 days ahead']],
    },
    {
      name: 'a year that crosses a leap day: 2027-03-01 to 2028-02-29 is 365 days',
      grant: human({ expires: '2028-02-29' }),
      options: { today: '2027-03-01' },
      expect: [],
    },
    {
      name: 'a year that crosses a leap day: 2028-03-01 is 366 days',
      grant: human({ expires: '2028-03-01' }),
      options: { today: '2027-03-01' },
      expect: [[11, 'is 366 days ahead; access may last at most 365 days: set expires to 2028-02-29']],
    },
    {
      name: 'the strict pack allows 180 days for humans',
      grant: human({ expires: '2027-05-31' }),
      options: { config: STRICT },
      expect: [[11, 'is 186 days ahead; access may last at most 180 days']],
      alsoFrom: STRICT_SYSTEMS,
    },
    {
      name: 'the strict pack allows 30 days for privileged access',
      grant: human({ expires: '2026-12-27', privileged: true }),
      options: { config: STRICT },
      expect: [[11, 'is 31 days ahead; privileged access may last at most 30 days: set expires to 2026-12-26']],
      alsoFrom: STRICT_SYSTEMS,
    },
    {
      name: 'options through access-ledger.yaml tighten one key and keep the others',
      grant: svc('2027-06-01'),
      options: { config: CONFIG + 'rules:\n  expiry-max-days: { options: { non_human: 180 } }\n' },
      expect: [[13, 'is 187 days ahead; access may last at most 180 days']],
    },
    {
      name: 'the privileged window never lengthens a shorter base window',
      grant: svc('2027-01-26', true),
      options: { config: CONFIG + 'rules:\n  expiry-max-days: { options: { non_human: 30 } }\n' },
      expect: [[13, 'is 61 days ahead; privileged access may last at most 30 days']],
    },
    { name: 'a past expiry is not this rule', grant: human({ expires: '2026-01-01' }), expect: [], alsoFrom: ['expiry-in-future'] },
  ];
  it.each(cases)('$name', (c) => void checkCase('expiry-max-days', c));
});

describe('expiry-in-future', () => {
  const cases: Case[] = [
    { name: 'expires tomorrow', grant: human({ expires: '2026-11-27' }), expect: [], alsoFrom: ['expiring-soon'] },
    { name: 'expires today: valid through its expiry day', grant: human({ expires: '2026-11-26' }), expect: [], alsoFrom: ['expiring-soon'] },
    {
      name: 'expired yesterday',
      grant: human({ expires: '2026-11-25' }),
      expect: [[11, 'access to `db` expired on 2026-11-25 (1 day ago): set a future date to renew, or delete the entry to revoke']],
    },
    {
      name: 'leap day: valid on 2028-02-29',
      grant: human({ expires: '2028-02-29' }),
      options: { today: '2028-02-29' },
      expect: [],
      alsoFrom: ['expiring-soon'],
    },
    {
      name: 'leap day: expired on 2028-03-01',
      grant: human({ expires: '2028-02-29' }),
      options: { today: '2028-03-01' },
      expect: [[11, 'expired on 2028-02-29']],
    },
    {
      name: 'an expired exception',
      grant: human({ extra: EXCEPTION + '  expires: 2026-11-01\n' }),
      expect: [[15, "the exception expired on 2026-11-01: renew it with the admins' approval, or remove the deviation"]],
    },
    {
      name: 'severity warning through access-ledger.yaml',
      grant: human({ expires: '2026-11-25' }),
      options: { config: CONFIG + 'rules:\n  expiry-in-future: warning\n' },
      expect: [[11, 'expired on 2026-11-25', 'warning']],
    },
  ];
  it.each(cases)('$name', (c) => void checkCase('expiry-in-future', c));
});
