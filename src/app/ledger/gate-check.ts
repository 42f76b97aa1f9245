/**
 * What the gate said on the merged head commit: it tells an admin bypass (merged over a failing
 * gate) from a gate that never reported. Read only when a merge fails the policy. The gate sets
 * the commit status `access-ledger/gate` on the head (a `pull_request_target` run's check belongs
 * to the base branch's tip, so that status is what a repository requires); a gate run on
 * `pull_request` reports its job's check run there instead; a gate run by another CI system may
 * set a commit status named like the check. All three are read.
 */
import { errorStatus } from '../../adapters/github/errors.ts';
import { gitHubPort } from '../../adapters/github/port.ts';
import type { GateCheckObservation } from '../../core/records/unapproved-merge.ts';
import type { RepoRef, Requester } from '../github.ts';

interface CheckRun {
  status: string;
  conclusion: string | null;
  started_at?: string | null;
  completed_at?: string | null;
}

interface CombinedStatus {
  statuses?: { context: string; state: string }[];
}

type StatusState = NonNullable<GateCheckObservation['statuses']>[number]['state'];
const STATES: ReadonlySet<string> = new Set(['error', 'failure', 'pending', 'success']);

/** The combined status lists one status per context, 100 a page; a commit with more than this many contexts is not read further. */
const MAX_STATUS_PAGES = 10;

/**
 * The latest status of each of `contexts` on `sha` (`GET .../commits/{ref}/status`: the latest
 * per context, as branch protection reads it). Contexts compare case-insensitively, as on GitHub.
 */
async function latestStatuses(
  octokit: Requester,
  repo: RepoRef,
  sha: string,
  contexts: readonly string[],
): Promise<NonNullable<GateCheckObservation['statuses']>> {
  const wanted = new Set(contexts.map((c) => c.toLowerCase()));
  const out: NonNullable<GateCheckObservation['statuses']> = [];
  const port = gitHubPort(octokit);
  // Paged by hand, not with the port's `paginate`: the combined status is an object, not a list,
  // and the reading ends as soon as every wanted context is found (usually on the first page).
  for (let page = 1; page <= MAX_STATUS_PAGES && out.length < wanted.size; page++) {
    const data = await port.call<CombinedStatus | undefined>(
      'GET /repos/{owner}/{repo}/commits/{ref}/status',
      { ref: sha, per_page: 100, page },
      { action: `reading the commit statuses of ${sha.slice(0, 12)}`, permission: 'statuses: read', repo },
    );
    const statuses = data?.statuses ?? [];
    for (const s of statuses) {
      if (!wanted.has(s.context.toLowerCase()) || out.some((o) => o.context.toLowerCase() === s.context.toLowerCase())) continue;
      // An unknown state is not a pass.
      out.push({ context: s.context, state: (STATES.has(s.state) ? s.state : 'error') as StatusState });
    }
    if (statuses.length < 100) break;
  }
  return out;
}

/**
 * The gate's check runs on `sha`, newest first, and the latest commit status of its context (and
 * of a status named like the check); null when they cannot be read (the cause is then recorded as
 * `unknown` and the reason logged: the record itself must not fail for this).
 */
export async function observeGateCheck(
  octokit: Requester,
  repo: RepoRef,
  sha: string,
  checkName: string,
  statusContext: string,
  warn: (msg: string) => void,
): Promise<GateCheckObservation | null> {
  try {
    const data = await gitHubPort(octokit).call<{ check_runs?: CheckRun[] }>(
      'GET /repos/{owner}/{repo}/commits/{ref}/check-runs',
      { ref: sha, check_name: checkName, filter: 'latest', per_page: 100 },
      { action: `reading the check runs of ${sha.slice(0, 12)}`, permission: 'checks: read', repo },
    );
    const runs = (data.check_runs ?? []).slice();
    const time = (r: CheckRun) => Date.parse(r.completed_at ?? r.started_at ?? '') || 0;
    runs.sort((a, b) => time(b) - time(a));
    const statuses = await latestStatuses(octokit, repo, sha, [...new Set([statusContext, checkName])]);
    return { runs: runs.map((r) => ({ status: r.status, conclusion: r.conclusion })), statuses };
  } catch (err) {
    warn(
      `could not read the gate's check "${checkName}" or status "${statusContext}" on ${sha.slice(0, 12)} (HTTP ${errorStatus(err) ?? 'error'}); the App needs "checks: read" and "statuses: read". Recording the cause as unknown.`,
    );
    return null;
  }
}
