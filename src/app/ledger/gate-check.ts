/**
 * What the gate's own check said on the merged head commit: it tells an admin bypass (merged over
 * a failing check) from a gate that never reported. Read only when a merge fails the policy.
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

/**
 * The gate's check runs on `sha`, newest first; null when they cannot be read (the cause is then
 * recorded as `unknown` and the reason logged: the record itself must not fail for this).
 */
export async function observeGateCheck(octokit: Requester, repo: RepoRef, sha: string, checkName: string, warn: (msg: string) => void): Promise<GateCheckObservation | null> {
  try {
    const res = await octokit.request('GET /repos/{owner}/{repo}/commits/{ref}/check-runs', { ...repo, ref: sha, check_name: checkName, filter: 'latest', per_page: 100 });
    const runs = ((res.data as { check_runs?: CheckRun[] }).check_runs ?? []).slice();
    const time = (r: CheckRun) => Date.parse(r.completed_at ?? r.started_at ?? '') || 0;
    runs.sort((a, b) => time(b) - time(a));
    return { runs: runs.map((r) => ({ status: r.status, conclusion: r.conclusion })) };
  } catch (err) {
    warn(`could not read the gate's check "${checkName}" on ${sha.slice(0, 12)} (HTTP ${errorStatus(err) ?? 'error'}); the App needs "checks: read". Recording the cause as unknown.`);
    return null;
  }
}
