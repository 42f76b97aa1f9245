/**
 * examples/access-repo is Acme's access repo. It must validate clean, and it must keep showing
 * every pattern the product supports (so a refresh of the example cannot quietly drop one).
 * The clock is fixed: the example's dates were chosen on 2026-11-26.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Finding, FindingSummary } from '../../src/core/findings.ts';
import { buildSnapshot, roleOf, type Snapshot } from '../../src/core/model/snapshot.ts';
import { IDENTITY_KINDS } from '../../src/core/model/types.ts';
import { declaredRole } from '../../src/core/model/roles.ts';
import { validateSnapshot } from '../../src/core/validate.ts';
import { loadBuiltinPacks } from '../../src/adapters/fs/packs.ts';
import { ROOT, runCli, yamlFiles, type CliRun } from './run-cli.ts';
import { main } from '../../src/cli/main.ts';
import type { Io } from '../../src/cli/io.ts';

const DIR = join(ROOT, 'examples', 'access-repo');
const TODAY = '2026-11-26';

let json: CliRun;
let report: { findings: Finding[]; summary: FindingSummary };
let snapshot: Snapshot;

beforeAll(async () => {
  json = await runCli(['validate', 'examples/access-repo', '--format', 'json', '--today', TODAY, '--fail-on', 'warning']);
  report = JSON.parse(json.stdout) as typeof report;
  snapshot = buildSnapshot(yamlFiles(DIR).map((path) => ({ path, content: readFileSync(join(DIR, path)) })));
});

describe('validate examples/access-repo', () => {
  it('exits 0 with zero findings, not even warnings', () => {
    expect(json.stderr).toBe('');
    expect(report.findings).toEqual([]);
    expect(json.code).toBe(0);
    expect(report.summary).toMatchObject({ errors: 0, warnings: 0 });
    expect(report.summary.grants).toBeGreaterThanOrEqual(25);
    expect(report.summary.systems).toBeGreaterThanOrEqual(6);
  });

  it('says so in the text format', async () => {
    const text = await runCli(['validate', 'examples/access-repo', '--today', TODAY]);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/no problems in \d+ files/);
  });

  it('is clean through the core API too, as of the same day', () => {
    const result = validateSnapshot(snapshot, { packs: loadBuiltinPacks(), today: TODAY });
    expect(result.findings).toEqual([]);
  });
});

describe('the example never rots', () => {
  const yearAhead = () => new Date(Date.now() + 366 * 86_400_000);
  const io = (now: () => Date) => {
    const out = { stdout: '', stderr: '' };
    const io: Io = { stdout: (t) => void (out.stdout += t), stderr: (t) => void (out.stderr += t), color: false, interactive: false, env: {}, now };
    return { io, out };
  };
  const script = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts.example!;

  it(`npm run example validates as of the day the dates were chosen (${TODAY})`, () => {
    expect(script.split(/\s+/)).toEqual(['node', 'bin/access-ledger.js', 'validate', 'examples/access-repo', '--today', TODAY]);
  });

  it("npm run example's command still passes with the clock a year ahead", async () => {
    const args = script
      .split(/\s+/)
      .slice(2)
      .map((a) => (a === 'examples/access-repo' ? DIR : a));
    const run = io(yearAhead);
    expect(await main(args, run.io)).toBe(0);
    expect(run.out.stdout).toMatch(/no problems in \d+ files/);
  });

  it('the check can fail: without the pin, the same clock finds every expiry in the past', async () => {
    const run = io(yearAhead);
    expect(await main(['validate', DIR, '--format', 'json'], run.io)).toBe(1);
    expect((JSON.parse(run.out.stdout) as { findings: Finding[] }).findings.some((f) => f.rule === 'expiry-in-future')).toBe(true);
  });
});

describe('examples/access-repo shows every pattern', () => {
  const grants = () => snapshot.grants.map((g) => g.data!);

  it('every file parsed and matched its schema', () => {
    const files = [snapshot.config!, ...snapshot.systems, ...snapshot.grants];
    expect(files.filter((f) => !f.data).map((f) => f.path)).toEqual([]);
    expect(snapshot.config?.data).toMatchObject({ organization: 'acme', extends: 'soc2-baseline', admins: ['@acme/security'] });
  });

  it('has at least six systems of different categories, each with owner, approvers, cadence and evidence', () => {
    const systems = snapshot.systems.map((s) => s.data!);
    expect(new Set(systems.map((s) => s.category)).size).toBeGreaterThanOrEqual(6);
    for (const s of systems) {
      expect(s.owner, s.id).toBeTruthy();
      expect(s.approvers?.length, s.id).toBeGreaterThan(0);
      expect(s.review_cadence_days, s.id).toBeGreaterThan(0);
      expect(s.evidence?.provisioning && s.evidence.activity && s.evidence.review, s.id).toBeTruthy();
    }
    const approvers = systems.flatMap((s) => s.approvers ?? []);
    expect(approvers.some((a) => a.startsWith('@acme/'))).toBe(true);
    expect(approvers.some((a) => !a.startsWith('@'))).toBe(true);
  });

  it('declares roles on the systems that hold privileged access, and every grant holds a declared role as declared', () => {
    const systems = new Map(snapshot.systems.map((s) => [s.data!.id, s.data!]));
    const declaring = [...systems.values()].filter((s) => s.roles);
    expect(declaring.length).toBeGreaterThanOrEqual(4);
    expect(declaring.length).toBeLessThan(systems.size);
    let checked = 0;
    for (const g of grants()) {
      for (const e of g.access) {
        const declared = declaredRole(systems.get(e.system), e.role);
        if (!declared) continue;
        checked++;
        expect(declared.declared, `${g.identity.id} ${e.system}/${e.role}`).toBe(true);
        expect(e.privileged === true, `${g.identity.id} ${e.system}/${e.role}`).toBe(declared.privileged);
      }
    }
    expect(checked).toBeGreaterThanOrEqual(20);
    expect(declaring.some((s) => Object.values(s.roles!).some((r) => r.privileged) && Object.values(s.roles!).some((r) => !r.privileged))).toBe(true);
  });

  it('covers every identity kind', () => {
    expect(new Set(grants().map((g) => g.identity.kind))).toEqual(new Set(IDENTITY_KINDS));
  });

  it('spreads grants over sub-folders', () => {
    expect(new Set(snapshot.grants.map((g) => g.path.split('/')[1])).size).toBeGreaterThanOrEqual(6);
  });

  it('has a privileged just-in-time grant, a vendor integration and an agent', () => {
    expect(grants().some((g) => g.access.some((a) => a.privileged && a.jit))).toBe(true);
    expect(grants().some((g) => g.identity.kind === 'integration' && g.vendor?.offboarding && g.vendor.data_scope)).toBe(true);
    expect(grants().some((g) => g.identity.kind === 'agent' && g.identity.owner)).toBe(true);
  });

  it('has a shared admin account with compensating controls and an exception', () => {
    const shared = grants().filter((g) => g.identity.kind === 'shared-account');
    expect(shared.length).toBeGreaterThan(0);
    for (const g of shared) {
      expect(g.access.some((a) => a.privileged)).toBe(true);
      expect(g.shared?.holders.length).toBeGreaterThan(1);
      expect(g.shared?.compensating_controls.length).toBeGreaterThan(0);
      expect(g.exception?.expires).toBeTruthy();
      expect(g.exception?.compensating_controls.length).toBeGreaterThan(0);
    }
  });

  it('has federated credentials and static ones with a rotation record', () => {
    const creds = grants().flatMap((g) => (g.credential ? [g.credential] : []));
    expect(creds.some((c) => c.type === 'oidc-federated')).toBe(true);
    const rotated = creds.filter((c) => c.type !== 'oidc-federated');
    expect(rotated.some((c) => c.type === 'static-secret')).toBe(true);
    for (const c of rotated) expect(c.last_rotated && c.rotation_days).toBeTruthy();
  });

  it('starts every file with a yaml-language-server $schema line that resolves to the right schema', () => {
    for (const path of yamlFiles(DIR)) {
      const first = readFileSync(join(DIR, path), 'utf8').split('\n')[0]!;
      const m = /^# yaml-language-server: \$schema=(\S+)$/.exec(first);
      expect(m, path).not.toBeNull();
      const role = roleOf(path);
      const schema = resolve(dirname(join(DIR, path)), m![1]!);
      expect(schema, path).toBe(join(ROOT, 'policies', 'schemas', `${role}.schema.json`));
      expect(existsSync(schema), path).toBe(true);
    }
  });
});
