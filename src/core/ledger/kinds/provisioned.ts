/**
 * `provisioned`: the provisioning workflow's run on a merge commit (docs/ledger.md). Built by
 * src/core/records/provisioned.ts.
 */
import { defineKind, type Timestamp } from './common.ts';

export type RunConclusion = 'success' | 'failure' | 'cancelled' | 'skipped' | 'timed_out' | 'action_required' | 'neutral' | 'stale' | 'startup_failure';

/**
 * `provisioned`: the configured provisioning workflow's run on the merge commit.
 * Key `pr-<n>-provisioned-<run_id>` for the first attempt and `…-attempt-<k>` for a re-run
 * (GitHub keeps the run id across re-runs and counts `run_attempt`).
 */
export interface ProvisionedSubject {
  pr: { number: number; url: string };
  /** Key of the `grant-change` record this run provisioned, e.g. `pr-45-merged`. */
  grant_change_key: string;
  /** The workflow file, e.g. `.github/workflows/provision.yml`. */
  workflow: string;
  run_id: number;
  run_attempt: number;
  run_url: string;
  /** The commit the run ran on: the PR's merge commit. */
  head_sha: string;
  conclusion: RunConclusion;
  completed_at: Timestamp;
}

export default defineKind<ProvisionedSubject>()({
  kind: 'provisioned',
  controls: ['SOC2:CC6.2', 'SOC2:CC8.1', 'NIST-CSF-2.0:PR.AA-05', 'CIS-v8:6.1'],
});
