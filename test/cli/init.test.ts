/** `access-ledger init`: the organization it is told, and the workflows and CODEOWNERS it writes. */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.ts';
import type { Io } from '../../src/cli/io.ts';
import { scaffold } from '../../src/cli/commands/init.ts';
import { parseCodeowners, parseWorkflows, ruleFor, secretsIn } from '../../src/core/doctor/index.ts';
import { runCli } from './run-cli.ts';

function memoryIo(): Io & { out: string; err: string } {
  const io = { out: '', err: '', color: false, interactive: false, env: {}, now: () => new Date('2027-01-20T06:00:00Z'), stdout: (t: string) => void (io.out += t), stderr: (t: string) => void (io.err += t) };
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
    for (const path of ['access-ledger.yaml', 'systems/prod-postgres.yaml', 'systems/new.yaml', '.github/workflows/access-ledger.yml', '.github/workflows/new.yml', '.github/CODEOWNERS']) {
      expect(ruleFor(rules, path)?.owners, path).toEqual(['@acme/security']);
    }
    expect(ruleFor(rules, 'grants/humans/alice.yaml')).toBeUndefined();
  });

  it('every action is pinned by a full commit SHA with its version in a comment, and the token step uses client-id', () => {
    const uses = workflowPaths.flatMap((p) => [...files[p]!.matchAll(/^\s*(?:-\s+)?uses:\s*(.+)$/gm)].map((m) => m[1]!));
    expect(uses.length).toBeGreaterThanOrEqual(2);
    for (const u of uses) expect(u).toMatch(/^[\w.-]+\/[\w.-]+@[0-9a-f]{40} # v\d+\.\d+\.\d+$/);
    const gate = files['.github/workflows/access-ledger.yml']!;
    expect(gate).toContain('client-id: ${{ vars.ACCESS_LEDGER_GATE_CLIENT_ID }}');
    expect(gate).not.toMatch(/app-id:/);
  });

  it('every workflow sets least permissions, a timeout per job, and the gate runs on pull_request_target in its environment without checking anything out', () => {
    for (const path of workflowPaths) {
      const doc = parse(files[path]!) as { on: Record<string, unknown>; permissions: unknown; jobs: Record<string, { 'timeout-minutes'?: number; steps: { uses?: string }[] }> };
      expect(doc.permissions, path).toEqual({});
      for (const [id, job] of Object.entries(doc.jobs)) {
        expect(job['timeout-minutes'], `${path} ${id}`).toBeGreaterThan(0);
        expect(job.steps.some((s) => s.uses?.startsWith('actions/checkout')), `${path} ${id}`).toBe(false);
      }
    }
    const [gate, review, rerun] = parseWorkflows(['access-ledger.yml', 'access-ledger-review.yml', 'access-ledger-rerun.yml'].map((f) => ({ path: `.github/workflows/${f}`, text: files[`.github/workflows/${f}`]! })));
    expect(gate!.triggers).toEqual(['pull_request_target']);
    expect(gate!.jobs[0]).toMatchObject({ id: 'gate', environment: 'access-ledger-gate' });
    // Reads through the API; the one write is the commit status on the head, with the job's own token.
    expect(gate!.jobs[0]!.permissions).toEqual({ contents: 'read', 'pull-requests': 'read', statuses: 'write' });
    const appToken = gate!.jobs[0]!.steps.find((st) => st.id === 'token')!;
    expect(Object.entries(appToken.with).filter(([k]) => k.startsWith('permission-')).map(([, v]) => v)).toEqual(['read', 'read', 'read']);
    const gateStep = gate!.jobs[0]!.steps.find((st) => st.uses?.startsWith('access-ledger/access-ledger@'))!;
    // The status token and context are the defaults: the job's token, access-ledger/gate.
    expect(gateStep.with).toEqual({ token: '${{ steps.token.outputs.token }}' });
    expect(gate!.jobs[0]!.secrets.map((s) => s.name)).toEqual(['ACCESS_LEDGER_GATE_PRIVATE_KEY']);
    expect(files['.github/workflows/access-ledger.yml']).toMatch(/^concurrency:\n {2}group: access-ledger-gate-\$\{\{ github\.event\.pull_request\.number \}\}\n {2}cancel-in-progress: true$/m);
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
