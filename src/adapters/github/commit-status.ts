/**
 * Sets the gate's commit status on the pull request's head commit
 * (`POST /repos/{owner}/{repo}/statuses/{sha}`), with the token given for it: the gate App's,
 * whose Commit statuses: write is the App's one write, so the status comes from a source no
 * branch's workflow can borrow. A refusal becomes one line naming the permission.
 */
import type { CommitStatus } from '../../core/commit-status.ts';
import { explainGitHubError } from './errors.ts';

export interface StatusWriter {
  request: (route: string, parameters?: Record<string, unknown>) => Promise<unknown>;
}

export interface StatusTarget {
  owner: string;
  repo: string;
  /** The pull request's head commit. */
  sha: string;
}

const ROUTE = 'POST /repos/{owner}/{repo}/statuses/{sha}';

/** Thrown when GitHub refuses or fails the status: the gate cannot report, so the step fails. */
export class CommitStatusError extends Error {
  override name = 'CommitStatusError';
}

export async function setCommitStatus(octokit: StatusWriter, target: StatusTarget, status: CommitStatus): Promise<void> {
  try {
    await octokit.request(ROUTE, {
      owner: target.owner,
      repo: target.repo,
      sha: target.sha,
      state: status.state,
      context: status.context,
      description: status.description,
      ...(status.target_url ? { target_url: status.target_url } : {}),
    });
  } catch (err) {
    const fix =
      "`status-token` must be able to write commit statuses (statuses: write): the gate App's token needs `permission-statuses: write` on its token step " +
      "and the gate App's Commit statuses: write permission accepted on its installation (gate-app.yml); a job's own token needs `permissions: statuses: write`";
    const explained = explainGitHubError(err, {
      action: `setting the commit status ${status.context} (${status.state}) on ${target.sha.slice(0, 12)}`,
      route: ROUTE,
      owner: target.owner,
      repo: target.repo,
      permission: 'statuses: write',
      forbidden: fix,
      notFound: `the status token cannot see the repository or the commit, or cannot write to it: ${fix}`,
    });
    throw new CommitStatusError(explained.message, { cause: err });
  }
}
