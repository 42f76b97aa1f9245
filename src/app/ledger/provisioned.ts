/**
 * `workflow_run.completed` → a `provisioned` record, when the run is the repo's provisioning
 * workflow (`ledger.provisioning_workflow` in access-ledger.yaml at the run's commit) and that
 * commit is the merge commit of a recorded grant change. If the grant change is not recorded yet
 * (its delivery was lost), it is recorded first: provisioning evidence never points at nothing.
 */
import { DEFAULT_LEDGER_BRANCH, grantChangeKey, recordPathCandidates, toTimestamp, type SealedRecord } from '../../core/ledger/index.ts';
import { buildProvisionedDraft, matchesProvisioningWorkflow, type WorkflowRunData } from '../../core/records/provisioned.ts';
import type { OctokitLike } from '../../adapters/github/pull-facts.ts';
import { commentWrite, createWaits, type AppDeps } from '../deps.ts';
import { call, type RepoRef } from '../github.ts';
import { upsertRecordComment, type CommentResult } from './comment.ts';
import { readRepoConfig } from './config.ts';
import { ensureAnomalyIssue } from './issue.ts';
import { appLoginFor, ledgerStoreFor, trustFor } from './trust.ts';
import { readLedgerFile, recordMerge, silentLog, type Log, type PullPayload } from './record-merge.ts';

export type ProvisionedRun = WorkflowRunData & { head_branch?: string | null };

export interface ProvisionedInput {
  octokit: OctokitLike;
  repo: RepoRef;
  repositoryUrl: string;
  defaultBranch: string;
  run: ProvisionedRun;
  deps: AppDeps;
  log?: Log;
}

export type ProvisionedOutcome = { status: 'skipped'; reason: string } | { status: 'recorded'; pr: number; record: SealedRecord; comment: CommentResult };

interface CommitPull extends PullPayload {
  merged_at: string | null;
}

export async function recordProvisioning(input: ProvisionedInput): Promise<ProvisionedOutcome> {
  const { run, repo, deps } = input;
  const log = input.log ?? silentLog;
  const skip = (reason: string): ProvisionedOutcome => {
    log.info(`workflow run ${run.id}: ${reason}`);
    return { status: 'skipped', reason };
  };
  if (run.status !== 'completed' || run.conclusion === null) return skip('not completed');
  // Provisioning runs on the default branch after a merge; anything else is not provisioning.
  if (run.head_branch && run.head_branch !== input.defaultBranch) return skip(`ran on ${run.head_branch}, not ${input.defaultBranch}`);

  const config = await readRepoConfig(input.octokit, repo, run.head_sha);
  if (!config) return skip("the repository has no access-ledger.yaml at the run's commit");
  const configured = config.data?.ledger?.provisioning_workflow;
  if (!matchesProvisioningWorkflow(configured, run))
    return skip(configured ? `not the provisioning workflow (${configured})` : 'no ledger.provisioning_workflow configured');
  const branch = config.data?.ledger?.branch ?? DEFAULT_LEDGER_BRANCH;

  const pulls = await call<CommitPull[]>(
    input.octokit,
    'GET /repos/{owner}/{repo}/commits/{commit_sha}/pulls',
    { commit_sha: run.head_sha, per_page: 100 },
    {
      action: `finding the pull request merged as ${run.head_sha.slice(0, 12)}`,
      permission: 'pull_requests: read',
      repo,
    },
  );
  const merged = pulls.find((p) => p.merged_at !== null && p.merge_commit_sha === run.head_sha);
  if (!merged) return skip(`${run.head_sha.slice(0, 12)} is not the merge commit of a pull request`);

  // The merge's day folder, then its month folder (where a ledger from before day folders keeps it).
  let gcPath = '';
  let stored: string | null = null;
  for (const path of recordPathCandidates(null, { key: grantChangeKey(merged.number), occurred_at: toTimestamp(new Date(merged.merged_at!)) })) {
    gcPath = path;
    stored = await readLedgerFile(input.octokit, repo, branch, path);
    if (stored !== null) break;
  }
  const trust = await trustFor(input.octokit, repo, deps, config.data);
  let grantChange: SealedRecord;
  if (stored !== null && (await trust.check(gcPath, stored, branch)).own) {
    grantChange = JSON.parse(stored) as SealedRecord;
  } else {
    // The merge itself was never recorded (a lost delivery), or what sits at its path was not
    // written by the App: record it now, from the full PR (recordMerge handles a foreign record).
    const full = await call<PullPayload>(
      input.octokit,
      'GET /repos/{owner}/{repo}/pulls/{pull_number}',
      { pull_number: merged.number },
      {
        action: `reading pull request #${merged.number}`,
        permission: 'pull_requests: read',
        repo,
      },
    );
    const outcome = await recordMerge({
      octokit: input.octokit,
      repo,
      repositoryUrl: input.repositoryUrl,
      defaultBranch: input.defaultBranch,
      pull: full,
      deps,
      log,
    });
    if (outcome.status !== 'recorded' && outcome.status !== 'already-recorded')
      return skip(`pull request #${merged.number} changed no access (${outcome.status})`);
    grantChange = outcome.records[0]!;
  }

  const store = await ledgerStoreFor(input.octokit, repo, branch, deps, config.data, trust);
  const built = buildProvisionedDraft({ repository: `${repo.owner}/${repo.repo}`, pr: { number: merged.number, url: merged.html_url }, run });
  const draft = { ...built, subject: { ...built.subject, grant_change_key: grantChange.key } };
  const {
    records: [record],
    anomalies,
  } = await store.appendDetailed([draft]);
  const appLogin = await appLoginFor(deps, config.data);
  for (const a of anomalies)
    await ensureAnomalyIssue(input.octokit, repo, { anomaly: a as SealedRecord<'anomaly'>, branch, admins: config.data?.admins }, createWaits(deps));
  const comment = await upsertRecordComment(
    input.octokit,
    repo,
    merged.number,
    [grantChange, record!, ...anomalies],
    { branch, repositoryUrl: input.repositoryUrl, appLogin },
    commentWrite(deps),
  );
  log.info(`PR #${merged.number} provisioned by run ${run.id} (${run.conclusion}): seq ${record!.seq}`);
  return { status: 'recorded', pr: merged.number, record: record!, comment };
}
