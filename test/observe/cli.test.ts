/**
 * `observe`, `drift` and `import` as processes, the way a person or a scheduled workflow runs
 * them: exit codes 0/1/2, outputs a spreadsheet or code scanning reads, hostile exports, and the
 * organization listed live from the fake GitHub (over 127.0.0.1).
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startFakeGitHub, type FakeGitHub } from '../support/fake-github/index.ts';

const BIN = fileURLToPath(new URL('../../bin/access-ledger.js', import.meta.url));
const FIXTURES = fileURLToPath(new URL('../fixtures/observe/', import.meta.url));
const TAKEN = '2026-11-20T10:00:00Z';

function cli(args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: opts.cwd, env: { PATH: process.env.PATH, NO_COLOR: '1', CI: 'true', ...opts.env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** Acme's access repo: the config, four systems that say how they are observed, a few grants. */
function repo(): string {
  const dir = mkdtempSync(join(tmpdir(), 'observe-cli-'));
  dirs.push(dir);
  mkdirSync(join(dir, 'systems'));
  mkdirSync(join(dir, 'grants', 'people'), { recursive: true });
  mkdirSync(join(dir, 'grants', 'services'), { recursive: true });
  writeFileSync(join(dir, 'access-ledger.yaml'), 'version: 1\norganization: acme\nextends: soc2-baseline\nadmins: ["@acme/security"]\n');
  writeFileSync(
    join(dir, 'systems', 'aws-prod.yaml'),
    'id: aws-prod\nname: AWS production\ncategory: cloud-console\nowner: jokafor\napprovers: ["@acme/platform"]\nobserve: { connector: aws-iam-credential-report }\nroles:\n  root: { privileged: true }\n  account: {}\n',
  );
  writeFileSync(
    join(dir, 'systems', 'okta.yaml'),
    'id: okta\nname: Okta\ncategory: directory\nowner: jokafor\napprovers: ["@acme/it"]\nobserve:\n  format: json\n  columns: { account: profile.login, email: profile.email, last_used: lastLogin, created: created, active: status }\n  active_values: [ACTIVE, PASSWORD_EXPIRED, LOCKED_OUT, RECOVERY]\n  command: okta-users.sh > okta-users.json\n',
  );
  writeFileSync(
    join(dir, 'systems', 'prod-postgres.yaml'),
    "id: prod-postgres\nname: Production PostgreSQL\ncategory: database\nowner: sbrandt\napprovers: [sbrandt]\nobserve:\n  format: csv\n  columns: { account: rolname, privileged: rolsuper, active: rolcanlogin, role: member_of, expires: rolvaliduntil }\n  role_separator: ';'\n  kind: service\n",
  );
  writeFileSync(
    join(dir, 'systems', 'github.yaml'),
    'id: github\nname: GitHub acme\ncategory: source-control\nowner: carol\napprovers: [carol]\nobserve: { connector: github-org }\n',
  );
  writeFileSync(
    join(dir, 'grants', 'people', 'jokafor.yaml'),
    'identity: { id: jokafor, kind: human, github: jokafor, owner: jokafor, email: jokafor@acme.example }\naccess:\n  - system: aws-prod\n    role: account\n    justification: Operates the production account\n    expires: 2027-02-01\n  - system: okta\n    role: account\n    justification: Single sign-on for everything\n    expires: 2027-02-01\n',
  );
  writeFileSync(
    join(dir, 'grants', 'services', 'billing-exporter.yaml'),
    'identity: { id: billing-exporter, kind: service-account, owner: jokafor }\ncredential: { type: static-secret, rotation_days: 90, last_rotated: 2026-10-02, storage: "vault:kv/billing", revocation: "runbook" }\naccess:\n  - system: aws-prod\n    role: account\n    justification: Writes invoices to the billing bucket\n    expires: 2027-02-01\n',
  );
  return dir;
}

describe('observe from a file', () => {
  it('writes the snapshot to --out and a summary; without --out the snapshot is the only thing on stdout', async () => {
    const dir = repo();
    const r = await cli(
      ['observe', '--system', 'aws-prod', '--from', join(FIXTURES, 'aws-credential-report.csv'), '--out', join(dir, 'aws.json'), '--taken-at', TAKEN],
      { cwd: dir },
    );
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(
      /^observed aws-prod \(aws-iam-credential-report, 482100001111\) at 2026-11-20T10:00:00Z: 7 account\(s\) from 7 row\(s\); raw export SHA-256 [0-9a-f]{64}/,
    );
    const snap = JSON.parse(readFileSync(join(dir, 'aws.json'), 'utf8'));
    expect(snap).toMatchObject({
      format: 'access-ledger/observed@1',
      system: 'aws-prod',
      row_count: 7,
      source: { type: 'file', command: expect.stringContaining('aws iam get-credential-report') },
    });

    const okta = await cli(['observe', dir, '--system', 'okta', '--from', join(FIXTURES, 'okta-users.json'), '--taken-at', TAKEN]);
    expect(okta.code).toBe(0);
    const s = JSON.parse(okta.stdout);
    expect(s.accounts.map((a: { principal: string }) => a.principal)).toEqual(['jokafor@acme.example', 'kjensen@acme.example']);
    expect(s.source.command).toBe('okta-users.sh > okta-users.json');
    expect(okta.stderr).toMatch(/^access-ledger: observed okta \(mapped\) at 2026-11-20T10:00:00Z: 2 account\(s\) from 4 row\(s\)/);
  });

  it.each([
    ['a system read from a file, without --from', ['--system', 'aws-prod'], /aws-prod is read from its own export: pass it with --from FILE/],
    [
      'a system that does not exist',
      ['--system', 'nope', '--from', 'x'],
      /there is no system "nope" under systems\/ \(the systems are aws-prod, github, okta, prod-postgres\)/,
    ],
    ['an export that is not a credential report', ['--system', 'aws-prod', '--from', join(FIXTURES, 'postgres-roles.csv')], /has no column `user`/],
    [
      '--record without --repo',
      ['--system', 'aws-prod', '--from', join(FIXTURES, 'aws-credential-report.csv'), '--record'],
      /--record needs --repo OWNER\/NAME/,
    ],
    ['a bad --taken-at', ['--system', 'aws-prod', '--from', 'x', '--taken-at', 'yesterday'], /--taken-at must be a UTC time/],
    ['the organization live without a token', ['--system', 'github'], /observing the GitHub organization needs a token/],
  ])('%s: exit 2, one line saying what to do', async (_, args, message) => {
    const dir = repo();
    const r = await cli(['observe', ...args], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stdout).toBe('');
  });

  it('a malformed export names its line, and nothing is written', async () => {
    const dir = repo();
    writeFileSync(join(dir, 'bad.csv'), 'rolname,rolsuper,rolcanlogin,rolvaliduntil,member_of\npostgres,t,t,,\n"broken,t,t,,\n');
    const r = await cli(['observe', '--system', 'prod-postgres', '--from', 'bad.csv', '--out', 'pg.json'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/bad\.csv is not a well-formed CSV file at line \d+ \(Quote Not Closed/);
    expect(readdirSync(dir)).not.toContain('pg.json');
  });
});

describe('drift', () => {
  async function snapshots(dir: string): Promise<string[]> {
    const out: string[] = [];
    for (const [system, file] of [
      ['aws-prod', 'aws-credential-report.csv'],
      ['okta', 'okta-users.json'],
      ['prod-postgres', 'postgres-roles.csv'],
    ] as const) {
      const path = join(dir, `${system}.snapshot.json`);
      const r = await cli(['observe', '--system', system, '--from', join(FIXTURES, file), '--out', path, '--taken-at', TAKEN], { cwd: dir });
      expect(r.code, r.stderr).toBe(0);
      out.push(path);
    }
    return out;
  }

  it('text: the findings at the grant lines and the system files, exit 1 on errors', async () => {
    const dir = repo();
    const snaps = await snapshots(dir);
    const r = await cli(['drift', '--snapshot', ...snaps, '--today', '2026-11-21'], { cwd: dir });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^compared with aws-prod \(7 accounts, listed 2026-11-20T10:00:00Z\), okta \(2 accounts/);
    expect(r.stdout).toMatch(/systems\/aws-prod\.yaml\n(.|\n)*lists the account `legacy-etl` \(service\), which no grant declares: .* {2}observed-undeclared/);
    expect(r.stdout).toMatch(/systems\/prod-postgres\.yaml\n(.|\n)*lists the account `postgres` \(service\), which no grant declares/);
    expect(r.stdout).toMatch(/✖ \d+ errors, \d+ warnings? in 7 files \(2 grants, 4 systems\)/);
  });

  it('json and sarif: the finding shape, and a SARIF log code scanning accepts', async () => {
    const dir = repo();
    const snaps = await snapshots(dir);
    const json = await cli(['drift', dir, '--snapshot', ...snaps, '--format', 'json', '--today', '2026-11-21']);
    expect(json.code).toBe(1);
    const report = JSON.parse(json.stdout);
    expect(report.summary).toMatchObject({ snapshots: 3, accounts: 7 + 2 + 5, grants: 2 });
    for (const f of report.findings) {
      expect(
        Object.keys(f).every((k) => ['rule', 'severity', 'file', 'line', 'column', 'message', 'controls', 'identity', 'system', 'account'].includes(k)),
      ).toBe(true);
      expect(f.rule).toMatch(/^(observed-|schema$)/);
      expect(f.controls.length).toBeGreaterThan(0);
    }
    expect(report.snapshots.map((s: { system: string }) => s.system)).toEqual(['aws-prod', 'okta', 'prod-postgres']);

    const sarif = await cli(['drift', dir, '--snapshot', ...snaps, '--format', 'sarif', '--today', '2026-11-21']);
    expect(sarif.code).toBe(1);
    const log = JSON.parse(sarif.stdout);
    expect(sarifValidator()(log), JSON.stringify(sarifValidator().errors?.slice(0, 3))).toBe(true);
    expect(log.runs[0].results.length).toBe(report.findings.length);
    expect(log.runs[0].tool.driver.rules.map((r: { id: string }) => r.id)).toContain('observed-undeclared');
    expect(log.runs[0].automationDetails.id).toBe('access-ledger/drift/');
  });

  it('a repo whose grants match what the systems list exits 0; --fail-on warning counts warnings', async () => {
    const dir = repo();
    writeFileSync(join(dir, 'pg.csv'), 'rolname,rolsuper,rolcanlogin,rolvaliduntil,member_of\nbilling_exporter,f,t,,account\n');
    writeFileSync(
      join(dir, 'grants', 'services', 'billing-exporter.yaml'),
      readFileSync(join(dir, 'grants', 'services', 'billing-exporter.yaml'), 'utf8') +
        '  - system: prod-postgres\n    role: account\n    justification: Reads the invoices it exports\n    expires: 2027-02-01\n    accounts: [billing_exporter]\n',
    );
    expect((await cli(['observe', '--system', 'prod-postgres', '--from', 'pg.csv', '--out', 'pg.json', '--taken-at', TAKEN], { cwd: dir })).code).toBe(0);
    const clean = await cli(['drift', '--snapshot', 'pg.json', '--today', '2026-11-21'], { cwd: dir });
    expect(clean.code, clean.stdout).toBe(0);
    expect(clean.stdout).toContain('✔ no problems');
    writeFileSync(join(dir, 'pg.csv'), 'rolname,rolsuper,rolcanlogin,rolvaliduntil,member_of\n');
    expect((await cli(['observe', '--system', 'prod-postgres', '--from', 'pg.csv', '--out', 'pg.json', '--taken-at', TAKEN], { cwd: dir })).code).toBe(0);
    const warned = await cli(['drift', '--snapshot', 'pg.json', '--today', '2026-11-21'], { cwd: dir });
    expect([warned.code, warned.stdout]).toEqual([0, expect.stringContaining('observed-unprovisioned')]);
    expect((await cli(['drift', '--snapshot', 'pg.json', '--today', '2026-11-21', '--fail-on', 'warning'], { cwd: dir })).code).toBe(1);
  });

  it('--output writes the report and prints one line', async () => {
    const dir = repo();
    const [aws] = await snapshots(dir);
    const r = await cli(['drift', '--snapshot', aws!, '--format', 'sarif', '--output', 'out/drift.sarif', '--today', '2026-11-21'], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(
      /^\d+ errors?, \d+ warnings? in 7 files \(2 grants, 4 systems\) against 7 observed account\(s\); sarif report written to out\/drift\.sarif\n$/,
    );
    expect(JSON.parse(readFileSync(join(dir, 'out', 'drift.sarif'), 'utf8')).version).toBe('2.1.0');
  });

  it.each([
    ['no --snapshot', ['drift'], /required option '--snapshot <file...>' not specified/],
    ['a folder that is not an access repo', ['drift', '/', '--snapshot', 'x.json'], /has no access-ledger\.yaml/],
    ['a day that does not exist', ['drift', '--snapshot', 'x.json', '--today', '2026-02-30'], /--today must be a date YYYY-MM-DD .*February 2026 has 28 days/],
    [
      'a raw export instead of a snapshot',
      ['drift', '--snapshot', join(FIXTURES, 'okta-users.json')],
      /is not a snapshot: pass a file written by access-ledger observe/,
    ],
    ['a snapshot that is not there', ['drift', '--snapshot', 'missing.json'], /missing\.json is not a file/],
    ['a bad format', ['drift', '--snapshot', 'x', '--format', 'xml'], /--format must be text, json or sarif/],
  ])('%s: exit 2', async (_, args, message) => {
    const r = await cli(args, { cwd: repo() });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
  });
});

describe('import', () => {
  it('writes one grant per undeclared account, skips the declared, never overwrites, and the files fail validate until completed', async () => {
    const dir = repo();
    const snap = join(dir, 'aws.json');
    expect(
      (await cli(['observe', '--system', 'aws-prod', '--from', join(FIXTURES, 'aws-credential-report.csv'), '--out', snap, '--taken-at', TAKEN], { cwd: dir }))
        .code,
    ).toBe(0);
    const r = await cli(['import', '--system', 'aws-prod', '--from', snap], { cwd: dir });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('skipped `jokafor`: declared by grants/people/jokafor.yaml');
    expect(r.stdout).toContain('5 grant file(s) written, 2 account(s) already declared');
    expect(readdirSync(join(dir, 'grants', 'aws-prod')).sort()).toEqual([
      'datadog-integration.yaml',
      'kjensen.yaml',
      'legacy-etl.yaml',
      'root.yaml',
      'tkim.yaml',
    ]);
    const etl = readFileSync(join(dir, 'grants', 'aws-prod', 'legacy-etl.yaml'), 'utf8');
    expect(etl).toMatch(/^# yaml-language-server: \$schema=/);
    expect(etl).toContain('  owner:\n');
    expect(etl).toContain('    justification:\n    expires:\n    accounts:\n      - legacy-etl\n');
    expect(etl).toContain('  last_rotated: 2025-01-20\n');

    const v = await cli(['validate', '--format', 'json', '--today', '2026-11-21'], { cwd: dir });
    expect(v.code).toBe(1);
    const rules = (JSON.parse(v.stdout).findings as { file: string; rule: string }[])
      .filter((f) => f.file === 'grants/aws-prod/legacy-etl.yaml')
      .map((f) => f.rule);
    expect(rules).toEqual(expect.arrayContaining(['owner-required', 'justification-required', 'expiry-required', 'credential-required']));

    // The same import again changes nothing: every account is declared or its file is there.
    const again = await cli(['import', '--system', 'aws-prod', '--from', snap], { cwd: dir });
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('0 grant file(s) written');
    expect(readdirSync(join(dir, 'grants', 'aws-prod'))).toHaveLength(5);
  });

  it("reads the system's own export too, and after completing the files drift finds every account declared", async () => {
    const dir = repo();
    const r = await cli(['import', '--system', 'prod-postgres', '--from', join(FIXTURES, 'postgres-roles.csv'), '--taken-at', TAKEN], { cwd: dir });
    expect(r.code).toBe(0);
    expect(readdirSync(join(dir, 'grants', 'prod-postgres')).sort()).toEqual([
      'analytics.yaml',
      'billing_exporter.yaml',
      'datadog.yaml',
      'postgres.yaml',
      'sbrandt.yaml',
    ]);
    expect(readFileSync(join(dir, 'grants', 'prod-postgres', 'postgres.yaml'), 'utf8')).toContain('    role: account\n    privileged: true\n');
    expect(readFileSync(join(dir, 'grants', 'prod-postgres', 'analytics.yaml'), 'utf8')).toMatch(/role: analytics_read\n(.|\n)*role: readonly\n/);
    expect(
      (
        await cli(['observe', '--system', 'prod-postgres', '--from', join(FIXTURES, 'postgres-roles.csv'), '--out', 'pg.json', '--taken-at', TAKEN], {
          cwd: dir,
        })
      ).code,
    ).toBe(0);
    const d = JSON.parse((await cli(['drift', '--snapshot', 'pg.json', '--format', 'json', '--today', '2026-11-21'], { cwd: dir })).stdout);
    expect(d.findings.filter((f: { rule: string }) => f.rule === 'observed-undeclared')).toEqual([]);
  });
});

describe('hostile exports through every output', () => {
  const FORMULA = "=cmd|' /C calc'!A0";
  /** A formula is never at the start of a line, a cell or a JSON string, and never shown without its apostrophe. */
  const unescaped = (text: string) => new RegExp(`(^|[^'])${FORMULA.replace(/[|()!'/\\.]/g, '\\$&')}`, 'm').test(text);

  it('a formula, quotes, line breaks, a BOM and escape sequences in an export: observe, drift (text, json, sarif) and import', async () => {
    const dir = repo();
    writeFileSync(
      join(dir, 'pg.csv'),
      '\ufeffrolname,rolsuper,rolcanlogin,rolvaliduntil,member_of\r\n' +
        `"${FORMULA.replace(/"/g, '""')}",t,t,,\r\n` +
        '"o""brien",f,t,,"read;\n=HYPERLINK(""http://evil"")"\r\n' +
        '"\u001b[31mred\u001b[0m",f,t,,\r\n',
    );
    const o = await cli(['observe', '--system', 'prod-postgres', '--from', 'pg.csv', '--out', 'pg.json', '--taken-at', TAKEN], { cwd: dir });
    expect(o.code, o.stderr).toBe(0);
    expect(JSON.parse(readFileSync(join(dir, 'pg.json'), 'utf8')).accounts.map((a: { principal: string }) => a.principal)).toEqual([
      FORMULA,
      'o"brien',
      '\u001b[31mred\u001b[0m',
    ]);
    for (const format of ['text', 'json', 'sarif']) {
      const d = await cli(['drift', '--snapshot', 'pg.json', '--format', format, '--today', '2026-11-21'], { cwd: dir });
      expect(d.code, d.stderr).toBe(1);
      expect(unescaped(d.stdout), `${format}:\n${d.stdout}`).toBe(false);
      expect(d.stdout).toContain(`'${FORMULA}`.replace(/"/g, format === 'text' ? '"' : '\\"'));
      expect(d.stdout).not.toContain('\u001b[');
      expect(d.stdout).not.toMatch(/(^|[^'])=HYPERLINK/m);
    }
    const i = await cli(['import', '--system', 'prod-postgres', '--from', 'pg.json'], { cwd: dir });
    expect(i.code).toBe(0);
    expect(unescaped(i.stdout)).toBe(false);
    expect(i.stdout).not.toContain('\u001b[');
    // The grant file holds the name as data (quoted YAML); its comment and description never break a line.
    for (const f of readdirSync(join(dir, 'grants', 'prod-postgres'))) {
      const text = readFileSync(join(dir, 'grants', 'prod-postgres', f), 'utf8');
      expect(
        text.split('\n').every((l) => l === '' || l.startsWith('#') || /^ *[a-z_-]+:|^ *- /.test(l)),
        text,
      ).toBe(true);
    }
  });
});

describe('observe the organization live (the fake GitHub on 127.0.0.1)', () => {
  let gh: FakeGitHub;
  beforeAll(async () => {
    gh = await startFakeGitHub({ now: () => new Date(TAKEN) });
    gh.state.createOrg('acme', { members: ['carol', 'dave'], admins: ['carol'], install: false });
    gh.state.createRepo('acme/access');
  });
  afterAll(() => gh.close());
  afterEach(() => expect(gh.errors).toEqual([]));

  it('with a token that may list everything: exit 0, the request count on stderr', async () => {
    const inst = gh.state.install('acme', {
      permissions: { members: 'read', organization_administration: 'read', organization_personal_access_tokens: 'read', metadata: 'read' },
    });
    const dir = repo();
    const r = await cli(['observe', '--system', 'github', '--taken-at', TAKEN], {
      cwd: dir,
      env: { GITHUB_TOKEN: gh.createInstallationToken(inst.id), GITHUB_API_URL: gh.url },
    });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/observed github \(github-org, acme\) .* 3 account\(s\)/);
    expect(r.stderr).toMatch(/GitHub requests: \d+/);
    expect(JSON.parse(r.stdout).accounts.map((a: { principal: string }) => a.principal)).toEqual(['carol', 'dave', 'app:access-ledger']);
    gh.state.uninstall(inst.id);
  });

  it('refused the tokens: exit 2 naming the permission; --skip-tokens: exit 0 and the gap on stderr and in the snapshot', async () => {
    const inst = gh.state.install('acme', { permissions: { members: 'read', organization_administration: 'read', metadata: 'read' } });
    const env = { GITHUB_TOKEN: gh.createInstallationToken(inst.id), GITHUB_API_URL: gh.url };
    const dir = repo();
    const refused = await cli(['observe', '--system', 'github'], { cwd: dir, env });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(
      /^access-ledger: GitHub refused to list the fine-grained personal access tokens of organization acme \(403\).*organization_personal_access_tokens: read.*--skip-tokens/,
    );
    const skipped = await cli(['observe', '--system', 'github', '--skip-tokens'], { cwd: dir, env });
    expect(skipped.code, skipped.stderr).toBe(0);
    expect(skipped.stderr).toContain('gap: fine-grained personal access tokens not listed (--skip-tokens)');
    expect(JSON.parse(skipped.stdout).gaps).toEqual([
      'fine-grained personal access tokens not listed (--skip-tokens): tokens with access to the organization are not compared',
    ]);
    gh.state.uninstall(inst.id);
  });

  it('a bad token: exit 2, the credentials named', async () => {
    const r = await cli(['observe', '--system', 'github', '--token', 'nope', '--api-url', gh.url], { cwd: repo() });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^access-ledger: GitHub rejected the credentials \(401\)/);
  });
});

const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;
let validator: ReturnType<Ajv['compile']> | undefined;
function sarifValidator() {
  if (validator) return validator;
  const path = createRequire(import.meta.url).resolve('@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json');
  const schema = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
  delete schema.$schema;
  schema.$id = schema.id;
  delete schema.id;
  const ajv = new Ajv({ strict: false, allErrors: true, validateSchema: false, unicodeRegExp: false });
  addFormats(ajv);
  validator = ajv.compile(schema);
  return validator;
}
