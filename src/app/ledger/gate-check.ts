/**
 * What the gate said on the merged head commit: it tells an admin bypass (merged over a failing
 * gate) from a gate that never reported. Read only when a merge fails the policy. The gate's
 * Action reports a check run; a gate run by another CI system may report a commit status of the
 * same name instead, which is read when there is no check run.
 */
import { errorStatus } from '../../adapters/github/errors.ts';
import type { GateCheckObservation } from '../../core/records/unapproved-merge.ts';
import type { RepoRef, Requester } from '../github.ts';

interface CheckRun {
  status: string;
  conclusion: string | null;
  started_at?: string | null;
  completed_at?: string | null;
}

interface CommitStatus {
  context: string;
  state: 'error' | 'failure' | 'pending' | 'success';
  updated_at?: string;
}

/** A commit status in the terms of a check run: pending is still running, error is a failure. */
function asRun(s: CommitStatus): GateCheckObservation['runs'][number] {
  if (s.state === 'pending') return { status: 'in_progress', conclusion: null };
  return { status: 'completed', conclusion: s.state === 'success' ? 'success' : 'failure' };
}

/**
 * The gate's check runs (else its commit statuses) on `sha`, newest first; null when they cannot
 * be read (the cause is then recorded as `unknown` and the reason logged: the record itself must
 * not fail for this).
 */
export async function observeGateCheck(octokit: Requester, repo: RepoRef, sha: string, checkName: string, warn: (msg: string) => void): Promise<GateCheckObservation | null> {
  try {
    const res = await octokit.request('GET /repos/{owner}/{repo}/commits/{ref}/check-runs', { ...repo, ref: sha, check_name: checkName, filter: 'latest', per_page: 100 });
    const runs = ((res.data as { check_runs?: CheckRun[] }).check_runs ?? []).slice();
    const time = (r: CheckRun) => Date.parse(r.completed_at ?? r.started_at ?? '') || 0;
    runs.sort((a, b) => time(b) - time(a));
    if (runs.length > 0) return { runs: runs.map((r) => ({ status: r.status, conclusion: r.conclusion })) };
    const statuses = await octokit.request('GET /repos/{owner}/{repo}/commits/{ref}/statuses', { ...repo, ref: sha, per_page: 100 });
    // GitHub lists a commit's statuses newest first.
    const mine = ((statuses.data as CommitStatus[] | undefined) ?? []).filter((s) => s.context === checkName);
    return { runs: mine.map(asRun) };
  } catch (err) {
    warn(`could not read the gate's check "${checkName}" on ${sha.slice(0, 12)} (HTTP ${errorStatus(err) ?? 'error'}); the App needs "checks: read" and "statuses: read". Recording the cause as unknown.`);
    return null;
  }
}
