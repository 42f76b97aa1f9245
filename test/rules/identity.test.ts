import { describe, it } from 'vitest';
import { checkCase, y, type Case } from './harness.ts';

const svc = (id: string, owner: string | null = 'carol') => y`
  identity:
    id: ${id}
    kind: service-account
    owner: ${owner}
  credential:
    type: oidc-federated
    revocation: remove the role binding
  access:
    - system: db
      role: billing_read
      justification: Reads invoices for the nightly export
      expires: 2027-03-31
`;

const person = (id: string, github: string) => y`
  identity:
    id: ${id}
    kind: human
    owner: carol
    github: ${github}
  access:
    - system: wiki
      role: editor
      justification: Writes the runbooks for the on-call rotation
      expires: 2027-03-31
`;

describe('identity-file-name', () => {
  const cases: Case[] = [
    { name: 'grant named after its id', path: 'grants/services/exporter.yaml', grant: svc('exporter'), expect: [] },
    { name: 'any depth of sub-folders', path: 'grants/a/b/c/exporter.yml', grant: svc('exporter'), expect: [] },
    {
      name: 'grant id differs from the file name',
      path: 'grants/services/export.yaml',
      grant: svc('exporter'),
      expect: [[2, 'identity.id `exporter` differs from the file name `export`: rename the file to exporter.yaml or set the id to `export`']],
    },
    {
      name: 'case matters: Exporter.yaml is not exporter',
      path: 'grants/services/Exporter.yaml',
      grant: svc('exporter'),
      expect: [[2, 'differs from the file name `Exporter`']],
    },
    {
      name: 'system id differs from the file name',
      files: {
        'systems/postgres.yaml':
          'id: pg\nname: Postgres\ncategory: database\nowner: carol\napprovers: [dave]\nevidence: { provisioning: terraform, activity: pgaudit }\n',
      },
      expect: [[1, 'system id `pg` differs from the file name `postgres`: rename the file to systems/pg.yaml']],
    },
  ];
  it.each(cases)('$name', (c) => void checkCase('identity-file-name', c));
});

describe('access-path', () => {
  const cases: Case[] = [
    { name: 'the exact layout', path: 'grants/services/exporter.yaml', grant: svc('exporter'), expect: [] },
    { name: 'sub-folders may use any case', path: 'grants/Services/exporter.yml', grant: svc('exporter'), expect: [] },
    {
      name: 'Grants/ is read as a grant, and must be renamed',
      path: 'Grants/services/exporter.yaml',
      grant: svc('exporter'),
      expect: [[1, "`Grants/services/exporter.yaml` differs from the access repo's layout only by case: rename it to `grants/services/exporter.yaml`"]],
    },
    {
      name: 'an upper-case extension',
      path: 'grants/services/exporter.YAML',
      grant: svc('exporter'),
      expect: [[1, 'rename it to `grants/services/exporter.yaml`']],
    },
    {
      name: 'a system under SYSTEMS/',
      files: {
        'SYSTEMS/pg.yaml':
          'id: pg\nname: Postgres\ncategory: database\nowner: carol\napprovers: [dave]\nevidence: { provisioning: terraform, activity: pgaudit }\n',
      },
      expect: [[1, 'rename it to `systems/pg.yaml`']],
    },
  ];
  it.each(cases)('$name', (c) => void checkCase('access-path', c));
});

describe('identity-unique', () => {
  const cases: Case[] = [
    { name: 'distinct ids', files: { 'grants/a/exporter.yaml': svc('exporter'), 'grants/b/importer.yaml': svc('importer') }, expect: [] },
    {
      name: 'same id in two folders: reported in both files',
      files: { 'grants/a/exporter.yaml': svc('exporter'), 'grants/b/exporter.yaml': svc('exporter') },
      expect: [
        [2, 'identity `exporter` is also defined in grants/b/exporter.yaml: keep one file per identity'],
        [2, 'identity `exporter` is also defined in grants/a/exporter.yaml'],
      ],
    },
    {
      name: 'three copies name the other two',
      files: { 'grants/a/x.yaml': svc('x'), 'grants/b/x.yaml': svc('x'), 'grants/c/x.yaml': svc('x') },
      expect: [
        [2, 'also defined in grants/b/x.yaml, grants/c/x.yaml'],
        [2, 'also defined in grants/a/x.yaml, grants/c/x.yaml'],
        [2, 'also defined in grants/a/x.yaml, grants/b/x.yaml'],
      ],
    },
    {
      name: 'one person, two human grant files (login compared case-insensitively)',
      files: { 'grants/people/alice.yaml': person('alice', 'alice'), 'grants/people/alice-admin.yaml': person('alice-admin', 'Alice') },
      expect: [
        [5, 'GitHub login `alice` is also the grantee in grants/people/alice.yaml: a person has one grant file'],
        [5, 'GitHub login `alice` is also the grantee in grants/people/alice-admin.yaml'],
      ],
    },
    {
      name: 'a service account may share a name with a person',
      files: { 'grants/people/alice.yaml': person('alice', 'alice'), 'grants/services/alice-bot.yaml': svc('alice-bot') },
      expect: [],
    },
  ];
  it.each(cases)('$name', (c) => void checkCase('identity-unique', c));
});

describe('owner-required', () => {
  const cases: Case[] = [
    { name: 'owner set', path: 'grants/s/exporter.yaml', grant: svc('exporter'), expect: [] },
    {
      name: 'owner null',
      path: 'grants/s/exporter.yaml',
      grant: svc('exporter', null),
      expect: [[4, 'identity `exporter` has no owner: set identity.owner to the GitHub login']],
    },
    {
      name: 'owner key missing: points at the identity: key',
      path: 'grants/s/exporter.yaml',
      grant: svc('exporter').replace('  owner: carol\n', ''),
      expect: [[1, 'has no owner']],
    },
    { name: 'owner empty', path: 'grants/s/exporter.yaml', grant: svc('exporter').replace('owner: carol', 'owner:'), expect: [[4, 'has no owner']] },
    {
      name: 'a non-human identity cannot own itself',
      path: 'grants/s/exporter.yaml',
      grant: svc('exporter', 'exporter'),
      expect: [[4, 'non-human identity `exporter` names itself as owner: the owner must be an accountable person']],
    },
    { name: 'a human may be their own owner', path: 'grants/people/carol.yaml', grant: person('carol', 'carol'), expect: [] },
  ];
  it.each(cases)('$name', (c) => void checkCase('owner-required', c));
});
