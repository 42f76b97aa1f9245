/**
 * Review campaigns on GitHub: one pull request per due system, on a branch per campaign
 * (`access-review/<system>/<date>`), never a second one while one is open for the system.
 * The branch name is the lock: a second replica creating the same campaign the same day is
 * refused by GitHub ("Reference already exists") and finds the first one's pull request instead.
 */
import type { IsoDate } from '../../core/model/types.ts';
import { campaignBranch, campaignEdits, campaignText, parseCampaignBranch, type CampaignListing, type DueSystem } from '../../core/reviews/index.ts';
import { errorStatus, explainGitHubError, githubMessage } from './errors.ts';
import { listAll, silentLogger, type Logger, type WriteBudget, type RepoRef, type SweepOctokit } from './issues.ts';

export interface CampaignResult {
  system: string;
  branch: string;
  /** `waiting`: a campaign for the system was closed without merging recently; the next one waits `stale.reminder_days`. */
  status: 'opened' | 'exists' | 'deferred' | 'nothing-to-edit' | 'waiting';
  number?: number;
  url?: string;
  /** Grant files the pull request edits. */
  files: number;
}

interface PullData {
  number: number;
  html_url: string;
  state?: string;
  head: { ref: string; repo?: { full_name?: string } | null };
}

/** GitHub's message and its validation details ("A pull request already exists for ..."). */
function alreadyExists(err: unknown): boolean {
  const errors = (err as { response?: { data?: { errors?: unknown } } })?.response?.data?.errors;
  return errorStatus(err) === 422 && /already exists/i.test(`${githubMessage(err)} ${JSON.stringify(errors ?? '')}`);
}

async function call<T>(octokit: SweepOctokit, route: string, params: Record<string, unknown>, repo: RepoRef, action: string, permission: string): Promise<T> {
  try {
    return (await octokit.request(route, { owner: repo.owner, repo: repo.repo, ...params })).data as T;
  } catch (err) {
    throw explainGitHubError(err, { action, route, owner: repo.owner, repo: repo.repo, permission });
  }
}

/** Open campaign pull requests by system (reads: one per 100 open pull requests). */
export async function listOpenCampaigns(octokit: SweepOctokit, repo: RepoRef, prefix?: string): Promise<Map<string, { number: number; url: string }>> {
  const pulls = await listAll<PullData>(
    octokit,
    'GET /repos/{owner}/{repo}/pulls',
    { state: 'open', sort: 'created', direction: 'asc' },
    repo,
    'listing open pull requests for review campaigns',
    100,
    'pull_requests: read',
  );
  const out = new Map<string, { number: number; url: string }>();
  const self = `${repo.owner}/${repo.repo}`.toLowerCase();
  for (const p of pulls) {
    if (p.head.repo?.full_name && p.head.repo.full_name.toLowerCase() !== self) continue; // forks cannot run campaigns
    const ref = parseCampaignBranch(p.head.ref, prefix);
    if (ref && !out.has(ref.system)) out.set(ref.system, { number: p.number, url: p.html_url });
  }
  return out;
}

/**
 * The day of the latest campaign branch of a system (one read). Head branches stay after a pull
 * request is closed without merging, so this tells when the last campaign was turned down.
 */
export async function latestCampaignDay(octokit: SweepOctokit, repo: RepoRef, system: string, prefix?: string): Promise<IsoDate | null> {
  const head = campaignBranch({ system, date: '2000-01-01' }, prefix).replace(/2000-01-01$/, '');
  const refs = await call<{ ref: string }[]>(
    octokit,
    'GET /repos/{owner}/{repo}/git/matching-refs/{ref}',
    { ref: `heads/${head}` },
    repo,
    `looking for earlier review branches of ${system}`,
    'contents: read',
  );
  let latest: IsoDate | null = null;
  for (const r of refs) {
    const parsed = parseCampaignBranch(r.ref.replace(/^refs\/heads\//, ''), prefix);
    if (parsed?.system === system && (!latest || parsed.date > latest)) latest = parsed.date;
  }
  return latest;
}

async function findPull(octokit: SweepOctokit, repo: RepoRef, branch: string): Promise<PullData | undefined> {
  const pulls = await call<PullData[]>(
    octokit,
    'GET /repos/{owner}/{repo}/pulls',
    { state: 'open', head: `${repo.owner}:${branch}`, per_page: 10 },
    repo,
    `looking for the pull request of ${branch}`,
    'pull_requests: read',
  );
  return pulls[0];
}

export interface OpenCampaignOptions {
  octokit: SweepOctokit;
  repo: RepoRef;
  budget: WriteBudget;
  due: DueSystem;
  today: IsoDate;
  /** The default branch's commit the campaign edits. */
  baseSha: string;
  defaultBranch: string;
  /** The files at `baseSha` (path → text). */
  files: ReadonlyMap<string, string>;
  webUrl: string;
  configPath: string;
  branchPrefix?: string;
  labels: readonly string[];
  log?: Logger;
  /** Lower-case login → member of the organization, as the sweep read it: leavers' entries are flagged in the body. */
  membership?: Readonly<Record<string, boolean>>;
  /** The system's latest recorded listing, shown beside each entry in the pull request's description. */
  listing?: CampaignListing;
  /** The ledger branch (the description links the listing's raw export). */
  ledgerBranch?: string;
}

/** Writes one campaign costs: tree, commit, branch, pull request, labels. */
export const CAMPAIGN_WRITES = 5;

export async function openCampaign(o: OpenCampaignOptions): Promise<CampaignResult> {
  const log = o.log ?? silentLogger;
  const ref = { system: o.due.system, date: o.today };
  const branch = campaignBranch(ref, o.branchPrefix);
  const edits = campaignEdits(o.files, o.due, ref);
  const result: CampaignResult = { system: o.due.system, branch, status: 'nothing-to-edit', files: edits.length };
  if (edits.length === 0) return result;
  if (o.budget.remaining < CAMPAIGN_WRITES) return { ...result, status: 'deferred' };
  const { repo, octokit } = o;

  const commit = await call<{ tree: { sha: string } }>(
    octokit,
    'GET /repos/{owner}/{repo}/git/commits/{commit_sha}',
    { commit_sha: o.baseSha },
    repo,
    'reading the commit a review campaign starts from',
    'contents: read',
  );
  const tree = await o.budget.write(() =>
    call<{ sha: string }>(
      octokit,
      'POST /repos/{owner}/{repo}/git/trees',
      { base_tree: commit.tree.sha, tree: edits.map((e) => ({ path: e.path, mode: '100644', type: 'blob', content: e.content })) },
      repo,
      `writing the review of ${o.due.system}`,
      'contents: write',
    ),
  );
  const message = `Access review of ${o.due.system}, ${o.today}\n\nSets review.last_reviewed on the ${edits.length} grant file(s) with access to ${o.due.system}. Approve to recertify; delete lines or files to revoke.\n`;
  const created = await o.budget.write(() =>
    call<{ sha: string }>(
      octokit,
      'POST /repos/{owner}/{repo}/git/commits',
      { message, tree: tree.sha, parents: [o.baseSha] },
      repo,
      `committing the review of ${o.due.system}`,
      'contents: write',
    ),
  );
  try {
    await o.budget.write(() =>
      octokit.request('POST /repos/{owner}/{repo}/git/refs', { owner: repo.owner, repo: repo.repo, ref: `refs/heads/${branch}`, sha: created.sha }),
    );
  } catch (err) {
    if (!alreadyExists(err)) {
      throw explainGitHubError(err, {
        action: `creating branch ${branch}`,
        route: 'POST /repos/{owner}/{repo}/git/refs',
        owner: repo.owner,
        repo: repo.repo,
        permission: 'contents: write',
      });
    }
    // Another sweep is opening this campaign (or did): use its pull request if it is there yet.
    const theirs = await findPull(octokit, repo, branch);
    if (theirs) return { ...result, status: 'exists', number: theirs.number, url: theirs.html_url };
    log.info(`${branch} exists without a pull request: opening the pull request for it`);
  }
  const text = campaignText(o.due, ref, {
    repository: `${repo.owner}/${repo.repo}`,
    webUrl: o.webUrl,
    configPath: o.configPath,
    branch: o.defaultBranch,
    today: o.today,
    ...(o.membership ? { membership: o.membership } : {}),
    ...(o.listing ? { listing: o.listing } : {}),
    ...(o.ledgerBranch ? { ledgerBranch: o.ledgerBranch } : {}),
  });
  let pull: PullData;
  try {
    pull = await o.budget.write(
      async () =>
        (
          await octokit.request('POST /repos/{owner}/{repo}/pulls', {
            owner: repo.owner,
            repo: repo.repo,
            title: text.title,
            head: branch,
            base: o.defaultBranch,
            body: text.body,
          })
        ).data as PullData,
    );
  } catch (err) {
    if (alreadyExists(err)) {
      const theirs = await findPull(octokit, repo, branch);
      if (theirs) return { ...result, status: 'exists', number: theirs.number, url: theirs.html_url };
    }
    throw explainGitHubError(err, {
      action: `opening the review pull request for ${o.due.system}`,
      route: 'POST /repos/{owner}/{repo}/pulls',
      owner: repo.owner,
      repo: repo.repo,
      permission: 'pull_requests: write',
    });
  }
  if (o.labels.length && o.budget.remaining > 0) {
    await o.budget.write(() =>
      call(
        octokit,
        'POST /repos/{owner}/{repo}/issues/{issue_number}/labels',
        { issue_number: pull.number, labels: [...o.labels] },
        repo,
        `labelling review pull request #${pull.number}`,
        'issues: write',
      ),
    );
  }
  log.info(`opened access review #${pull.number} for ${o.due.system} (${edits.length} grant files)`);
  return { ...result, status: 'opened', number: pull.number, url: pull.html_url };
}
