/**
 * A merged access-review pull request becomes a `review-campaign` record: the system, the review
 * day, who signed off (the system's approvers who approved it), and what was kept, changed and
 * removed, compared between the commit the campaign started from and the head the reviewers
 * approved. The record's key is the pull request's, so a redelivered event writes nothing.
 */
import { buildSnapshot } from '../../core/model/snapshot.ts';
import type { Grant } from '../../core/model/types.ts';
import type { PullRequestRef, ReviewRecord, ReviewState, SealedRecord } from '../../core/ledger/index.ts';
import { approvingReviewers, campaignOutcome, parseCampaignMarker, reviewCampaignDraft, type CampaignOutcome } from '../../core/reviews/index.ts';
import { errorStatus, explainGitHubError } from '../../adapters/github/errors.ts';
import { listAll, type RepoRef, type SweepOctokit } from '../../adapters/github/issues.ts';
import { readFilesAt } from '../../adapters/github/sweep.ts';
import type { AppDeps } from '../deps.ts';
import { sweepLedgerStore, type Log } from './run.ts';
import { appLoginFor, appendWithAnomalyIssues } from '../ledger/trust.ts';
import { upsertRecordComment } from '../ledger/comment.ts';
import type { Requester } from '../github.ts';

export interface CampaignPull {
  number: number;
  title: string;
  html_url: string;
  body?: string | null;
  created_at: string;
  merged: boolean | null;
  merged_at: string | null;
  merged_by?: { login: string } | null;
  user: { login: string } | null;
  head: { ref: string; sha: string; repo?: { full_name?: string } | null };
  base: { ref: string; sha: string };
}

export type CampaignMergeOutcome =
  | { status: 'not-campaign' | 'not-merged' }
  | { status: 'recorded'; record: SealedRecord; system: string; reviewers: string[]; outcome: CampaignOutcome };

/** The campaign marker in the body, on a branch of this repo whose name ends in `<system>/<date>`. */
export function campaignOf(pull: CampaignPull, repo: RepoRef): { system: string; date: string } | undefined {
  const ref = parseCampaignMarker(pull.body);
  if (!ref || !pull.head.ref.endsWith(`/${ref.system}/${ref.date}`)) return undefined;
  if (pull.head.repo?.full_name && pull.head.repo.full_name.toLowerCase() !== `${repo.owner}/${repo.repo}`.toLowerCase()) return undefined;
  return ref;
}

async function isTeamMember(octokit: SweepOctokit, org: string, slug: string, login: string, repo: RepoRef): Promise<boolean> {
  try {
    const res = await octokit.request('GET /orgs/{org}/teams/{team_slug}/memberships/{username}', { org, team_slug: slug, username: login });
    return (res.data as { state?: string }).state === 'active';
  } catch (err) {
    if (errorStatus(err) === 404) return false;
    throw explainGitHubError(err, { action: `checking whether @${login} is in @${org}/${slug}`, route: 'GET /orgs/{org}/teams/{team_slug}/memberships/{username}', owner: repo.owner, repo: repo.repo, permission: 'members: read' });
  }
}

/**
 * Adds the record to the PR's sticky comment, the hash's anchor outside the ledger. The ledger's
 * own handler writes that comment for the merge's `grant-change` record at the same time; the
 * comment's writers take turns in this process (see upsertRecordComment), so each adds its line
 * to the one comment.
 */
async function anchorInComment(octokit: SweepOctokit, repo: RepoRef, pull: CampaignPull, records: SealedRecord[], branch: string, appLogin: string): Promise<void> {
  const repositoryUrl = pull.html_url.replace(/\/pull\/\d+$/, '');
  await upsertRecordComment(octokit as unknown as Requester, repo, pull.number, records, { branch, repositoryUrl, appLogin });
}

export async function recordCampaignMerge(input: { octokit: SweepOctokit; repo: RepoRef; pull: CampaignPull; defaultBranch: string; deps: AppDeps; log: Log }): Promise<CampaignMergeOutcome> {
  const { octokit, repo, pull, deps, log } = input;
  const ref = campaignOf(pull, repo);
  if (!ref) return { status: 'not-campaign' };
  if (!pull.merged || pull.base.ref !== input.defaultBranch) return { status: 'not-merged' };

  // Where the campaign started: the parent of its first commit (the base may have moved since).
  const commits = await listAll<{ sha: string; parents: { sha: string }[] }>(octokit, 'GET /repos/{owner}/{repo}/pulls/{pull_number}/commits', { pull_number: pull.number }, repo, `listing the commits of review pull request #${pull.number}`, 3, 'pull_requests: read');
  const start = commits[0]?.parents[0]?.sha ?? pull.base.sha;
  const before = buildSnapshot(await readFilesAt(octokit, repo, start));
  const after = buildSnapshot(await readFilesAt(octokit, repo, pull.head.sha));

  const beforeMap = new Map<string, Grant | undefined>();
  for (const g of before.grants) if (g.data?.access.some((e) => e.system === ref.system)) beforeMap.set(g.path, g.data);
  const afterByPath = new Map(after.grants.map((g) => [g.path, g.data]));
  const afterMap = new Map<string, Grant | undefined>([...beforeMap.keys()].map((p) => [p, afterByPath.get(p)]));
  const outcome = campaignOutcome(ref.system, beforeMap, afterMap);

  // The sign-off: approvals from the system's approvers (listed users, or members of listed teams).
  const system = before.systems.find((s) => s.data?.id === ref.system)?.data;
  const org = before.config?.data?.organization ?? repo.owner;
  const approvers = system?.approvers ?? before.config?.data?.admins ?? [];
  const rawReviews = await listAll<{ user: { login: string } | null; state: string; submitted_at?: string | null; commit_id: string }>(octokit, 'GET /repos/{owner}/{repo}/pulls/{pull_number}/reviews', { pull_number: pull.number }, repo, `listing the reviews of review pull request #${pull.number}`, 10, 'pull_requests: read');
  const reviews: ReviewRecord[] = rawReviews
    .filter((r) => r.user && r.submitted_at && ['APPROVED', 'CHANGES_REQUESTED', 'COMMENTED', 'DISMISSED'].includes(r.state))
    .map((r) => ({ reviewer: r.user!.login, state: r.state as ReviewState, submitted_at: r.submitted_at!, commit_id: r.commit_id, on_head: r.commit_id === pull.head.sha }));
  const eligible = new Set<string>();
  for (const login of approvingReviewers(reviews)) {
    const l = login.toLowerCase();
    if (pull.user && pull.user.login.toLowerCase() === l) continue;
    for (const a of approvers) {
      const team = /^@([^/]+)\/(.+)$/.exec(a);
      if (team ? await isTeamMember(octokit, team[1] ?? org, team[2]!, login, repo) : a.toLowerCase() === l) {
        eligible.add(l);
        break;
      }
    }
  }
  const reviewers = approvingReviewers(reviews, (l) => eligible.has(l.toLowerCase()));

  const pr: PullRequestRef = {
    number: pull.number,
    title: pull.title,
    url: pull.html_url,
    author: pull.user?.login ?? 'ghost',
    created_at: pull.created_at,
    merged_at: pull.merged_at,
    merged_by: pull.merged_by?.login ?? null,
  };
  const draft = reviewCampaignDraft({ repository: `${repo.owner}/${repo.repo}`, system: ref.system, pr, reviewers, reviewedOn: ref.date, outcome });
  const config = before.config?.data ?? null;
  const store = await sweepLedgerStore(octokit, repo, config?.ledger?.branch, deps, config);
  const { records: [record], anomalies } = await appendWithAnomalyIssues(store, [draft], { octokit: octokit as unknown as Requester, repo, deps, admins: config?.admins });
  await anchorInComment(octokit, repo, pull, [record!, ...anomalies], store.branch, await appLoginFor(deps, config));
  log.info(`review of ${ref.system} (#${pull.number}) recorded: ${outcome.kept.length} kept, ${outcome.changed.length} changed, ${outcome.removed.length} removed; signed off by ${reviewers.join(', ') || 'nobody eligible'}`);
  return { status: 'recorded', record: record!, system: ref.system, reviewers, outcome };
}
