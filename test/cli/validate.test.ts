import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './run-cli.ts';

const GIT_ENV = {
  GIT_AUTHOR_NAME: 'Test',
  GIT_AUTHOR_EMAIL: 'test@example.com',
  GIT_COMMITTER_NAME: 'Test',
  GIT_COMMITTER_EMAIL: 'test@example.com',
};

function git(dir: string, ...args: string[]) {
  return execFileSync('git', args, { cwd: dir, env: { ...process.env, ...GIT_ENV }, encoding: 'utf8' });
}

describe('access-ledger init + validate', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'al-init-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('init scaffolds a repo with one grant of each kind that validates clean', () => {
    const init = runCli(['init', dir, '--org', 'acme']);
    expect(init.code).toBe(0);
    const out = runCli(['validate', dir, '--format', 'json']);
    const report = JSON.parse(out.stdout);
    expect(report.findings).toEqual([]);
    expect(out.code).toBe(0);
    expect(report.summary.grants).toBe(7);
    const kinds = new Set<string>();
    for (const f of [
      'humans/alice',
      'services/billing-exporter',
      'keys/metrics-api-key',
      'ci/deploy-token',
      'integrations/crm-sync',
      'shared/db-breakglass',
      'agents/support-agent',
    ]) {
      kinds.add(/kind: (\S+)/.exec(readFileSync(join(dir, 'grants', `${f}.yaml`), 'utf8'))![1]!);
    }
    expect(kinds.size).toBe(7);
    expect(readFileSync(join(dir, '.github/workflows/access-ledger-review.yml'), 'utf8')).toContain('pull_request_review');
  });

  it('init refuses to overwrite an existing repo without --force', () => {
    const again = runCli(['init', dir, '--org', 'acme']);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/already exists.*--force/);
    expect(again.stderr).not.toMatch(/\n\s+at /); // no stack trace
  });

  it('--changed-since reports only changed files, while repo rules still see the whole repo', () => {
    git(dir, 'init', '-q', '-b', 'main');
    git(dir, 'add', '-A');
    git(dir, 'commit', '-qm', 'initial');
    // An unchanged file breaks a rule: it must not be reported in changed-since mode.
    const alice = join(dir, 'grants/humans/alice.yaml');
    writeFileSync(alice, readFileSync(alice, 'utf8').replace(/ {4}justification: .*\n/, ''));
    git(dir, 'commit', '-qam', 'break alice');
    // A new file duplicates an existing identity: reported, because the duplicate is in the change.
    writeFileSync(join(dir, 'grants/humans/alice-copy.yaml'), readFileSync(join(dir, 'grants/agents/support-agent.yaml'), 'utf8'));
    const out = runCli(['validate', dir, '--format', 'json', '--changed-since', 'HEAD']);
    const findings = JSON.parse(out.stdout).findings as { rule: string; file: string }[];
    expect(findings.map((f) => f.file)).not.toContain('grants/humans/alice.yaml');
    expect(findings).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ rule: 'identity-unique', file: 'grants/humans/alice-copy.yaml' }),
        expect.objectContaining({ rule: 'identity-file-name', file: 'grants/humans/alice-copy.yaml' }),
      ]),
    );
    expect(findings.some((f) => f.file === 'grants/agents/support-agent.yaml')).toBe(false);
    expect(out.code).toBe(1);
    // The whole-repo run reports the unchanged file too.
    const full = JSON.parse(runCli(['validate', dir, '--format', 'json']).stdout).findings as { rule: string; file: string }[];
    expect(full).toEqual(expect.arrayContaining([expect.objectContaining({ rule: 'justification-required', file: 'grants/humans/alice.yaml' })]));
    unlinkSync(join(dir, 'grants/humans/alice-copy.yaml'));
  });

  it('an unknown ref is a usage error that says how to fix it', () => {
    const out = runCli(['validate', dir, '--changed-since', 'no-such-ref']);
    expect(out.code).toBe(2);
    expect(out.stderr).toMatch(/not a commit.*fetch/);
  });
});

describe('validate usage', () => {
  it.each([
    [['validate', '/no/such/dir'], /not a directory/],
    [['validate', '.', '--format', 'xml'], /--format must be text, json or sarif/],
    [['validate', '.', '--today', 'tomorrow'], /--today must be a date/],
    [['no-such-command'], /unknown command/],
  ])('%j exits 2 with a clear message', (args, message) => {
    const out = runCli(args as string[]);
    expect(out.code).toBe(2);
    expect(out.stderr).toMatch(message);
    expect(out.stderr).not.toMatch(/\n\s+at /);
  });

  it('text output is plain in CI and names file:line, rule and what to do', () => {
    const dir = mkdtempSync(join(tmpdir(), 'al-text-'));
    try {
      runCli(['init', dir, '--org', 'acme']);
      const f = join(dir, 'grants/keys/metrics-api-key.yaml');
      writeFileSync(f, readFileSync(f, 'utf8').replace('  owner: dave\n', ''));
      const out = runCli(['validate', dir]);
      expect(out.code).toBe(1);
      expect(out.stdout).not.toContain('\x1b[');
      expect(out.stdout).toMatch(
        /grants\/keys\/metrics-api-key\.yaml\n\s+\d+:\d+\s+error\s+identity `metrics-api-key` has no owner: set identity.owner .* owner-required/,
      );
      expect(out.stdout).toMatch(/1 error, 0 warnings/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
