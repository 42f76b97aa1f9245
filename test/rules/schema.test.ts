/** The schema rule: each file matches its published JSON Schema, with a message that says what to write. */
import { describe, it } from 'vitest';
import { checkCase, human, type Case } from './harness.ts';

const sys = (body: string) => ({ 'systems/crm.yaml': 'id: crm\nname: CRM\n' + body });

describe('schema', () => {
  const cases: Case[] = [
    { name: 'a valid grant', grant: human(), expect: [] },
    {
      name: 'a kind that does not exist, with a suggestion',
      grant: human().replace('kind: human', 'kind: humen'),
      expect: [
        [3, 'identity.kind must be one of `human`, `service-account`, `api-key`, `ci-token`, `integration`, `shared-account`, `agent`: did you mean `human`?'],
      ],
    },
    {
      name: 'a required key missing',
      grant: human().replace('    role: readonly\n', ''),
      expect: [[7, 'access[0] is missing the required key `role`: add it']],
    },
    {
      name: 'no access list at all',
      grant: 'identity:\n  id: alice\n  kind: human\n  owner: carol\n  github: alice\n',
      expect: [[1, 'the top level is missing the required key `access`: add it']],
    },
    {
      name: 'a human without the grantee login',
      grant: human().replace('  github: alice\n', ''),
      expect: [
        [
          2,
          'a human identity needs identity.github (the GitHub login of the person being granted access), or, for a person without a GitHub account, github: null and identity.email',
        ],
      ],
    },
    {
      name: 'a person without a GitHub account: github null and an e-mail',
      grant: human().replace('  github: alice\n', '  github: null\n  email: alice@acme.example\n'),
      expect: [],
    },
    {
      name: 'github null without an e-mail',
      grant: human().replace('  github: alice\n', '  github: null\n'),
      expect: [[5, 'a human identity needs identity.github']],
    },
    {
      name: 'a list where a mapping belongs',
      grant: human().replace(/^access:\n(.|\n)*$/m, 'access:\n  system: db\n  role: readonly\n'),
      expect: [[7, 'access must be a list, not a mapping: fix the value']],
    },
    {
      name: 'text where a boolean belongs',
      grant: human().replace('privileged: false', 'privileged: "yes"'),
      expect: [[9, 'access[0].privileged must be boolean, not text: fix the value']],
    },
    {
      name: 'an impossible date',
      grant: human({ expires: '2027-02-30' }),
      expect: [[11, 'access[0].expires is not a real calendar date: write an existing day as YYYY-MM-DD']],
    },
    {
      name: 'a date-time where a date belongs',
      grant: human({ expires: '2027-03-31T12:00:00Z' }),
      expect: [[11, 'access[0].expires must be a date (YYYY-MM-DD), not a date-time: write 2027-03-31']],
    },
    {
      name: 'an id with upper case',
      grant: human({ id: 'Alice' }),
      path: 'grants/people/Alice.yaml',
      expect: [[2, 'identity.id has an invalid value: ids are lower-case letters, digits']],
    },
    { name: 'a login with a space', grant: human().replace('owner: carol', 'owner: carol smith'), expect: [[4, 'identity.owner has an invalid value']] },
    {
      name: 'a system category typo',
      files: sys('category: sass\nowner: carol\napprovers: [dave]\nevidence: { provisioning: Okta, activity: log }\n'),
      expect: [
        [
          3,
          'category must be one of `directory`, `cloud-console`, `database`, `ticketing`, `source-control`, `privileged-access`, `saas`, `ci-cd`, `other`: did you mean `saas`?',
        ],
      ],
    },
    {
      name: 'a team without the @',
      files: sys('category: saas\nowner: carol\napprovers: [acme/sales]\nevidence: { provisioning: Okta, activity: log }\n'),
      expect: [[5, 'approvers[0] has an invalid value: write a GitHub login or @org/team']],
    },
    { name: 'a config of the wrong version', files: { 'access-ledger.yaml': 'version: 2\nextends: soc2-baseline\n' }, expect: [[1, 'version must be 1']] },
    {
      name: 'an unknown key in a system, with a suggestion',
      files: sys('category: saas\nowner: carol\napprovers: [dave]\nreview_cadance_days: 90\nevidence: { provisioning: Okta, activity: log }\n'),
      expect: [[6, 'unknown key `review_cadance_days` under the top level: did you mean `review_cadence_days`?']],
    },
    {
      name: 'the schema rule set to warning through access-ledger.yaml',
      grant: human({ expires: '2027-02-30' }),
      options: { config: 'version: 1\nextends: soc2-baseline\nrules:\n  schema: warning\n' },
      expect: [[11, 'not a real calendar date', 'warning']],
    },
  ];
  it.each(cases)('$name', (c) => void checkCase('schema', c));
});
