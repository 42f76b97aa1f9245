/**
 * The sweep end to end against the stateful fake GitHub: the example access repo with the clock
 * moved forward opens the right issues, a second sweep changes nothing, fixing a grant closes its
 * issue, and a regression reopens it.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFakeGitHub, type FakeGitHub } from '../support/fake-github/index.ts';
import { MembershipReader, runSweep } from '../../src/adapters/github/sweep.ts';
import { loadBuiltinPacks } from '../../src/adapters/fs/packs.ts';
import { exampleFiles, markers, octokitFor, REPO, seedExample, virtualPacing } from './helpers.ts';

const packs = loadBuiltinPacks();
let gh: FakeGitHub;
/** GitHub's clock follows the sweep's day, so issue activity carries the day it happened. */
let clock = new Date('2027-01-20T06:00:00Z');

beforeEach(async () => {
  clock = new Date('2027-01-20T06:00:00Z');
  gh = await startFakeGitHub({ now: () => clock });
});
afterEach(async () => {
  expect(gh.errors).toEqual([]);
  await gh.close();
});

/** One sweep on `today`, with a fresh installation token (tokens live an hour on GitHub's clock). */
function sweep(installationId: number, today: string, extra: Partial<Parameters<typeof runSweep>[0]> = {}) {
  clock = new Date(`${today}T06:00:00Z`);
  return runSweep({
    octokit: octokitFor(gh, installationId),
    repo: REPO,
    packs,
    now: () => new Date(`${today}T06:00:00Z`),
    today,
    pacing: virtualPacing().pacing,
    membership: new MembershipReader(),
    ...extra,
  });
}

describe('the sweep over the example repo', () => {
  it('opens the right issues, then a second sweep changes nothing', async () => {
    const { installationId } = seedExample(gh, { leavers: ['tkim'] });
    const first = await sweep(installationId, '2027-01-20');
    expect(markers(gh)).toEqual(['expiring-soon:dsilva', 'expiring-soon:sbrandt', 'left-org:tkim']);
    expect(first.requests.writes).toBe(3);

    const leaver = gh.state.listIssues('acme/access', { state: 'open' }).find((i) => i.title.startsWith('Urgent'))!;
    expect(leaver.labels).toEqual(expect.arrayContaining(['stale-grant', 'access-ledger', 'urgent']));
    expect(leaver.body).toContain('grants/people/tkim.yaml');
    const expiring = gh.state.listIssues('acme/access', { state: 'open' }).find((i) => i.title === 'Access expiring soon: dsilva')!;
    expect(expiring.assignees.length).toBe(1); // the owner, a member

    const second = await sweep(installationId, '2027-01-20');
    expect(second.requests.writes).toBe(0);
    expect(second.plan.every((a) => a.type === 'no-op')).toBe(true);
    // Reads: repository, branch, archive, members (1 page), the leaver's check, open issues (1 page), open pulls.
    expect(second.requests.reads).toBe(7);
  });

  it('closes the issue when the grant is fixed, and reopens it when the problem comes back', async () => {
    const { installationId } = seedExample(gh);
    await sweep(installationId, '2027-01-20');
    const path = 'grants/people/dsilva.yaml';
    const original = exampleFiles()[path]!;
    const issue = gh.state.listIssues('acme/access', { state: 'open' }).find((i) => i.title === 'Access expiring soon: dsilva')!;

    const renewed = original.replace(/expires: 2027-0[12]-\d\d/g, 'expires: 2027-07-31');
    expect(renewed).not.toBe(original);
    gh.state.commitFiles('acme/access', 'main', { [path]: renewed }, { author: 'dsilva', message: 'Renew dsilva' });
    const fixed = await sweep(installationId, '2027-01-21');
    expect(fixed.plan.filter((a) => a.type === 'close').map((a) => ('issue' in a ? a.issue.number : 0))).toEqual([issue.number]);
    const closed = gh.state.issue('acme/access', issue.number);
    expect(closed.state).toBe('closed');
    expect(closed.stateReason).toBe('completed');
    expect(closed.comments.at(-1)!.body).toMatch(/No access entry of `dsilva` expires within the warning window any more on `main`/);

    gh.state.commitFiles('acme/access', 'main', { [path]: original }, { author: 'dsilva', message: 'Revert the renewal' });
    const regressed = await sweep(installationId, '2027-01-22');
    expect(regressed.plan.filter((a) => a.type === 'reopen')).toHaveLength(1);
    expect(gh.state.issue('acme/access', issue.number).state).toBe('open');
    expect(gh.state.issue('acme/access', issue.number).comments.at(-1)!.body).toMatch(/^Reopening: the problem is present on `main` again/);
    expect(markers(gh, 'all').filter((m) => m === 'expiring-soon:dsilva')).toHaveLength(1);
  });

  it('updates the body and says so when the problem changes, and reminds at most every reminder_days', async () => {
    const { installationId } = seedExample(gh);
    await sweep(installationId, '2027-01-20');
    const path = 'grants/people/dsilva.yaml';
    const issue = gh.state.listIssues('acme/access', { state: 'open' }).find((i) => i.title === 'Access expiring soon: dsilva')!;
    const before = issue.body;
    const changed = exampleFiles()[path]!.replace(/role: (\S+)/, 'role: $1_narrowed');
    gh.state.commitFiles('acme/access', 'main', { [path]: changed }, { author: 'dsilva' });
    const updated = await sweep(installationId, '2027-01-21');
    expect(updated.plan.filter((a) => a.type === 'update')).toHaveLength(1);
    const now = gh.state.issue('acme/access', issue.number);
    expect(now.body).not.toBe(before);
    expect(now.body).toContain('_narrowed');
    expect(now.comments.at(-1)!.body).toMatch(/^The problem changed on `main`/);

    // The update on 01-21 was the last activity: 6 days later no reminder, 7 days later one, and none the day after.
    // (More grants come within the expiry window meanwhile: those are new issues, not reminders.)
    const reminders = (r: Awaited<ReturnType<typeof sweep>>) => r.plan.flatMap((a) => (a.type === 'remind' ? [a.issue.number] : []));
    const sbrandt = gh.state.listIssues('acme/access', { state: 'open' }).find((i) => i.title === 'Access expiring soon: sbrandt')!;
    // sbrandt's issue, untouched since 01-20, is reminded on 01-27; dsilva's, updated on 01-21, on 01-28.
    expect(reminders(await sweep(installationId, '2027-01-27'))).toEqual([sbrandt.number]);
    expect(reminders(await sweep(installationId, '2027-01-28'))).toEqual([issue.number]);
    expect(reminders(await sweep(installationId, '2027-01-29'))).toEqual([]);
    expect(gh.state.issue('acme/access', issue.number).comments.at(-1)!.body).toMatch(/^Reminder: /);
  });

  it('logs and carries on when Issues are disabled', async () => {
    const { installationId } = seedExample(gh, { hasIssues: false });
    const warnings: string[] = [];
    const report = await sweep(installationId, '2027-01-20', { log: { info() {}, warn: (m) => warnings.push(m) } });
    expect(report.issuesDisabled).toBe(true);
    expect(report.problems.length).toBe(2);
    expect(report.requests.writes).toBe(0);
    expect(warnings.join('\n')).toMatch(/Issues are disabled in acme\/access/);
  });

  it('takes today as the UTC day of its clock, wherever the clock was read', async () => {
    const { installationId } = seedExample(gh);
    clock = new Date('2027-01-15T04:30:00Z');
    // 23:30 on the 14th in New York is already the 15th in UTC: 14 days before dsilva's and
    // sbrandt's 2027-01-29, inside the window (on the 14th they would be 15 days away, outside it).
    const report = await runSweep({
      octokit: octokitFor(gh, installationId),
      repo: REPO,
      packs,
      now: () => new Date('2027-01-14T23:30:00-05:00'),
      dryRun: true,
      membership: false,
    });
    expect(report.today).toBe('2027-01-15');
    expect(report.desired.map((d) => d.key)).toEqual(['expiring-soon:dsilva', 'expiring-soon:sbrandt']);
  });

  it('the dry run reads and plans but writes nothing', async () => {
    const { installationId } = seedExample(gh, { leavers: ['tkim'] });
    const report = await sweep(installationId, '2027-03-01', { dryRun: true });
    expect(report.requests.writes).toBe(0);
    expect(report.plan.filter((a) => a.type === 'create').length).toBe(report.desired.length);
    expect(report.dueSystems.map((d) => d.system)).toEqual(['aws-prod', 'okta', 'prod-postgres', 'teleport']);
    expect(gh.state.listIssues('acme/access', { state: 'all' })).toEqual([]);
  });
});

describe('membership fails closed', () => {
  it('a token that cannot see private members stops the sweep before any write', async () => {
    seedExample(gh);
    for (const l of ['rpatel', 'bwright']) gh.state.org('acme')!.members.get(l)!.public = false;
    const outsider = gh.createToken('mallory');
    gh.state.createUser('mallory');
    const { Octokit } = await import('@octokit/core');
    const octokit = new Octokit({ baseUrl: gh.url, auth: outsider });
    await expect(
      runSweep({ octokit: octokit as never, repo: REPO, packs, now: () => clock, today: '2027-01-20', membership: new MembershipReader() }),
    ).rejects.toThrow(/Cannot tell whether @\S+ is still a member of acme.*members: read/);
    expect(gh.state.listIssues('acme/access', { state: 'all' })).toEqual([]);
  });

  it('with membership skipped, leaver issues are left exactly as they are', async () => {
    const { installationId } = seedExample(gh, { leavers: ['tkim'] });
    await sweep(installationId, '2027-01-20');
    const report = await sweep(installationId, '2027-01-20', { membership: false });
    expect(report.membership).toBe('skipped');
    expect(report.requests.writes).toBe(0);
    expect(markers(gh)).toContain('left-org:tkim');
  });
});
