/** `access-ledger sweep` as a scheduled workflow runs it, against the stateful fake GitHub. */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFakeGitHub, type FakeGitHub } from '../support/fake-github/index.ts';
import { runSweepCommand } from '../../src/cli/commands/sweep.ts';
import type { Io } from '../../src/cli/io.ts';
import { markers, octokitFor, seedExample, virtualPacing } from './helpers.ts';
import { TEST_SIGNING_KEY } from '../support/ledger-keys.ts';

const BIN = fileURLToPath(new URL('../../bin/access-ledger.js', import.meta.url));
let gh: FakeGitHub;
const NOW = new Date('2027-01-20T06:00:00Z');

beforeEach(async () => {
  gh = await startFakeGitHub({ now: () => NOW });
});
afterEach(async () => {
  expect(gh.errors).toEqual([]);
  await gh.close();
});

function cli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: { PATH: process.env.PATH, NO_COLOR: '1', CI: 'true', ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

function memoryIo(env: NodeJS.ProcessEnv = {}): Io & { out: string; err: string } {
  const io = {
    out: '',
    err: '',
    color: false,
    interactive: false,
    env,
    now: () => NOW,
    stdout: (t: string) => void (io.out += t),
    stderr: (t: string) => void (io.err += t),
  };
  return io;
}

describe('access-ledger sweep', () => {
  it('--dry-run prints what it would open and writes nothing (a separate process, token from GITHUB_TOKEN)', async () => {
    const { installationId } = seedExample(gh, { leavers: ['tkim'] });
    const token = gh.createInstallationToken(installationId);
    const r = await cli(['sweep', '--repo', 'acme/access', '--dry-run', '--today', '2027-01-20'], { GITHUB_TOKEN: token, GITHUB_API_URL: gh.url });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('acme/access@main');
    expect(r.stdout).toMatch(/open {4}Urgent: @tkim left the organization.*\[stale-grant, access-ledger, urgent\]/);
    expect(r.stdout).toMatch(/open {4}Access expiring soon: dsilva/);
    expect(r.stdout).toMatch(/\d+ reads, 0 writes/);
    expect(gh.state.listIssues('acme/access', { state: 'all' })).toEqual([]);

    const json = await cli(['sweep', '--repo', 'acme/access', '--dry-run', '--today', '2027-03-01', '--format', 'json', '--token', token, '--api-url', gh.url]);
    const report = JSON.parse(json.stdout);
    expect(report.dryRun).toBe(true);
    expect(report.reviews.map((x: { system: string }) => x.system)).toEqual(['aws-prod', 'okta', 'prod-postgres', 'teleport']);
    expect(report.requests.writes).toBe(0);
  });

  it('a run opens the issues, and the next run changes nothing', async () => {
    const { installationId } = seedExample(gh, { leavers: ['tkim'] });
    // In-process with an unthrottled client: the real one waits a second between writes.
    const octokit = octokitFor(gh, installationId);
    // The ledger key a scheduled sweep has as a secret: the leaver record is signed with it.
    const io = memoryIo({ ACCESS_LEDGER_SIGNING_KEY: TEST_SIGNING_KEY });
    expect(await runSweepCommand({ repo: 'acme/access', today: '2027-01-20', octokit, pacing: virtualPacing().pacing }, io)).toBe(0);
    expect(markers(gh)).toEqual(['expiring-soon:dsilva', 'expiring-soon:sbrandt', 'left-org:tkim']);
    expect(io.out).toMatch(/opened #\d+ Urgent: @tkim/);
    // The leaver the sweep found first is recorded on the ledger, with the day it was found.
    expect(Object.keys(gh.state.ledger('acme/access') ?? {}).filter((p) => p.includes('left-tkim-20270120T000000Z'))).toHaveLength(1);
    const again = memoryIo({ ACCESS_LEDGER_SIGNING_KEY: TEST_SIGNING_KEY });
    expect(await runSweepCommand({ repo: 'acme/access', today: '2027-01-20', octokit, pacing: virtualPacing().pacing }, again)).toBe(0);
    expect(again.out).toContain('no issue needed a change');
    expect(again.out).toMatch(/, 0 writes/);
  });

  it('usage errors are one line and exit 2', async () => {
    const none = await cli(['sweep', '--repo', 'acme/access']);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/^access-ledger: sweep needs a GitHub token: pass --token or set GITHUB_TOKEN/);
    expect(none.stderr.trim().split('\n')).toHaveLength(1);
    const bad = await cli(['sweep', '--repo', 'acme', '--token', 'x']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--repo must be owner\/name/);
    const day = await cli(['sweep', '--repo', 'acme/access', '--token', 'x', '--today', '2027-02-30']);
    expect(day.code).toBe(2);
    expect(day.stderr).toMatch(/--today must be a date/);
  });

  it('a GitHub error names the fix and exits 2', async () => {
    seedExample(gh);
    const r = await cli(['sweep', '--repo', 'acme/access', '--dry-run', '--token', 'not-a-token', '--api-url', gh.url]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^access-ledger: GitHub rejected the credentials \(401\)/);
  });
});
