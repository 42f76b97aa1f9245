/**
 * Declared roles: a system that lists its roles decides which roles exist and which are
 * privileged, so a grant cannot talk a superuser role down to ordinary access.
 */
import { describe, expect, it } from 'vitest';
import { declaredRole, effectivePrivileged } from '../../src/core/model/roles.ts';
import type { AccessEntry, System } from '../../src/core/model/types.ts';
import { buildSnapshot } from '../../src/core/model/snapshot.ts';
import { CONFIG, SYSTEMS, checkCase, human, run, y, type Case } from './harness.ts';

const DB: System = {
  id: 'db',
  name: 'Production database',
  category: 'database',
  roles: { superuser: { privileged: true, description: 'Full control' }, readonly: {}, writer: { privileged: false } },
};
const BARE: System = { id: 'db', name: 'Production database', category: 'database' };

describe('declaredRole', () => {
  const cases: [name: string, system: System | undefined, role: string, expected: ReturnType<typeof declaredRole>][] = [
    ['an unknown system declares nothing', undefined, 'superuser', undefined],
    ['a system without roles declares nothing', BARE, 'superuser', undefined],
    ['an empty roles mapping declares nothing', { ...BARE, roles: {} }, 'superuser', undefined],
    ['a role declared privileged', DB, 'superuser', { declared: true, privileged: true }],
    ['a role declared with no privileged key is not privileged', DB, 'readonly', { declared: true, privileged: false }],
    ['a role declared privileged: false', DB, 'writer', { declared: true, privileged: false }],
    ['a role the system does not list', DB, 'admin', { declared: false, privileged: false }],
    ['names match exactly: case counts', DB, 'Superuser', { declared: false, privileged: false }],
    ['names match exactly: spaces count', DB, 'superuser ', { declared: false, privileged: false }],
    ['an inherited name is not declared: constructor', DB, 'constructor', { declared: false, privileged: false }],
    ['an inherited name is not declared: __proto__', DB, '__proto__', { declared: false, privileged: false }],
    ['an inherited name is not declared: toString', DB, 'toString', { declared: false, privileged: false }],
    [
      'privileged must be the boolean true',
      { ...BARE, roles: { odd: { privileged: 'yes' as unknown as boolean } } },
      'odd',
      { declared: true, privileged: false },
    ],
  ];
  it.each(cases)('%s', (_, system, role, expected) => expect(declaredRole(system, role)).toEqual(expected));
});

describe('effectivePrivileged', () => {
  const entry = (role: string, privileged?: boolean): AccessEntry => ({ system: 'db', role, ...(privileged === undefined ? {} : { privileged }) });
  const cases: [name: string, entry: AccessEntry, system: System | undefined, expected: boolean][] = [
    ['the entry says privileged, the system lists no roles', entry('superuser', true), BARE, true],
    ['the entry says not privileged, the system lists no roles', entry('superuser', false), BARE, false],
    ['the entry is silent, the system is unknown', entry('superuser'), undefined, false],
    ['the entry says privileged: false on a role declared privileged', entry('superuser', false), DB, true],
    ['the entry is silent on a role declared privileged', entry('superuser'), DB, true],
    ['the entry says privileged on a role declared ordinary', entry('readonly', true), DB, true],
    ['both say ordinary', entry('readonly', false), DB, false],
    ['an undeclared role is as privileged as the entry says', entry('admin', false), DB, false],
    ['an inherited name is never privileged by declaration', entry('constructor'), DB, false],
  ];
  it.each(cases)('%s', (_, e, system, expected) => expect(effectivePrivileged(e, system)).toBe(expected));
});

/** `db` as in the shared fixtures, with its roles declared. */
const DB_ROLES = y`
  roles:
    superuser: { privileged: true, description: Full control of every schema }
    readonly: { description: SELECT on the reporting schema }
    writer: {}
`;
const DECLARED = { ...SYSTEMS, 'systems/db.yaml': SYSTEMS['systems/db.yaml']! + DB_ROLES };
/** alice's grant on `db` with this role, expiring within the privileged window (2027-02-01). */
const withRole = (role: string, privileged?: boolean | null) => {
  const g = human({ expires: '2027-02-01' }).replace('role: readonly', `role: ${role}`);
  if (privileged === null) return g.replace(/ {4}privileged: .*\n/, '');
  return privileged === undefined ? g : g.replace('privileged: false', `privileged: ${privileged}`);
};

describe('role-declared', () => {
  const declared = { systems: DECLARED };
  const cases: Case[] = [
    { name: 'a system that lists no roles: any role, as the grant says', grant: withRole('superuser', false), expect: [] },
    { name: 'a declared ordinary role with privileged: false', grant: withRole('readonly', false), options: declared, expect: [] },
    { name: 'a declared ordinary role with no privileged key', grant: withRole('writer', null), options: declared, expect: [] },
    { name: 'a declared privileged role with privileged: true', grant: withRole('superuser', true), options: declared, expect: [] },
    {
      name: 'an undeclared role, with a suggestion and the declared names',
      grant: withRole('superusr', true),
      options: declared,
      expect: [
        [
          8,
          'role `superusr` is not declared for system `db`: did you mean `superuser`? (systems/db.yaml declares `superuser`, `readonly`, `writer`): use a declared role, or have the admins add `superusr` under roles: in systems/db.yaml',
        ],
      ],
    },
    {
      name: 'an undeclared role with nothing close: no suggestion',
      grant: withRole('billing_admin'),
      options: declared,
      expect: [[8, 'role `billing_admin` is not declared for system `db` (systems/db.yaml declares']],
    },
    {
      name: 'case counts, and the suggestion finds the declared spelling',
      grant: withRole('SUPERUSER', true),
      options: declared,
      expect: [[8, 'did you mean `superuser`?']],
    },
    {
      name: 'attack: privileged: false on a role declared privileged (one approval, a year) is reported at the privileged line',
      grant: withRole('superuser', false),
      options: declared,
      expect: [[9, 'role `superuser` on `db` is declared privileged in systems/db.yaml, but this entry says privileged: false: write privileged: true']],
    },
    {
      name: 'attack: leaving privileged out on a role declared privileged is reported at the role',
      grant: withRole('superuser', null),
      options: declared,
      expect: [[8, 'role `superuser` on `db` is declared privileged in systems/db.yaml: add privileged: true to this entry']],
    },
    {
      name: 'privileged: true on a role declared ordinary says what to write',
      grant: withRole('readonly', true),
      options: declared,
      expect: [
        [
          9,
          'role `readonly` on `db` is not declared privileged in systems/db.yaml, but this entry says privileged: true: write privileged: false (or remove the line)',
        ],
      ],
    },
    {
      name: 'attack: a role named after an inherited property (constructor) is not declared',
      grant: withRole('constructor'),
      options: declared,
      expect: [[8, 'role `constructor` is not declared for system `db`']],
    },
    {
      name: 'attack: a role named __proto__ is not declared',
      grant: withRole('"__proto__"'),
      options: declared,
      expect: [[8, 'role `__proto__` is not declared for system `db`']],
    },
    {
      name: 'attack: trailing spaces in a quoted role do not match',
      grant: withRole('"superuser "', true),
      options: declared,
      expect: [[8, 'role `superuser ` is not declared for system `db`: did you mean `superuser`?']],
    },
    {
      name: 'each entry is judged against its own system',
      grant: human({
        extra:
          '  - system: wiki\n    role: editor\n    justification: Edits the runbooks after incidents\n    expires: 2027-03-31\n  - system: db\n    role: owner\n    justification: Migrates the schema every release\n    expires: 2027-02-01\n',
      }),
      options: declared,
      expect: [[17, 'role `owner` is not declared for system `db`']],
    },
    {
      name: 'a long list of declared roles is cut short',
      grant: withRole('zzz'),
      options: {
        systems: { ...SYSTEMS, 'systems/db.yaml': SYSTEMS['systems/db.yaml']! + 'roles:\n' + Array.from({ length: 10 }, (_, i) => `  r${i}: {}\n`).join('') },
      },
      expect: [[8, '`r7` and 2 more): use a declared role']],
    },
    {
      name: "an unknown system is system-known's finding, not this rule's",
      grant: human().replace('system: db', 'system: dbx'),
      options: declared,
      expect: [],
      alsoFrom: ['system-known'],
    },
    {
      name: 'a system file that fails its schema declares nothing (schema reports it)',
      grant: withRole('superuser', false),
      options: { systems: { ...SYSTEMS, 'systems/db.yaml': SYSTEMS['systems/db.yaml']! + 'roles:\n  superuser: { privileged: yes }\n' } },
      expect: [],
      alsoFrom: ['schema'],
    },
    {
      name: 'an exception may waive it, and it stays visible as a warning',
      grant:
        withRole('superuser', false) +
        y`
        exception:
          reason: The migration tool connects as superuser until the vendor fixes its grants
          compensating_controls: [session-logging]
          expires: 2027-01-31
          rules: [role-declared]
      `,
      options: declared,
      expect: [
        [
          9,
          'declared privileged in systems/db.yaml, but this entry says privileged: false: write privileged: true (privileged access needs the privileged number of approvals and expires sooner) (waived by the exception in this file until 2027-01-31)',
          'warning',
        ],
      ],
    },
    {
      name: 'severity warning through access-ledger.yaml',
      grant: withRole('superuser', false),
      options: { ...declared, config: CONFIG + 'rules:\n  role-declared: warning\n' },
      expect: [[9, 'write privileged: true', 'warning']],
    },
    {
      name: 'turned off through access-ledger.yaml',
      grant: withRole('nope'),
      options: { ...declared, config: CONFIG + 'rules:\n  role-declared: "off"\n' },
      expect: [],
    },
    {
      name: 'the strict pack has it as an error',
      grant: withRole('nope'),
      options: { ...declared, config: CONFIG.replace('extends: soc2-baseline', 'extends: strict') },
      expect: [[8, 'is not declared', 'error']],
      alsoFrom: ['system-evidence-sources'],
    },
  ];
  it.each(cases)('$name', (c) => void checkCase('role-declared', c));

  it("names the finding's identity, system and least-privilege controls", () => {
    const [f] = checkCase('role-declared', { name: '', grant: withRole('superuser', false), options: declared, expect: [[9, 'write privileged: true']] });
    expect(f).toMatchObject({ identity: 'alice', system: 'db', file: 'grants/people/alice.yaml', line: 9, column: 17 });
    expect(f!.controls).toEqual(['SOC2:CC6.3', 'NIST-CSF-2.0:PR.AA-05', 'OWASP-NHI:NHI5:2025', 'CIS-v8:6.8', 'ISO27001:A.8.2']);
  });
});

describe('expiry-max-days on declared roles', () => {
  const declared = { systems: DECLARED, only: ['expiry-max-days'] };
  const cases: Case[] = [
    {
      name: 'attack: privileged: false on a role declared privileged still gets the privileged window',
      grant: withRole('superuser', false).replace('expires: 2027-02-01', 'expires: 2027-11-26'),
      options: declared,
      expect: [
        [
          11,
          'is 365 days ahead; `superuser` is declared privileged in systems/db.yaml, and privileged access may last at most 90 days: set expires to 2027-02-24 or earlier',
        ],
      ],
    },
    {
      name: 'a role declared privileged: 90 days is allowed',
      grant: withRole('superuser', null).replace('expires: 2027-02-01', 'expires: 2027-02-24'),
      options: declared,
      expect: [],
    },
    {
      name: 'a role declared ordinary keeps the long window',
      grant: withRole('readonly', false).replace('expires: 2027-02-01', 'expires: 2027-11-26'),
      options: declared,
      expect: [],
    },
    {
      name: "the entry's own privileged: true still counts on an ordinary role",
      grant: withRole('readonly', true).replace('expires: 2027-02-01', 'expires: 2027-11-26'),
      options: declared,
      expect: [[11, 'privileged access may last at most 90 days']],
    },
    {
      name: "attack: a change that declassifies the role on its own head is judged by the base's declaration",
      grant: withRole('superuser', false).replace('expires: 2027-02-01', 'expires: 2027-11-26'),
      options: {
        systems: { ...SYSTEMS, 'systems/db.yaml': SYSTEMS['systems/db.yaml']! + DB_ROLES.replace('privileged: true', 'privileged: false') },
        base: DECLARED,
        only: ['expiry-max-days'],
      },
      expect: [[11, '`superuser` is declared privileged in systems/db.yaml on the base branch, and privileged access may last at most 90 days']],
    },
  ];
  it.each(cases)('$name', (c) => void checkCase('expiry-max-days', c));
});

describe("the system file's roles (schema)", () => {
  const sys = (roles: string) => ({
    'systems/crm.yaml': 'id: crm\nname: CRM\ncategory: saas\nowner: carol\napprovers: [dave]\nevidence: { provisioning: Okta, activity: log }\n' + roles,
  });
  const cases: Case[] = [
    {
      name: 'roles with and without privileged and description',
      files: sys('roles:\n  admin: { privileged: true, description: Everything }\n  viewer: {}\n'),
      expect: [],
    },
    { name: 'an empty roles mapping', files: sys('roles: {}\n'), expect: [[7, 'roles is empty: list at least one entry under it, or remove it']] },
    {
      name: 'a role with no value',
      files: sys('roles:\n  viewer:\n'),
      expect: [[8, 'roles.viewer must be a mapping: write `viewer: {}` for an ordinary role, or `viewer: { privileged: true }`']],
    },
    { name: 'privileged as text', files: sys('roles:\n  admin: { privileged: "yes" }\n'), expect: [[8, 'roles.admin.privileged must be boolean, not text']] },
    {
      name: "a typo in a role's key",
      files: sys('roles:\n  admin: { priviledged: true }\n'),
      expect: [[8, 'unknown key `priviledged` under roles.admin: did you mean `privileged`?']],
    },
    { name: 'roles as a list', files: sys('roles: [admin, viewer]\n'), expect: [[7, 'roles must be a mapping, not a list']] },
    {
      name: 'an empty role name, at its key',
      files: sys('roles:\n  "": {}\n  viewer: {}\n'),
      expect: [[8, 'a key under roles is empty: names there are 1 to 200 characters']],
    },
    {
      name: 'a role name longer than a grant may write',
      files: sys(`roles:\n  ${'a'.repeat(201)}: {}\n`),
      expect: [[8, 'a key under roles is 201 characters long: names there are 1 to 200 characters']],
    },
  ];
  it.each(cases)('$name', (c) => void checkCase('schema', c));

  it("a role named __proto__ is the system's own key, not a prototype", () => {
    const snapshot = buildSnapshot([{ path: 'systems/db.yaml', content: 'id: db\nname: DB\ncategory: database\nroles:\n  __proto__: { privileged: true }\n' }]);
    const system = snapshot.systems[0]!.data!;
    expect(Object.getPrototypeOf(system.roles)).toBe(Object.prototype);
    expect(declaredRole(system, '__proto__')).toEqual({ declared: true, privileged: true });
    expect(declaredRole(system, 'privileged')).toEqual({ declared: false, privileged: false });
  });
});

describe('validate: the whole repo', () => {
  it("passes a repo whose grants match their systems' declarations", () => {
    const findings = run(
      { 'grants/people/alice.yaml': withRole('superuser', true).replace('expires: 2027-02-01', 'expires: 2027-02-01') },
      { systems: DECLARED },
    );
    expect(findings.map((f) => `${f.rule} ${f.message}`)).toEqual([]);
  });
});
