/** Connectors as tables: a system's own rows in, normalized accounts out; bad exports fail by line. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseAwsCredentialReport } from '../../src/core/observe/aws-iam.ts';
import { parseMappedExport, type ObserveConfig } from '../../src/core/observe/mapped.ts';
import { parseGithubOrgExport, GITHUB_EXPORT_FORMAT, type GithubOrgExport } from '../../src/core/observe/github-org.ts';
import { buildSnapshot, parseSnapshot, serializeSnapshot, runConnector } from '../../src/core/observe/snapshot.ts';
import { parseBool, parseTime, shown } from '../../src/core/observe/values.ts';
import { ObserveError, type ObservedAccount } from '../../src/core/observe/types.ts';

const TAKEN = '2026-11-20T10:00:00Z';
const fixture = (name: string) => readFileSync(new URL(`../fixtures/observe/${name}`, import.meta.url));
const bytes = (text: string) => Buffer.from(text, 'utf8');

/** The fields a table compares: the rest (source rows) is checked separately. */
function brief(a: ObservedAccount) {
  return {
    principal: a.principal,
    kind: a.kind,
    roles: a.roles,
    privileged: a.privileged,
    last_used: a.last_used,
    mfa: a.mfa,
    credential_age_days: a.credential_age_days,
  };
}

const IAM_HEADER =
  'user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,password_next_rotation,mfa_active,access_key_1_active,access_key_1_last_rotated,access_key_1_last_used_date,access_key_1_last_used_region,access_key_1_last_used_service,access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date,access_key_2_last_used_region,access_key_2_last_used_service,cert_1_active,cert_1_last_rotated,cert_2_active,cert_2_last_rotated';

describe('values as systems write them', () => {
  it.each([
    ['2026-11-20T10:00:00+00:00', '2026-11-20T10:00:00Z'],
    ['2026-11-20T12:00:00+02:00', '2026-11-20T10:00:00Z'],
    ['2026-11-20 10:00:00+00', '2026-11-20T10:00:00Z'],
    ['2026-11-20T10:00:00.123Z', '2026-11-20T10:00:00Z'],
    ['2026-11-20T10:00Z', '2026-11-20T10:00:00Z'],
    ['2026-11-20 10:00:00', '2026-11-20T10:00:00Z'],
    ['2026-11-20', '2026-11-20'],
    ['N/A', null],
    ['no_information', null],
    ['not_supported', null],
    ['Never logged in', null],
    ['infinity', null],
    ['1970-01-01T00:00:00.000Z', null],
    ['', null],
  ])('time %j → %j', (input, expected) => {
    expect(parseTime(input, 'x')).toBe(expected);
  });

  it.each(['yesterday', '2026-02-30', '20/11/2026', '2026-11-20T25:00:00Z', '=cmd|x'])('time %j is an error naming where it is', (input) => {
    expect(() => parseTime(input, 'report.csv line 3, column last_login')).toThrow(/report\.csv line 3, column last_login .* not a date or time/);
  });

  it.each([
    ['true', true],
    ['TRUE', true],
    ['t', true],
    ['yes', true],
    ['1', true],
    ['Enabled', true],
    ['false', false],
    ['f', false],
    ['no', false],
    ['0', false],
    ['', null],
    ['N/A', null],
  ])('boolean %j → %j', (input, expected) => {
    expect(parseBool(input, 'x')).toBe(expected);
  });

  it('a name a spreadsheet would run as a formula is shown with an apostrophe before it, in one line', () => {
    expect(shown("=cmd|' /C calc'!A0")).toBe("`'=cmd|' /C calc'!A0`");
    expect(shown('+1')).toBe("`'+1`");
    expect(shown('@SUM(A1)')).toBe("`'@SUM(A1)`");
    expect(shown('a\nb\u001b[31mred')).toBe('`a bred`');
    expect(shown('x'.repeat(500)).length).toBeLessThan(130);
  });
});

describe('AWS IAM credential report', () => {
  it('the realistic fixture: root, people with and without MFA, workloads with old and fresh keys', () => {
    const r = parseAwsCredentialReport(fixture('aws-credential-report.csv'), 'report.csv', TAKEN);
    expect(r.scope).toBe('482100001111');
    expect(r.row_count).toBe(7);
    expect(r.accounts.map(brief)).toEqual([
      {
        principal: '<root_account>',
        kind: 'person',
        roles: ['root'],
        privileged: true,
        last_used: '2026-06-02T14:03:11Z',
        mfa: true,
        credential_age_days: null,
      },
      { principal: 'jokafor', kind: 'person', roles: [], privileged: null, last_used: '2026-11-18T08:41:02Z', mfa: true, credential_age_days: null },
      { principal: 'kjensen', kind: 'person', roles: [], privileged: null, last_used: '2026-11-17T19:22:40Z', mfa: false, credential_age_days: null },
      { principal: 'billing-exporter', kind: 'service', roles: [], privileged: null, last_used: '2026-11-19T02:00:14Z', mfa: false, credential_age_days: 49 },
      { principal: 'legacy-etl', kind: 'service', roles: [], privileged: null, last_used: '2026-11-19T23:10:00Z', mfa: false, credential_age_days: 669 },
      { principal: 'tkim', kind: 'person', roles: [], privileged: null, last_used: '2026-06-30T17:45:00Z', mfa: true, credential_age_days: null },
      { principal: 'datadog-integration', kind: 'service', roles: [], privileged: null, last_used: null, mfa: false, credential_age_days: 66 },
    ]);
    const etl = r.accounts.find((a) => a.principal === 'legacy-etl')!;
    expect(etl.names).toEqual(['legacy-etl', 'arn:aws:iam::482100001111:user/svc/legacy-etl']);
    expect(etl.credentials.map((c) => `${c.name} ${c.active} ${c.rotated_at}`)).toEqual([
      'access_key_1 true 2025-01-20T13:37:00Z',
      'access_key_2 true 2026-09-01T10:00:00Z',
    ]);
    expect(etl.source).toEqual([{ ref: 'line 6', row: expect.objectContaining({ user: 'legacy-etl', access_key_1_last_used_service: 'dynamodb' }) }]);
    expect(r.reports).toMatchObject({ roles: false, last_used: true, credentials: true, mfa: true });
  });

  it.each([
    ['a CSV that is not a credential report', 'name,email\nalice,a@x\n', /has no column `user`.*aws iam get-credential-report/],
    [
      'a row with one cell too many',
      `${IAM_HEADER}\nalice,arn,2020-01-01,true,N/A,N/A,N/A,true,false,N/A,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A,extra\n`,
      /not a well-formed CSV file at line 2/,
    ],
    ['a quote never closed', `${IAM_HEADER}\n"alice,arn\n`, /not a well-formed CSV file/],
    [
      'a date that is not one',
      `${IAM_HEADER}\nalice,arn:aws:iam::1:user/alice,last tuesday,true,N/A,N/A,N/A,true,false,N/A,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A\n`,
      /line 2, column user_creation_time is `last tuesday`, which is not a date or time/,
    ],
    [
      'the same user twice',
      `${IAM_HEADER}\n${'bob,arn:aws:iam::1:user/bob,2020-01-01,false,N/A,N/A,N/A,false,false,N/A,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A\n'.repeat(2)}`,
      /line 3, column user: the user `bob` is listed twice/,
    ],
    ['an empty file', '', /is empty/],
    ['bytes that are not UTF-8', Buffer.from([0x75, 0x73, 0x65, 0x72, 0x0a, 0xff, 0xfe, 0x0a]), /is not UTF-8 text/],
  ])('%s fails with the line and what to do', (_, input, message) => {
    expect(() => parseAwsCredentialReport(typeof input === 'string' ? bytes(input) : input, 'report.csv', TAKEN)).toThrow(message);
  });
});

describe('mapped CSV and JSON exports', () => {
  const okta: ObserveConfig = {
    format: 'json',
    columns: { account: 'profile.login', email: 'profile.email', last_used: 'lastLogin', created: 'created', active: 'status' },
    active_values: ['ACTIVE', 'PASSWORD_EXPIRED', 'LOCKED_OUT', 'RECOVERY'],
  };
  const cases: { name: string; config: ObserveConfig; input: string; expect: ReturnType<typeof brief>[]; rows?: number }[] = [
    {
      name: 'one row per group: one account with every role, privileged by a listed role',
      config: { format: 'csv', columns: { account: 'email', role: 'group', last_used: 'last_login' }, privileged_roles: ['Admins'] },
      input: 'email,group,last_login\nalice@acme.com,Engineering,2026-11-01\nalice@acme.com,admins,2026-11-10\nbob@acme.com,Engineering,\n',
      expect: [
        {
          principal: 'alice@acme.com',
          kind: 'person',
          roles: ['Engineering', 'admins'],
          privileged: true,
          last_used: '2026-11-10',
          mfa: null,
          credential_age_days: null,
        },
        { principal: 'bob@acme.com', kind: 'person', roles: ['Engineering'], privileged: false, last_used: null, mfa: null, credential_age_days: null },
      ],
      rows: 3,
    },
    {
      name: 'PostgreSQL roles: superuser flag, login roles only, memberships split by ;',
      config: {
        format: 'csv',
        columns: { account: 'rolname', privileged: 'rolsuper', active: 'rolcanlogin', role: 'member_of', expires: 'rolvaliduntil' },
        role_separator: ';',
        kind: 'service',
      },
      input:
        'rolname,rolsuper,rolcanlogin,rolvaliduntil,member_of\npostgres,t,t,,\nbilling_exporter,f,t,2027-01-31 00:00:00+00,billing_read;pg_monitor\nbilling_read,f,f,,\n',
      expect: [
        { principal: 'postgres', kind: 'service', roles: [], privileged: true, last_used: null, mfa: null, credential_age_days: null },
        {
          principal: 'billing_exporter',
          kind: 'service',
          roles: ['billing_read', 'pg_monitor'],
          privileged: false,
          last_used: null,
          mfa: null,
          credential_age_days: null,
        },
      ],
      rows: 3,
    },
    {
      name: 'Google Workspace (GAM): admins, 2-step verification, suspended users left out',
      config: {
        format: 'csv',
        columns: {
          account: 'primaryEmail',
          privileged: 'isAdmin',
          mfa: 'isEnrolledIn2Sv',
          last_used: 'lastLoginTime',
          created: 'creationTime',
          disabled: 'suspended',
        },
      },
      input:
        'primaryEmail,isAdmin,isEnrolledIn2Sv,lastLoginTime,creationTime,suspended\nceo@acme.com,True,True,2026-11-19T08:00:00.000Z,2019-01-01T00:00:00.000Z,False\nintern@acme.com,False,False,1970-01-01T00:00:00.000Z,2026-06-01T00:00:00.000Z,False\nleft@acme.com,False,True,2026-01-01T00:00:00.000Z,2020-01-01T00:00:00.000Z,True\n',
      expect: [
        { principal: 'ceo@acme.com', kind: 'person', roles: [], privileged: true, last_used: '2026-11-19T08:00:00Z', mfa: true, credential_age_days: null },
        // The epoch is how Workspace says "never signed in".
        { principal: 'intern@acme.com', kind: 'person', roles: [], privileged: false, last_used: null, mfa: false, credential_age_days: null },
      ],
      rows: 3,
    },
    {
      name: 'Okta users (API JSON): nested fields, statuses that mean active',
      config: okta,
      input: JSON.stringify([
        {
          id: '00u1',
          status: 'ACTIVE',
          created: '2024-01-02T03:04:05.000Z',
          lastLogin: '2026-11-18T09:00:00.000Z',
          profile: { login: 'alice@acme.com', email: 'alice@acme.com' },
        },
        {
          id: '00u2',
          status: 'DEPROVISIONED',
          created: '2023-01-02T03:04:05.000Z',
          lastLogin: null,
          profile: { login: 'gone@acme.com', email: 'gone@acme.com' },
        },
        { id: '00u3', status: 'LOCKED_OUT', created: '2025-01-02T03:04:05.000Z', lastLogin: null, profile: { login: 'bob', email: 'bob@acme.com' } },
      ]),
      expect: [
        { principal: 'alice@acme.com', kind: 'person', roles: [], privileged: null, last_used: '2026-11-18T09:00:00Z', mfa: null, credential_age_days: null },
        { principal: 'bob', kind: 'person', roles: [], privileged: null, last_used: null, mfa: null, credential_age_days: null },
      ],
      rows: 3,
    },
    {
      name: 'JSON with the list inside an object, roles as a list, kinds from a column',
      config: { format: 'json', records: 'data.users', columns: { account: 'name', role: 'groups', kind: 'type' } },
      input: JSON.stringify({
        data: {
          users: [
            { name: 'ci', groups: ['deploy', 'read'], type: 'bot' },
            { name: 'key-1', groups: [], type: 'token' },
          ],
        },
      }),
      expect: [
        { principal: 'ci', kind: 'service', roles: ['deploy', 'read'], privileged: null, last_used: null, mfa: null, credential_age_days: null },
        { principal: 'key-1', kind: 'key', roles: [], privileged: null, last_used: null, mfa: null, credential_age_days: null },
      ],
      rows: 2,
    },
  ];

  it.each(cases.map((c) => [c.name, c] as const))('%s', (_, c) => {
    const r = parseMappedExport(bytes(c.input), 'export', c.config);
    expect(r.accounts.map(brief)).toEqual(c.expect);
    if (c.rows !== undefined) expect(r.row_count).toBe(c.rows);
  });

  it('the Okta email is another name the account maps by; the source keeps the item and its JSON Pointer', () => {
    const r = parseMappedExport(bytes(JSON.stringify([{ status: 'ACTIVE', profile: { login: 'alice', email: 'alice@acme.com' } }])), 'users.json', okta);
    expect(r.accounts[0]!.names).toEqual(['alice', 'alice@acme.com']);
    expect(r.accounts[0]!.source).toEqual([{ ref: '/0', row: { status: 'ACTIVE', profile: { login: 'alice', email: 'alice@acme.com' } } }]);
  });

  it.each([
    [
      'a mapped column the header lacks',
      { format: 'csv', columns: { account: 'email', role: 'grp' } },
      'email,group\na@x,g\n',
      /has no column `grp`.*fix observe.columns/,
    ],
    ['an empty account', { format: 'csv', columns: { account: 'email' } }, 'email\n\n""\n', /line 3, column "email": the account is empty/],
    ['a status without active_values', { format: 'csv', columns: { account: 'u', active: 'status' } }, 'u,status\na,SUSPENDED\n', /active_values/],
    [
      'a kind no one knows',
      { format: 'csv', columns: { account: 'u', kind: 'k' } },
      'u,k\na,robot-overlord\n',
      /`robot-overlord`: use person, service, key or app/,
    ],
    ['JSON that is not a list', { format: 'json', columns: { account: 'u' } }, '{"users":[]}', /set observe.records in the system file to one of "users"/],
    ['JSON items that are not objects', { format: 'json', columns: { account: 'u' } }, '[1,2]', /item \/0 is not an object/],
    ['a field that holds an object', { format: 'json', columns: { account: 'u' } }, '[{"u":{"x":1}}]', /holds an object where a single value belongs/],
    ['invalid JSON', { format: 'json', columns: { account: 'u' } }, '[{"u":', /is not valid JSON/],
    ['no columns at all', { format: 'csv' }, 'u\na\n', /needs format \(csv or json\) and columns.account/],
  ] as const)('%s fails by name', (_, config, input, message) => {
    expect(() => parseMappedExport(bytes(input), 'export', config as ObserveConfig)).toThrow(message);
  });

  it('a field named like a prototype property is read only when the item has it', () => {
    const r = parseMappedExport(bytes(JSON.stringify([{ u: 'a' }, { u: 'b', constructor: 'x' }])), 'x.json', {
      format: 'json',
      columns: { account: 'u', role: 'constructor' },
    });
    expect(r.accounts.map((a) => a.roles)).toEqual([[], ['x']]);
    const csv = parseMappedExport(bytes('u,__proto__\na,admin\n'), 'x.csv', { format: 'csv', columns: { account: 'u', role: '__proto__' } });
    expect(csv.accounts[0]!.roles).toEqual(['admin']);
  });
});

describe('hostile CSV', () => {
  const config: ObserveConfig = { format: 'csv', columns: { account: 'account', role: 'role', last_used: 'last_used' } };

  it('quotes, doubled quotes, line breaks inside cells and a byte-order mark are read as the system wrote them', () => {
    const text = '\ufeffaccount,role,last_used\r\n"o""brien","read,write",2026-11-01\r\n"multi\nline",admin,\r\n';
    const r = parseMappedExport(bytes(text), 'x.csv', config);
    expect(r.accounts.map((a) => [a.principal, a.roles])).toEqual([
      ['o"brien', ['read,write']],
      ['multi\nline', ['admin']],
    ]);
    expect(r.accounts.map((a) => a.source[0]!.ref)).toEqual(['line 2', 'line 3']);
  });

  it('100,000 rows are all read', () => {
    const lines = ['account,role,last_used'];
    for (let i = 0; i < 100_000; i++) lines.push(`user${i}@acme.com,role-${i % 7},2026-11-${String(1 + (i % 28)).padStart(2, '0')}`);
    const r = parseMappedExport(bytes(lines.join('\n') + '\n'), 'big.csv', config);
    expect(r.row_count).toBe(100_000);
    expect(r.accounts).toHaveLength(100_000);
    expect(r.accounts[99_999]!.principal).toBe('user99999@acme.com');
  });

  it('a formula in a cell is kept as data and never starts a line of any message about it', () => {
    const formula = "=cmd|' /C calc'!A0";
    const r = parseMappedExport(bytes(`account,role,last_used\n"${formula}",admin,2026-11-01\n`), 'x.csv', config);
    expect(r.accounts[0]!.principal).toBe(formula);
    expect(() => parseMappedExport(bytes(`account,role,last_used\nx,admin,"${formula}"\n`), 'x.csv', config)).toThrow(
      /is `'=cmd\|' \/C calc'!A0`, which is not a date/,
    );
  });

  it('a row longer than any account listing holds is refused, not read', () => {
    expect(() => parseMappedExport(bytes(`account,role,last_used\n"${'x'.repeat(2 ** 20 + 10)}",a,\n`), 'x.csv', config)).toThrow(ObserveError);
  });
});

describe('the GitHub organization export', () => {
  const ex = (over: Partial<GithubOrgExport> = {}): GithubOrgExport => ({
    format: GITHUB_EXPORT_FORMAT,
    organization: 'acme',
    api: 'https://api.github.com',
    members: [
      { login: 'carol', id: 1, type: 'User' },
      { login: 'dave', id: 2, type: 'User' },
      { login: 'renovate-bot', id: 3, type: 'Bot' },
    ],
    admins: ['carol'],
    members_without_2fa: ['dave'],
    outside_collaborators: [{ login: 'vic', id: 4, type: 'User' }],
    outside_collaborators_without_2fa: [],
    repositories: [
      { name: 'portal', outside_collaborators: [{ login: 'vic', role_name: 'admin' }] },
      { name: 'docs', outside_collaborators: [{ login: 'vic', permissions: { pull: true, push: true } }] },
    ],
    teams: [{ slug: 'dba', name: 'DBA', members: ['dave'] }],
    installations: [
      { id: 10, app_slug: 'snyk', permissions: { contents: 'read', security_events: 'write' }, created_at: '2025-01-01T00:00:00Z', suspended_at: null },
      { id: 11, app_slug: 'deployer', permissions: { administration: 'write' }, created_at: '2025-01-01T00:00:00Z', suspended_at: null },
      { id: 12, app_slug: 'old-ci', permissions: { contents: 'write' }, suspended_at: '2026-01-01T00:00:00Z' },
    ],
    personal_access_tokens: [
      {
        id: 20,
        owner: { login: 'dave' },
        token_id: 99,
        token_name: 'release-notes',
        token_expired: false,
        token_expires_at: '2027-01-01T00:00:00Z',
        token_last_used_at: '2026-11-01T00:00:00Z',
        access_granted_at: '2026-08-01T00:00:00Z',
        repository_selection: 'all',
        permissions: { repository: { contents: 'write' }, organization: { members: 'write' } },
      },
      {
        id: 21,
        owner: { login: 'dave' },
        token_id: 98,
        token_name: 'expired',
        token_expired: true,
        token_expires_at: '2026-01-01T00:00:00Z',
        token_last_used_at: null,
        access_granted_at: '2025-08-01T00:00:00Z',
        repository_selection: 'all',
        permissions: {},
      },
    ],
    gaps: [],
    ...over,
  });

  it('members, outside collaborators, Apps and tokens become accounts with their roles and privilege', () => {
    const r = parseGithubOrgExport(ex(), 'export', TAKEN);
    expect(r.scope).toBe('acme');
    expect(r.accounts.map(brief)).toEqual([
      { principal: 'carol', kind: 'person', roles: ['admin'], privileged: true, last_used: null, mfa: true, credential_age_days: null },
      { principal: 'dave', kind: 'person', roles: ['member', 'team:dba'], privileged: false, last_used: null, mfa: false, credential_age_days: null },
      { principal: 'renovate-bot', kind: 'service', roles: ['member'], privileged: false, last_used: null, mfa: true, credential_age_days: null },
      {
        principal: 'vic',
        kind: 'person',
        roles: ['outside-collaborator', 'repo:portal:admin', 'repo:docs:write'],
        privileged: true,
        last_used: null,
        mfa: true,
        credential_age_days: null,
      },
      { principal: 'app:snyk', kind: 'app', roles: ['app'], privileged: false, last_used: null, mfa: null, credential_age_days: null },
      { principal: 'app:deployer', kind: 'app', roles: ['app'], privileged: true, last_used: null, mfa: null, credential_age_days: null },
      { principal: 'pat:99', kind: 'key', roles: ['token'], privileged: true, last_used: '2026-11-01T00:00:00Z', mfa: null, credential_age_days: 111 },
    ]);
    const token = r.accounts.find((a) => a.kind === 'key')!;
    expect(token).toMatchObject({
      names: ['pat:99', 'release-notes'],
      owner: 'dave',
      expires_at: '2027-01-01T00:00:00Z',
      permissions: { 'repository.contents': 'write', 'organization.members': 'write' },
    });
    expect(r.row_count).toBe(3 + 1 + 3 + 2);
    expect(r.reports_by_kind?.key).toMatchObject({ last_used: true });
  });

  it('MFA the token could not see is not reported (null), and the gaps travel with the export', () => {
    const r = parseGithubOrgExport(ex({ members_without_2fa: null, personal_access_tokens: null, gaps: ['tokens skipped'] }), 'export', TAKEN);
    expect(r.accounts.filter((a) => a.kind === 'person').map((a) => a.mfa)).toEqual([null, null, true]);
    expect(r.reports.mfa).toBe(false);
    expect(r.gaps).toEqual(['tokens skipped']);
  });

  it('a file that is not an export says how to write one', () => {
    expect(() => parseGithubOrgExport({ members: [] }, 'x.json', TAKEN)).toThrow(/not a GitHub organization export.*--raw-out/);
    expect(() => parseGithubOrgExport({ ...ex(), teams: 'x' }, 'x.json', TAKEN)).toThrow(/teams is not a list/);
  });
});

describe('snapshots', () => {
  const raw = fixture('aws-credential-report.csv');
  const snap = () =>
    buildSnapshot({
      system: 'aws-prod',
      connector: 'aws-iam-credential-report',
      takenAt: TAKEN,
      source: { type: 'file', file: 'report.csv', command: 'aws iam get-credential-report …', api: null, calls: null },
      raw,
      rawFormat: 'csv',
      result: runConnector('aws-iam-credential-report', raw, 'report.csv', undefined, TAKEN),
    });

  it('carry the SHA-256 of the raw bytes, and read back to the same value (one account per line)', () => {
    const s = snap();
    expect(s.raw_sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(s.raw_bytes).toBe(raw.byteLength);
    const text = serializeSnapshot(s);
    expect(text.split('\n').filter((l) => l.startsWith('    {"principal"'))).toHaveLength(7);
    expect(parseSnapshot(text, 's.json')).toEqual(s);
    expect(JSON.parse(text)).toEqual(s);
  });

  it.each([
    ['the raw export instead of a snapshot', '[]', /is not a snapshot/],
    ['another format', '{"format":"x"}', /has format "x"/],
    ['an account without a principal', (t: string) => t.replace('"principal":"jokafor"', '"principal":""'), /accounts\[1\] has no principal/],
    ['a kind nobody knows', (t: string) => t.replace('"kind":"service"', '"kind":"robot"'), /kind is not person, service, key or app/],
    ['a snapshot cut short', (t: string) => t.slice(0, t.length / 2), /is not valid JSON/],
  ] as const)('a file with %s is refused by name', (_, change, message) => {
    const text = serializeSnapshot(snap());
    expect(() => parseSnapshot(typeof change === 'string' ? change : change(text), 'snap.json')).toThrow(message);
  });

  it('two accounts of one name in an export are refused, not merged', () => {
    const result = runConnector('mapped', bytes('u\na\n'), 'x.csv', { format: 'csv', columns: { account: 'u' } }, TAKEN);
    result.accounts.push({ ...result.accounts[0]!, principal: 'A' });
    expect(() =>
      buildSnapshot({
        system: 's',
        connector: 'mapped',
        takenAt: TAKEN,
        source: { type: 'file', file: null, command: null, api: null, calls: null },
        raw: bytes('u\na\n'),
        rawFormat: 'csv',
        result,
      }),
    ).toThrow(/lists the account `A` twice/);
  });
});
