/**
 * The ledger's webhook handlers:
 * - `pull_request.closed`: a merged PR that touched grants/, systems/ or the config becomes a
 *   `grant-change` record (plus `unapproved-merge` and an issue when the base policy refuses it)
 *   and a sticky comment on the PR. A PR closed without merging records nothing.
 * - `workflow_run.completed`: the configured provisioning workflow's run on a recorded merge
 *   commit becomes a `provisioned` record.
 *
 * A handler that fails (after Octokit's retries) throws: Probot answers the delivery with an
 * error so it can be redelivered, and reconcile finds whatever stays missing. Nothing partial is
 * ever written: each append is one commit.
 */
import type { Probot } from 'probot';
import type { OctokitLike } from '../../adapters/github/pull-facts.ts';
import type { AppDeps } from '../deps.ts';
import { recordProvisioning, type ProvisionedRun } from './provisioned.ts';
import { recordMerge, type PullPayload } from './record-merge.ts';

/** Probot's Octokit has every method the adapters use; its overloaded types need the structural view. */
export function asOctokit(octokit: unknown): OctokitLike {
  return octokit as OctokitLike;
}

export function registerLedger(app: Probot, deps: AppDeps): void {
  app.on('pull_request.closed', async (context) => {
    const { pull_request: pull, repository } = context.payload;
    if (!pull.merged) {
      context.log.debug(`PR #${pull.number} closed without merging: nothing to record`);
      return;
    }
    await deps.work.track(
      recordMerge({
        octokit: asOctokit(context.octokit),
        repo: context.repo(),
        repositoryUrl: repository.html_url,
        defaultBranch: repository.default_branch,
        pull: pull as PullPayload,
        deps,
        log: context.log,
      }),
    );
  });

  app.on('workflow_run.completed', async (context) => {
    const { workflow_run: run, repository } = context.payload;
    await deps.work.track(
      recordProvisioning({
        octokit: asOctokit(context.octokit),
        repo: context.repo(),
        repositoryUrl: repository.html_url,
        defaultBranch: repository.default_branch,
        run: run as ProvisionedRun,
        deps,
        log: context.log,
      }),
    );
  });
}
