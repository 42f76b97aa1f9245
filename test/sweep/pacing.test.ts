/** Writes are capped per run and spaced at least a second apart; the next run resumes from GitHub. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFakeGitHub, type FakeGitHub } from '../support/fake-github/index.ts';
import { MembershipReader, runSweep } from '../../src/adapters/github/sweep.ts';
import { WriteBudget } from '../../src/adapters/github/issues.ts';
import { loadBuiltinPacks } from '../../src/adapters/fs/packs.ts';
import { exampleFiles, markers, octokitFor, REPO, seedExample } from './helpers.ts';

const packs = loadBuiltinPacks();
const TODAY = '2027-03-01';
let gh: FakeGitHub;

beforeEach(async () => {
  gh = await startFakeGitHub({ now: () => new Date(`${TODAY}T06:00:00Z`) });
});
afterEach(async () => {
  expect(gh.errors).toEqual([]);
  await gh.close();
});

describe('the write budget', () => {
  it('counts writes and refuses past the cap', async () => {
    const budget = new WriteBudget({ maxWrites: 2 });
    await budget.write(async () => undefined);
    await budget.write(async () => undefined);
    expect(budget.remaining).toBe(0);
    await expect(budget.write(async () => undefined)).rejects.toThrow(/budget/);
  });
});

describe('a capped sweep', () => {
  it('stops at stale.max_writes_per_run, spaces writes a second apart, and the next runs finish the work', async () => {
    const files = exampleFiles();
    files['access-ledger.yaml'] = files['access-ledger.yaml']!.replace(
      'stale: { expiring_within_days: 14 }',
      'stale: { expiring_within_days: 14, max_writes_per_run: 7 }\nreviews: { enabled: false }',
    );
    const { installationId } = seedExample(gh, { files, leavers: ['tkim'] });
    let t = 0;
    const stamps: number[] = [];
    const pacing = {
      now: () => t,
      sleep: async (ms: number) => {
        t += ms;
      },
    };
    const counted = (octokit: ReturnType<typeof octokitFor>) => ({
      request: (route: string, params?: Record<string, unknown>) => {
        if (!route.startsWith('GET ')) stamps.push(t);
        return octokit.request(route, params);
      },
    });
    const run = () =>
      runSweep({
        octokit: counted(octokitFor(gh, installationId)),
        repo: REPO,
        packs,
        now: () => new Date(`${TODAY}T06:00:00Z`),
        today: TODAY,
        pacing,
        membership: new MembershipReader(),
      });

    // The dry run foresees exactly what the budget will leave for the next run.
    const dry = await runSweep({
      octokit: octokitFor(gh, installationId),
      repo: REPO,
      packs,
      now: () => new Date(`${TODAY}T06:00:00Z`),
      today: TODAY,
      dryRun: true,
      membership: new MembershipReader(),
    });
    const first = await run();
    expect(dry.deferred.map((a) => ('desired' in a ? a.desired.key : a.issue.number))).toEqual(
      first.deferred.map((a) => ('desired' in a ? a.desired.key : a.issue.number)),
    );
    expect(first.requests.writes).toBeLessThanOrEqual(7);
    expect(first.requests.writes).toBeGreaterThanOrEqual(5);
    expect(first.deferred.length).toBeGreaterThan(0);
    // The leaver's issue goes first.
    expect(markers(gh)).toContain('left-org:tkim');
    for (let i = 1; i < stamps.length; i++) expect(stamps[i]! - stamps[i - 1]!).toBeGreaterThanOrEqual(1000);

    let runs = 1;
    let last = first;
    while (last.deferred.length > 0 && runs < 20) {
      last = await run();
      expect(last.requests.writes).toBeLessThanOrEqual(7);
      runs++;
    }
    expect(last.deferred).toEqual([]);
    expect(markers(gh)).toEqual(first.desired.map((d) => d.key).sort());
    // A create spends one write and keeps two in reserve for a duplicate, released once the
    // open issues are listed again: five or six creates per run of seven writes.
    expect(runs).toBeLessThanOrEqual(Math.ceil(first.desired.length / 5));
    expect((await run()).requests.writes).toBe(0);
  });
});
