/**
 * The scheduled workflow docs/observed-access.md gives for recording a system's listing: it is a
 * workflow a user can copy as it stands. Its actions are pinned as the scaffold pins them, its
 * keys stay in the sweep's protected environment and out of reach of pull requests (the doctor's
 * checks pass with it added to the scaffold), and its last step runs `observe` with options the
 * command has, at the version the scaffold installs.
 */
import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { PINS, pin } from '../../src/cli/pins.ts';
import { registerObserve } from '../../src/cli/commands/observe.ts';
import { VERSION } from '../../src/core/version.ts';
import { runChecks, type WorkflowFile } from '../../src/core/doctor/index.ts';
import { GATE_OPTIONS, safeFacts } from '../doctor/fixtures.ts';

const page = readFileSync(new URL('../../docs/observed-access.md', import.meta.url), 'utf8');
const block = /<!-- observe-workflow -->\n```yaml\n([\s\S]*?)\n```/.exec(page)?.[1] ?? '';
type Step = { uses?: string; run?: string; with?: Record<string, unknown>; env?: Record<string, string> };
type Workflow = {
  on: Record<string, unknown>;
  permissions: unknown;
  jobs: Record<string, { environment: string; permissions: Record<string, string>; steps: Step[] }>;
};
const workflow = parse(block) as Workflow;

describe('docs/observed-access.md: recording listings on a schedule', () => {
  it('is a workflow that runs on a schedule or by hand, never for a pull request', () => {
    expect(block).not.toBe('');
    expect(Object.keys(workflow.on).sort()).toEqual(['schedule', 'workflow_dispatch']);
    expect(workflow.permissions).toEqual({});
    const [job] = Object.values(workflow.jobs);
    expect(job!.environment).toBe('access-ledger-sweep');
    expect(job!.permissions).toEqual({ contents: 'read', 'id-token': 'write' });
  });

  it("pins every action by its full commit, the scaffold's actions at the scaffold's commits", () => {
    const uses = Object.values(workflow.jobs).flatMap((j) => j.steps.flatMap((s) => (s.uses ? [s.uses] : [])));
    expect(uses.length).toBeGreaterThan(3);
    for (const u of uses) expect(u, u).toMatch(/^[\w.-]+\/[\w.-]+@[0-9a-f]{40}$/);
    const lines = block.split('\n');
    for (const p of [PINS.checkout, PINS.appToken, PINS.setupNode])
      expect(
        lines.some((l) => l.trim() === `- uses: ${pin(p)}` || l.trim() === `uses: ${pin(p)}`),
        p.action,
      ).toBe(true);
  });

  it("records with observe's own options, at the version the scaffold installs", async () => {
    const steps = Object.values(workflow.jobs)[0]!.steps;
    const last = steps.at(-1)!;
    expect(Object.keys(last.env ?? {}).sort()).toEqual(['ACCESS_LEDGER_SIGNING_KEY', 'GITHUB_TOKEN']);
    const prefix = `npx --yes access-ledger@${VERSION} `;
    expect(last.run!.startsWith(prefix)).toBe(true);
    const argv = last.run!.slice(prefix.length).replace('"$GITHUB_REPOSITORY"', 'acme/access').split(/\s+/);
    // Parsed by the command itself: an option it does not have is an error, not a silent pass.
    const program = new Command().exitOverride();
    let parsed: { dir: string; opts: Record<string, unknown> } | undefined;
    registerObserve(
      program,
      { stdout: () => undefined, stderr: () => undefined, color: false, interactive: false, now: () => new Date(), env: {} } as never,
      () => undefined,
    );
    const observe = program.commands.find((c) => c.name() === 'observe')!;
    observe.exitOverride().action((dir: string, opts: Record<string, unknown>) => void (parsed = { dir, opts }));
    await program.parseAsync(argv, { from: 'user' });
    expect(parsed).toEqual({
      dir: '.',
      opts: expect.objectContaining({ system: 'aws-prod', from: 'credential-report.csv', record: true, repo: 'acme/access' }),
    });
  });

  it('leaves every check of the doctor passing when added to the scaffold', () => {
    const facts = safeFacts();
    const before = runChecks(facts, GATE_OPTIONS);
    facts.workflows = [...(facts.workflows as WorkflowFile[]), { path: '.github/workflows/access-ledger-observe.yml', text: block }];
    const after = runChecks(facts, GATE_OPTIONS);
    const status = (r: typeof after) => Object.fromEntries(r.checks.map((c) => [c.id, c.status]));
    expect(Object.values(status(before)).every((s) => s === 'pass')).toBe(true);
    expect(status(after)).toEqual(status(before));
  });
});
