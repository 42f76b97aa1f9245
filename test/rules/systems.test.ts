import { describe, it } from 'vitest';
import { CONFIG, checkCase, human, y, type Case } from './harness.ts';

const grantTo = (system: string) => human().replace('- system: db', `- system: ${system}`);

describe('system-known', () => {
  const cases: Case[] = [
    { name: 'system has a file', grant: grantTo('wiki'), expect: [] },
    {
      name: 'a near miss of a system id: did you mean',
      grant: grantTo('dbx'),
      expect: [[7, 'system `dbx` is not defined under systems/: did you mean `db`? Fix the id, or add systems/dbx.yaml']],
    },
    { name: 'a near miss of a longer id', grant: grantTo('wikki'), expect: [[7, 'system `wikki` is not defined under systems/: did you mean `wiki`?']] },
    {
      name: 'an id like no system: no guess',
      grant: grantTo('salesforce'),
      expect: [[7, 'system `salesforce` is not defined under systems/: fix the id or add systems/salesforce.yaml']],
    },
    {
      name: 'each unknown entry is reported at its own line',
      grant: human({
        extra:
          '  - system: crm\n    role: viewer\n    justification: Reads accounts for support cases\n    expires: 2027-03-31\n  - system: billing\n    role: viewer\n    justification: Reads invoices for support cases\n    expires: 2027-03-31\n',
      }),
      expect: [
        [12, 'system `crm` is not defined'],
        [16, 'system `billing` is not defined'],
      ],
    },
    {
      name: 'a system file that fails its schema still defines its id (no cascade of findings)',
      grant: grantTo('crm'),
      files: { 'systems/crm.yaml': 'id: crm\nname: CRM\ncategory: sass\n' },
      expect: [],
      alsoFrom: ['schema'],
    },
  ];
  it.each(cases)('$name', (c) => void checkCase('system-known', c));
});

const system = (body: string) => ({
  'systems/crm.yaml':
    y`
  id: crm
  name: CRM
  category: saas
` + body,
});

const EVIDENCE = 'evidence:\n  provisioning: Okta app assignment\n  activity: vendor audit log\n';

describe('system-owner-required', () => {
  const cases: Case[] = [
    { name: 'owner and approvers', files: system('owner: carol\napprovers: [dave]\n' + EVIDENCE), expect: [] },
    { name: 'a team may approve', files: system('owner: carol\napprovers: ["@acme/sales-ops"]\n' + EVIDENCE), expect: [] },
    {
      name: 'owner null',
      files: system('owner: null\napprovers: [dave]\n' + EVIDENCE),
      expect: [[4, 'system `crm` has no owner: set owner to the GitHub login']],
    },
    { name: 'owner missing: points at the top of the file', files: system('approvers: [dave]\n' + EVIDENCE), expect: [[1, 'system `crm` has no owner']] },
    {
      name: 'approvers empty',
      files: system('owner: carol\napprovers: []\n' + EVIDENCE),
      expect: [[5, 'system `crm` lists no approvers, so no grant to it can be approved']],
    },
    {
      name: 'neither',
      files: system(EVIDENCE),
      expect: [
        [1, 'has no owner'],
        [1, 'lists no approvers'],
      ],
    },
  ];
  it.each(cases)('$name', (c) => void checkCase('system-owner-required', c));
});

describe('system-evidence-sources', () => {
  const OWNED = 'owner: carol\napprovers: [dave]\n';
  const strict = CONFIG.replace('extends: soc2-baseline', 'extends: strict');
  const cases: Case[] = [
    { name: 'provisioning and activity named', files: system(OWNED + EVIDENCE), expect: [] },
    {
      name: 'no evidence block: points at the id (a warning in the baseline)',
      files: system(OWNED),
      expect: [
        [1, 'system `crm` has no evidence.activity', 'warning'],
        [1, 'has no evidence.provisioning', 'warning'],
      ],
    },
    {
      name: 'activity missing: points at the evidence key',
      files: system(OWNED + 'evidence:\n  provisioning: Okta app assignment\n'),
      expect: [[6, 'system `crm` has no evidence.activity: say where an auditor finds the activity log evidence', 'warning']],
    },
    {
      name: 'blank text counts as missing',
      files: system(OWNED + 'evidence:\n  provisioning: "  "\n  activity: vendor audit log\n'),
      expect: [[6, 'no evidence.provisioning']],
    },
    {
      name: 'the strict pack also requires review evidence, as an error',
      files: system(OWNED + EVIDENCE),
      options: { config: strict, systems: {} },
      expect: [[6, 'has no evidence.review', 'error']],
    },
    {
      name: 'options through access-ledger.yaml: only provisioning required',
      files: system(OWNED + 'evidence:\n  provisioning: Okta app assignment\n'),
      options: { config: CONFIG + 'rules:\n  system-evidence-sources: { options: { required: [provisioning] } }\n' },
      expect: [],
    },
    {
      name: 'severity raised to error through access-ledger.yaml',
      files: system(OWNED + 'evidence:\n  provisioning: Okta app assignment\n'),
      options: { config: CONFIG + 'rules:\n  system-evidence-sources: error\n' },
      expect: [[6, 'no evidence.activity', 'error']],
    },
  ];
  it.each(cases)('$name', (c) => void checkCase('system-evidence-sources', c));
});
