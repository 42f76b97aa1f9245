/**
 * Two sweeps at once (two replicas whose daily schedules fire together) against the stateful fake:
 * however their requests interleave, the repo ends with one open issue per problem and one review
 * pull request per due system.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFakeGitHub, type FakeGitHub } from '../support/fake-github/index.ts';
import { MembershipReader, runSweep, type SweepOctokit } from '../../src/adapters/github/sweep.ts';
import { loadBuiltinPacks } from '../../src/adapters/fs/packs.ts';
import { markers, octokitFor, REPO, seedExample, virtualPacing } from './helpers.ts';

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

/** Resolves once `n` parties arrived. */
function barrier(n: number) {
  let arrived = 0;
  let release!: () => void;
  const done = new Promise<void>((r) => (release = r));
  return {
    arrive() {
      if (++arrived === n) release();
    },
    wait: () => done,
  };
}

/** An Octokit whose requests can be held before they are sent (`before`) and observed after (`after`). */
function instrumented(octokit: SweepOctokit, hooks: { before?: (route: string) => Promise<void> | void; after?: (route: string) => void }): SweepOctokit {
  return {
    async request(route, params) {
      await hooks.before?.(route);
      const res = await octokit.request(route, params);
      hooks.after?.(route);
      return res;
    },
  };
}

function sweepWith(octokit: SweepOctokit) {
  return runSweep({
    octokit,
    repo: REPO,
    packs,
    now: () => new Date(`${TODAY}T06:00:00Z`),
    today: TODAY,
    pacing: virtualPacing().pacing,
    membership: new MembershipReader(),
  });
}

function openPulls(): string[] {
  return gh.state
    .listIssues('acme/access', { state: 'open', pullRequests: true })
    .filter((i) => i.pull)
    .map((i) => i.pull!.headRef)
    .sort();
}

describe('two sweeps at once', () => {
  it('both plan before either writes: the newer duplicates are closed, one issue per problem stays open', async () => {
    const { installationId } = seedExample(gh, { leavers: ['tkim'] });
    // Hold every write until both sweeps have listed the open issues: the worst interleaving.
    const listed = barrier(2);
    const seen = [false, false];
    const mk = (i: 0 | 1) =>
      instrumented(octokitFor(gh, installationId), {
        before: async (route) => {
          if (!route.startsWith('GET ')) await listed.wait();
        },
        after: (route) => {
          if (route === 'GET /repos/{owner}/{repo}/issues' && !seen[i]) {
            seen[i] = true;
            listed.arrive();
          }
        },
      });
    const [a, b] = await Promise.all([sweepWith(mk(0)), sweepWith(mk(1))]);

    const want = a.desired.map((d) => d.key).sort();
    expect(want.length).toBeGreaterThan(20);
    // No problem has two open issues; what the write budget left undone, the next run does.
    const open = markers(gh, 'open');
    expect(new Set(open).size).toBe(open.length);
    expect(open.every((k) => want.includes(k))).toBe(true);
    // Every duplicate was closed as not planned, with a comment naming the issue that stays.
    const closed = gh.state.listIssues('acme/access', { state: 'closed' });
    expect(closed.length).toBeGreaterThan(0);
    expect(new Set([...a.executed!.duplicatesClosed, ...b.executed!.duplicatesClosed])).toEqual(new Set(closed.map((c) => c.number)));
    for (const c of closed) {
      expect(c.stateReason).toBe('not_planned');
      expect(c.comments.at(-1)!.body).toMatch(/^Duplicate of #\d+/);
    }
    // One review pull request per due system, whichever sweep opened it.
    expect(openPulls()).toEqual([
      'access-review/aws-prod/2027-03-01',
      'access-review/okta/2027-03-01',
      'access-review/prod-postgres/2027-03-01',
      'access-review/teleport/2027-03-01',
    ]);

    // The following runs finish the work without a duplicate; then there is nothing left to do.
    for (let i = 0; i < 3; i++) await sweepWith(octokitFor(gh, installationId));
    expect(markers(gh, 'open')).toEqual(want);
    expect((await sweepWith(octokitFor(gh, installationId))).requests.writes).toBe(0);
  });

  it.each([1, 2, 3, 4, 5])('requests interleaved at random (seed %i) never leave two open issues for one problem', async (seed) => {
    const { installationId } = seedExample(gh, { leavers: ['tkim'] });
    let x = seed * 2654435761;
    const rand = () => ((x = (x * 1103515245 + 12345) >>> 0) % 1000) / 1000;
    const jitter = () => instrumented(octokitFor(gh, installationId), { before: () => new Promise((r) => setTimeout(r, Math.floor(rand() * 4))) });
    const [a] = await Promise.all([sweepWith(jitter()), sweepWith(jitter())]);
    const open = markers(gh, 'open');
    expect(new Set(open).size).toBe(open.length);
    expect(openPulls()).toHaveLength(4);
    await sweepWith(octokitFor(gh, installationId));
    await sweepWith(octokitFor(gh, installationId));
    expect(markers(gh, 'open')).toEqual(a.desired.map((d) => d.key).sort());
  });
});
