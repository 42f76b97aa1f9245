/**
 * Sets the gate's commit status on the pull request's head commit
 * (`POST /repos/{owner}/{repo}/statuses/{sha}`), with the token that may write statuses (the
 * workflow's own, given `permissions: statuses: write`), never the gate App's read-only one.
 * A refusal becomes one line naming the permission.
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
      `the gate job needs \`permissions: statuses: write\`, and \`status-token\` must be that job's token (the default, \${{ github.token }}) ` +
      'or another token that can write commit statuses on this repository';
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
