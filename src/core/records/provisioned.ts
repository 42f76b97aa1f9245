/**
 * `provisioned`: the repo's provisioning workflow (`ledger.provisioning_workflow` in
 * access-ledger.yaml) ran on the merge commit of a recorded grant change. It links the approval
 * to the moment access was actually applied. Pure.
 */
import { DEFAULT_CONTROLS, grantChangeKey, provisionedKey, type ProvisionedSubject, type RecordDraft, type RunConclusion } from '../ledger/index.ts';
import { githubTime } from './pull.ts';

/** The fields of a `workflow_run` payload's run the record needs (structurally the webhook's). */
export interface WorkflowRunData {
  id: number;
  name?: string | null;
  /** `.github/workflows/provision.yml` (GitHub may append `@ref` for reusable callers). */
  path: string;
  head_sha: string;
  run_attempt?: number;
  html_url: string;
  status: string | null;
  conclusion: string | null;
  updated_at: string;
}

const CONCLUSIONS: readonly RunConclusion[] = [
  'success',
  'failure',
  'cancelled',
  'skipped',
  'timed_out',
  'action_required',
  'neutral',
  'stale',
  'startup_failure',
];

/** The workflow file as recorded: the path without any `@ref` suffix. */
export function workflowFile(run: Pick<WorkflowRunData, 'path'>): string {
  const at = run.path.indexOf('@');
  return at === -1 ? run.path : run.path.slice(0, at);
}

/**
 * Whether `configured` names this run's workflow. Accepted: the file name (`provision.yml`), its
 * path (`.github/workflows/provision.yml`), or the workflow's `name:`.
 */
export function matchesProvisioningWorkflow(configured: string | undefined, run: Pick<WorkflowRunData, 'path' | 'name'>): boolean {
  if (typeof configured !== 'string' || configured.trim() === '') return false;
  const want = configured.trim().replace(/^\.?\//, '');
  const file = workflowFile(run);
  return file === want || file.endsWith(`/${want}`) || (typeof run.name === 'string' && run.name === configured.trim());
}

export interface ProvisionedInput {
  repository: string;
  pr: { number: number; url: string };
  run: WorkflowRunData;
}

/**
 * `pr-<n>-provisioned-<run_id>`, and `-attempt-<k>` for a re-run: GitHub keeps the run id when a
 * run is re-run and counts `run_attempt`, so without the suffix a failed first attempt would make
 * the successful re-run look like a redelivery and drop it.
 */
export function provisionedRecordKey(pr: number, run: Pick<WorkflowRunData, 'id' | 'run_attempt'>): string {
  const attempt = run.run_attempt ?? 1;
  if (!Number.isSafeInteger(attempt) || attempt < 1) throw new Error(`workflow run ${run.id} has an invalid run_attempt ${String(run.run_attempt)}`);
  return provisionedKey(pr, run.id, attempt);
}

export function buildProvisionedDraft(input: ProvisionedInput): RecordDraft<'provisioned'> {
  const { run } = input;
  if (run.status !== null && run.status !== 'completed') throw new Error(`workflow run ${run.id} has not completed (status ${run.status})`);
  if (!CONCLUSIONS.includes(run.conclusion as RunConclusion)) throw new Error(`workflow run ${run.id} has no known conclusion (${String(run.conclusion)})`);
  const completedAt = githubTime(run.updated_at, 'workflow run updated_at');
  const subject: ProvisionedSubject = {
    pr: { number: input.pr.number, url: input.pr.url },
    grant_change_key: grantChangeKey(input.pr.number),
    workflow: workflowFile(run),
    run_id: run.id,
    run_attempt: run.run_attempt ?? 1,
    run_url: run.html_url,
    head_sha: run.head_sha,
    conclusion: run.conclusion as RunConclusion,
    completed_at: completedAt,
  };
  return {
    kind: 'provisioned',
    key: provisionedRecordKey(input.pr.number, run),
    occurred_at: completedAt,
    repository: input.repository,
    controls: [...DEFAULT_CONTROLS.provisioned],
    subject,
  };
}
