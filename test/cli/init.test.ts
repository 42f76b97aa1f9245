/** `access-ledger init`: the organization it is told, and the workflows and CODEOWNERS it writes. */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.ts';
import type { Io } from '../../src/cli/io.ts';
import { scaffold } from '../../src/cli/commands/init.ts';
import { parseCodeowners, parseWorkflows, ruleFor, secretsIn } from '../../src/core/doctor/index.ts';
import { VERSION } from '../../src/core/version.ts';
import { runCli } from './run-cli.ts';

function memoryIo(): Io & { out: string; err: string } {
  const io = {
    out: '',
    err: '',
    color: false,
    interactive: false,
    env: {},
    now: () => new Date('2027-01-20T06:00:00Z'),
    stdout: (t: string) => void (io.out += t),
    stderr: (t: string) => void (io.err += t),
  };
  return io;
}

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('init --org', () => {
  it.each([
    [[], /init needs --org: the login of your GitHub organization/],
    [['--org', ''], /init needs --org/],
    [['--org', 'Acme Corp'], /--org must be your GitHub organization's login .* not "Acme Corp"/],
    [['--org', '-acme'], /not "-acme"/],
    [['--org', 'acme-'], /not "acme-"/],
    [['--org', 'ac--me'], /not "ac--me"/],
    [['--org', 'acme/security'], /not "acme\/security"/],
    [['--org', 'a'.repeat(40)], /at most 39/],
  ])('%j is refused with exit 2 and one line, writing nothing', async (args, message) => {
    const dir = mkdtempSync(join(tmpdir(), 'al-init-org-'));
    dirs.push(dir);
    const io = memoryIo();
    expect(await main(['init', join(dir, 'repo'), ...(args as string[])], io)).toBe(2);
    expect(io.err).toMatch(message);
    expect(io.err.trim().split('\n')).toHaveLength(1);
    expect(() => readFileSync(join(dir, 'repo', 'access-ledger.yaml'))).toThrow();
  });

  it.each(['acme', 'Acme-Corp', 'a1', 'a'.repeat(39)])('accepts %s and writes it into the config and CODEOWNERS', async (org) => {
    const dir = mkdtempSync(join(tmpdir(), 'al-init-ok-'));
    dirs.push(dir);
    const io = memoryIo();
    expect(await main(['init', dir, '--org', org], io)).toBe(0);
    expect(readFileSync(join(dir, 'access-ledger.yaml'), 'utf8')).toContain(`organization: ${org}\n`);
    expect(readFileSync(join(dir, '.github/CODEOWNERS'), 'utf8')).toContain(`@${org}/security`);
  });

  it('as a process: no --org is a usage error, not a repo for a made-up organization', () => {
    const dir = mkdtempSync(join(tmpdir(), 'al-init-proc-'));
    dirs.push(dir);
    const r = runCli(['init', dir]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^access-ledger: init needs --org/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});

describe('what init writes', () => {
  const files = scaffold('2027-01-20', 'acme');
  const workflowPaths = Object.keys(files).filter((p) => p.startsWith('.github/workflows/'));

  it('CODEOWNERS gives the config, systems/ and .github/ (itself included) to the admins, and leaves grants to the gate', () => {
    const rules = parseCodeowners(files['.github/CODEOWNERS']!);
    for (const path of [
      'access-ledger.yaml',
      'systems/prod-postgres.yaml',
      'systems/new.yaml',
      '.github/workflows/access-ledger.yml',
      '.github/workflows/new.yml',
      '.github/CODEOWNERS',
    ]) {
      expect(ruleFor(rules, path)?.owners, path).toEqual(['@acme/security']);
    }
    expect(ruleFor(rules, 'grants/humans/alice.yaml')).toBeUndefined();
  });

  it('every action is pinned by a full commit SHA with its version in a comment, and the token step uses client-id', () => {
    const uses = workflowPaths.flatMap((p) => [...files[p]!.matchAll(/^\s*(?:-\s+)?uses:\s*(.+)$/gm)].map((m) => m[1]!));
    expect(uses.length).toBeGreaterThanOrEqual(2);
    for (const u of uses) expect(u).toMatch(/^[\w.-]+\/[\w.-]+(\/[\w.-]+)*@[0-9a-f]{40} # v\d+\.\d+\.\d+$/);
    // One commit per action across the workflows, so an upgrade is one change.
    const byAction = new Map<string, Set<string>>();
    for (const u of uses) byAction.set(u.split('@')[0]!, (byAction.get(u.split('@')[0]!) ?? new Set()).add(u));
    for (const [action, pins] of byAction) expect([...pins], action).toHaveLength(1);
    const gate = files['.github/workflows/access-ledger.yml']!;
    expect(gate).toContain('client-id: ${{ vars.ACCESS_LEDGER_GATE_CLIENT_ID }}');
    expect(gate).not.toMatch(/app-id:/);
  });

  it('every workflow sets least permissions, a timeout per job, and the gate runs on pull_request_target in its environment without checking anything out', () => {
    for (const path of workflowPaths) {
      const doc = parse(files[path]!) as {
        on: Record<string, unknown>;
        permissions: unknown;
        jobs: Record<string, { 'timeout-minutes'?: number; steps: { uses?: string }[] }>;
      };
      expect(doc.permissions, path).toEqual({});
      const checksOut = path.endsWith('/access-ledger-validate.yml');
      for (const [id, job] of Object.entries(doc.jobs)) {
        expect(job['timeout-minutes'], `${path} ${id}`).toBeGreaterThan(0);
        // Only the validate job checks out: its own push to the default branch, never a pull request.
        expect(
          job.steps.some((s) => s.uses?.startsWith('actions/checkout')),
          `${path} ${id}`,
        ).toBe(checksOut);
      }
    }
    expect(workflowPaths.sort()).toEqual(
      [
        'access-ledger.yml',
        'access-ledger-queue.yml',
        'access-ledger-rerun.yml',
        'access-ledger-review.yml',
        'access-ledger-sweep.yml',
        'access-ledger-validate.yml',
      ]
        .map((f) => `.github/workflows/${f}`)
        .sort(),
    );
    const [gate, review, rerun] = parseWorkflows(
      ['access-ledger.yml', 'access-ledger-review.yml', 'access-ledger-rerun.yml'].map((f) => ({
        path: `.github/workflows/${f}`,
        text: files[`.github/workflows/${f}`]!,
      })),
    );
    // Pull requests, and (after access-ledger-queue.yml) a merge queue's groups, from the default branch.
    expect(gate!.triggers).toEqual(['pull_request_target', 'workflow_run']);
    expect((parse(files['.github/workflows/access-ledger.yml']!) as { on: { workflow_run: unknown } }).on.workflow_run).toEqual({
      workflows: ['access-ledger merge queue'],
      types: ['completed'],
    });
    expect(gate!.jobs[0]).toMatchObject({ id: 'gate', environment: 'access-ledger-gate' });
    // Reads through the API; the job's own token writes nothing.
    expect(gate!.jobs[0]!.permissions).toEqual({ contents: 'read', 'pull-requests': 'read' });
    const appToken = gate!.jobs[0]!.steps.find((st) => st.id === 'token')!;
    // The gate App's token reads, and writes one thing: the commit status on the head.
    expect(Object.fromEntries(Object.entries(appToken.with).filter(([k]) => k.startsWith('permission-')))).toEqual({
      'permission-contents': 'read',
      'permission-pull-requests': 'read',
      'permission-members': 'read',
      'permission-statuses': 'write',
    });
    const gateStep = gate!.jobs[0]!.steps.find((st) => st.uses?.startsWith('access-ledger/access-ledger@'))!;
    // The status is set with the gate App's token, the source the ruleset requires; the context is the default, access-ledger/gate.
    expect(gateStep.with).toEqual({ token: '${{ steps.token.outputs.token }}', 'status-token': '${{ steps.token.outputs.token }}' });
    expect(gate!.jobs[0]!.secrets.map((s) => s.name)).toEqual(['ACCESS_LEDGER_GATE_PRIVATE_KEY']);
    // One gate at a time per pull request, or per merge group: a push cancels the check of the commit it replaces.
    expect(files['.github/workflows/access-ledger.yml']).toMatch(
      /^concurrency:\n {2}group: access-ledger-gate-\$\{\{ github\.event\.pull_request\.number \|\| github\.event\.workflow_run\.head_sha \}\}\n {2}cancel-in-progress: true$/m,
    );
    // The review relay runs the pull request's own copy: it must hold nothing.
    expect(review!.triggers).toEqual(['pull_request_review']);
    expect(review!.jobs.flatMap((j) => j.secrets)).toEqual([]);
    expect(review!.jobs.every((j) => j.environment === undefined)).toBe(true);
    // The rerun reads no secret, and passes the untrusted title to the shell only through env.
    expect(rerun!.triggers).toEqual(['workflow_run']);
    expect(rerun!.jobs[0]).toMatchObject({ permissions: { actions: 'write' } });
    expect(rerun!.jobs.flatMap((j) => j.secrets)).toEqual([]);
    const script = rerun!.jobs[0]!.steps[0]!.run!;
    expect(secretsIn(script)).toEqual([]);
    expect(script).not.toContain('${{');
  });

  it('docs/gate.md shows the gate workflow init writes: same triggers, job permissions and steps', () => {
    const doc = readFileSync(new URL('../../docs/gate.md', import.meta.url), 'utf8');
    const shown = /```yaml\n(name: access-ledger\n[\s\S]*?)```/.exec(doc)![1]!;
    const [fromDocs] = parseWorkflows([{ path: '.github/workflows/access-ledger.yml', text: shown }]);
    const [fromInit] = parseWorkflows([{ path: '.github/workflows/access-ledger.yml', text: files['.github/workflows/access-ledger.yml']! }]);
    expect(fromDocs!.triggers).toEqual(fromInit!.triggers);
    expect(fromDocs!.jobs[0]!.permissions).toEqual(fromInit!.jobs[0]!.permissions);
    expect(fromDocs!.jobs[0]!.steps.map((st) => [st.id, st.uses, st.with])).toEqual(fromInit!.jobs[0]!.steps.map((st) => [st.id, st.uses, st.with]));
  });
});

describe('the scheduled workflows, the merge queue relay and the editor settings init writes', () => {
  const files = scaffold('2027-01-20', 'acme');
  const workflow = (name: string) => parseWorkflows([{ path: `.github/workflows/${name}`, text: files[`.github/workflows/${name}`]! }])[0]!;
  const raw = (name: string) =>
    parse(files[`.github/workflows/${name}`]!) as {
      on: Record<string, unknown>;
      concurrency: unknown;
      jobs: Record<
        string,
        { permissions?: unknown; steps: { uses?: string; run?: string; with?: Record<string, string>; env?: Record<string, string>; if?: string }[] }
      >;
    };

  it('the sweep runs daily and on demand, as the ledger App, with both keys only in an environment and a job token that gets nothing', () => {
    const sweep = workflow('access-ledger-sweep.yml');
    expect(sweep.triggers).toEqual(['schedule', 'workflow_dispatch']);
    expect(raw('access-ledger-sweep.yml').on.schedule).toEqual([{ cron: '17 6 * * *' }]);
    expect(raw('access-ledger-sweep.yml').concurrency).toEqual({ group: 'access-ledger-sweep', 'cancel-in-progress': false });
    const [job] = sweep.jobs;
    expect(job).toMatchObject({ id: 'sweep', environment: 'access-ledger-sweep', permissions: {} });
    expect(job!.secrets.map((s) => s.name).sort()).toEqual(['ACCESS_LEDGER_APP_PRIVATE_KEY', 'ACCESS_LEDGER_SIGNING_KEY']);
    const token = job!.steps.find((s) => s.id === 'token')!;
    expect(token.with).toEqual({ 'client-id': '${{ vars.ACCESS_LEDGER_APP_CLIENT_ID }}', 'private-key': '${{ secrets.ACCESS_LEDGER_APP_PRIVATE_KEY }}' });
    const run = job!.steps.find((s) => s.run)!;
    expect(run.run).toBe(`npx --yes access-ledger@${VERSION} sweep --repo "$GITHUB_REPOSITORY"`);
    expect(run.env).toEqual({ GITHUB_TOKEN: '${{ steps.token.outputs.token }}', ACCESS_LEDGER_SIGNING_KEY: '${{ secrets.ACCESS_LEDGER_SIGNING_KEY }}' });
  });

  it('validate reads the whole repo on push to main and each day, never on a pull request, and only its job may upload code scanning results', () => {
    const validate = workflow('access-ledger-validate.yml');
    expect(validate.triggers).toEqual(['push', 'schedule']);
    expect(raw('access-ledger-validate.yml').on.push).toEqual({ branches: ['main'] });
    expect(validate.jobs.map((j) => [j.id, j.permissions])).toEqual([['validate', { contents: 'read', 'security-events': 'write' }]]);
    expect(validate.jobs[0]!.secrets).toEqual([]);
    const steps = raw('access-ledger-validate.yml').jobs.validate!.steps;
    expect(steps[0]).toMatchObject({ uses: expect.stringMatching(/^actions\/checkout@/), with: { 'persist-credentials': false } });
    expect(steps.find((s) => s.run)!.run).toBe(`npx --yes access-ledger@${VERSION} validate . --format sarif --output access-ledger.sarif`);
    const upload = steps.find((s) => s.uses?.startsWith('github/codeql-action/upload-sarif@'))!;
    expect(upload.with).toEqual({ sarif_file: 'access-ledger.sarif', category: 'access-ledger/validate/' });
    // Findings fail the job (exit 1) and are uploaded all the same.
    expect(upload.if).toBe("${{ !cancelled() && hashFiles('access-ledger.sarif') != '' }}");
  });

  it("the merge queue relay runs the group's own copy, so it holds nothing; the gate it starts runs only for merge groups", () => {
    const queue = workflow('access-ledger-queue.yml');
    expect(queue.name).toBe('access-ledger merge queue');
    expect(queue.triggers).toEqual(['merge_group']);
    expect(queue.jobs.flatMap((j) => j.secrets)).toEqual([]);
    expect(queue.jobs.every((j) => j.environment === undefined && JSON.stringify(j.permissions) === '{}')).toBe(true);
    expect((parse(files['.github/workflows/access-ledger.yml']!) as { jobs: { gate: { if: string } } }).jobs.gate.if).toBe(
      "github.event_name != 'workflow_run' || github.event.workflow_run.event == 'merge_group'",
    );
  });

  it('.vscode/settings.json points each file at the schema of this release, the same URL as its first-line comment', () => {
    const settings = JSON.parse(files['.vscode/settings.json']!) as { 'yaml.schemas': Record<string, string[]> };
    const base = `https://raw.githubusercontent.com/access-ledger/access-ledger/v${VERSION}/policies/schemas`;
    expect(settings['yaml.schemas']).toEqual({
      [`${base}/config.schema.json`]: ['access-ledger.yaml', 'access-ledger.yml'],
      [`${base}/system.schema.json`]: ['systems/*.yaml', 'systems/*.yml'],
      [`${base}/grant.schema.json`]: ['grants/**/*.yaml', 'grants/**/*.yml'],
    });
    for (const url of Object.keys(settings['yaml.schemas']))
      expect(existsSync(new URL(`../../policies/schemas/${url.split('/').pop()}`, import.meta.url)), url).toBe(true);
    const globs = Object.entries(settings['yaml.schemas']).flatMap(([url, gs]) =>
      gs.map((g) => ({
        url,
        re: new RegExp(
          `^${g
            .replace(/\./g, '\\.')
            .replace(/\*\*\//g, '(.+/)?')
            .replace(/\*/g, '[^/]+')}$`,
        ),
      })),
    );
    const yamlFiles = Object.keys(files).filter((p) => /\.ya?ml$/.test(p) && !p.startsWith('.github/'));
    expect(yamlFiles).toHaveLength(9);
    for (const path of yamlFiles) {
      const matched = globs.filter((g) => g.re.test(path)).map((g) => g.url);
      expect(matched, path).toHaveLength(1);
      expect(files[path]!.split('\n')[0]).toBe(`# yaml-language-server: $schema=${matched[0]}`);
    }
  });
});

describe('the docs show the scheduled workflows init writes', () => {
  const files = scaffold('2027-01-20', 'acme');
  it.each([
    ['docs/stale-grants.md', 'access-ledger sweep', '.github/workflows/access-ledger-sweep.yml'],
    ['docs/code-scanning.md', 'access-ledger validate', '.github/workflows/access-ledger-validate.yml'],
  ])('%s shows %s as init writes it, key for key', (doc, name, path) => {
    const text = readFileSync(new URL(`../../${doc}`, import.meta.url), 'utf8');
    const shown = new RegExp('```yaml\\n(name: ' + name + '\\n[\\s\\S]*?)```').exec(text)![1]!;
    expect(parse(shown)).toEqual(parse(files[path]!));
  });
});
