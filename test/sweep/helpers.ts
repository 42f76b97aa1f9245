/** The example access repo on the fake GitHub, and an Octokit with the App's installation token. */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { Octokit } from '@octokit/core';
import type { FakeGitHub } from '../support/fake-github/index.ts';
import type { SweepOctokit } from '../../src/adapters/github/sweep.ts';

export const EXAMPLE_DIR = new URL('../../examples/access-repo/', import.meta.url).pathname;
export const REPO = { owner: 'acme', repo: 'access' };

export function exampleFiles(): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const p = join(dir, name);
      if (statSync(p).isDirectory()) walk(p);
      else out[relative(EXAMPLE_DIR, p)] = readFileSync(p, 'utf8');
    }
  };
  walk(EXAMPLE_DIR);
  return out;
}

/** Every login the example grants name (owners, grantees, holders), plus the approvers. */
export const EXAMPLE_LOGINS = [
  'rpatel',
  'bwright',
  'jokafor',
  'hmori-studio',
  'nadia-r',
  'tkim',
  'anovak',
  'lgarcia',
  'dsilva',
  'sbrandt',
  'eford',
  'kjensen',
  'mchen',
  'oliver-b',
];

export function seedExample(
  gh: FakeGitHub,
  o: { leavers?: string[]; hasIssues?: boolean; files?: Record<string, string> } = {},
): { octokit: SweepOctokit; installationId: number } {
  const members = EXAMPLE_LOGINS.filter((l) => !(o.leavers ?? []).includes(l));
  gh.state.createOrg('acme', { members });
  for (const l of o.leavers ?? []) gh.state.createUser(l);
  gh.state.createRepo('acme/access', { files: o.files ?? exampleFiles(), hasIssues: o.hasIssues ?? true });
  const installationId = gh.state.installationFor('acme')!.id;
  return { octokit: octokitFor(gh, installationId), installationId };
}

export function octokitFor(gh: FakeGitHub, installationId: number): SweepOctokit {
  return new Octokit({ baseUrl: gh.url, auth: gh.createInstallationToken(installationId) }) as unknown as SweepOctokit;
}

/** Pacing that never waits, but records how the writes were spaced on a virtual clock. */
export function virtualPacing() {
  let t = 0;
  const waits: number[] = [];
  return {
    waits,
    pacing: {
      now: () => t,
      sleep: async (ms: number) => {
        waits.push(ms);
        t += ms;
      },
    },
  };
}

export function markers(gh: FakeGitHub, state: 'open' | 'closed' | 'all' = 'open'): string[] {
  return gh.state
    .listIssues('acme/access', { state })
    .flatMap((i) => {
      const m = /access-ledger:stale id=(\S+) kind=(\S+)/.exec(i.body ?? '');
      return m ? [`${m[2]}:${m[1]}`] : [];
    })
    .sort();
}
