/**
 * The attack table (test/support/attacks.ts) on the stateful fake GitHub: the organization with
 * its teams, each case's base repo, and its pull request as GitHub would hold it: one commit per
 * author (the first holds the change; a rename is a deletion and an addition in that commit, which
 * GitHub lists as `renamed` when the files are similar enough), reviews on the head commit or on
 * an older one. The gate's process test and the App's merge test both build their cases here.
 */
import type { FakeGitHub, Files } from './fake-github/index.ts';
import { HttpError } from './fake-github/errors.ts';
import { testSigner, withLedgerTrust } from './ledger-keys.ts';
import { CONFIG, ORG_MEMBERS, SYSTEMS, TEAMS, baseFiles, type Attack } from './attacks.ts';

export const ORG = 'acme';

/** The organization, its teams, and the bot that reviews in one attack; returns the App's installation token. */
export function seedAttackOrg(gh: FakeGitHub): string {
  // A login ending in [bot] is an App's bot account on GitHub.
  gh.state.createUser('helper-bot[bot]', { type: 'Bot' });
  gh.state.createOrg(ORG, { members: ORG_MEMBERS });
  for (const [team, members] of Object.entries(TEAMS)) gh.state.createTeam(ORG, team.slice(team.indexOf('/') + 1), { members });
  return gh.createInstallationToken(gh.state.installationFor(ORG)!.id);
}

/** The base branch of a case: the config, the systems and the grants, with the case's replacements. */
export function baseRepoFiles(a: Attack, today: string): Record<string, string> {
  return {
    'README.md': '# Access\n',
    'access-ledger.yaml': withLedgerTrust(a.config ?? CONFIG, [testSigner()]),
    ...SYSTEMS,
    ...(a.systems ?? {}),
    ...baseFiles(today),
    ...(a.base ?? {}),
  };
}

/** What the pull request's first commit writes: the change, and for a rename the old path deleted. */
export function changeFiles(a: Attack): Files {
  const files: Files = {};
  for (const old of Object.values(a.renames ?? {})) files[old] = null;
  Object.assign(files, a.change);
  return files;
}

export interface OpenedPull {
  number: number;
  headSha: string;
  /** Reviews GitHub refused (an author cannot approve their own pull request), with its reason. */
  refused: string[];
}

/**
 * Opens the case's pull request on `repo` (whose default branch must already hold the case's base):
 * the author's commit with the change, an empty commit by each other commit author, reviews of an
 * older commit before a last push, then the reviews of the head commit.
 */
export function openAttackPull(gh: FakeGitHub, repo: string, a: Attack, opts: { head?: string } = {}): OpenedPull {
  const author = a.author ?? 'mallory';
  const [first = author, ...others] = a.commitAuthors ?? [author];
  const number = gh.state.openPullRequest(repo, {
    author,
    title: a.name.slice(0, 200),
    ...(opts.head ? { head: opts.head } : {}),
    commits: [{ files: changeFiles(a), author: first, message: 'Change access' }],
  });
  const refused: string[] = [];
  const review = (reviewer: string, state: string, commitId?: string) => {
    try {
      if (state === 'DISMISSED') {
        const r = gh.state.submitReview(repo, number, { user: reviewer, state: 'APPROVED', ...(commitId ? { commitId } : {}) });
        gh.state.dismissReview(repo, number, r.id);
      } else {
        gh.state.submitReview(repo, number, {
          user: reviewer,
          state: state as 'APPROVED' | 'CHANGES_REQUESTED' | 'COMMENTED',
          ...(commitId ? { commitId } : {}),
        });
      }
    } catch (err) {
      if (!(err instanceof HttpError)) throw err;
      refused.push(`${reviewer}: ${err.errors?.map((e) => (typeof e === 'string' ? e : (e.message ?? e.code))).join(', ') ?? err.message}`);
    }
  };
  const reviews = a.reviews ?? [];
  const older = gh.state.pullOf(repo, number).pull.headSha;
  for (const [reviewer, state, on] of reviews) if (on === 'old') review(reviewer, state, older);
  for (const login of others) gh.state.pushToPullRequest(repo, number, {}, { author: login, message: `Review the change (${login})` });
  if (others.length === 0 && reviews.some(([, , on]) => on === 'old'))
    gh.state.pushToPullRequest(repo, number, {}, { author, message: 'Push after the review' });
  for (const [reviewer, state, on] of reviews) if (on !== 'old') review(reviewer, state);
  return { number, headSha: gh.state.pullOf(repo, number).pull.headSha, refused };
}

/**
 * GitHub reports a login as its account spells it. A case whose reviewer spells a login in other
 * capitals than the fake's account (`DAVE` for `dave`) is about an account spelled that way: the
 * account is spelled so while `run` runs.
 */
export async function withLoginsAsSpelled<T>(gh: FakeGitHub, a: Attack, run: () => Promise<T>): Promise<T> {
  const restore: (() => void)[] = [];
  for (const [reviewer] of a.reviews ?? []) {
    const user = gh.state.user(reviewer);
    if (user.login === reviewer) continue;
    const was = user.login;
    user.login = reviewer;
    restore.push(() => (user.login = was));
  }
  try {
    return await run();
  } finally {
    for (const r of restore) r();
  }
}
