/**
 * The columns several populations share (a column is its key in the CSV header, its title, and
 * what the cell means); each population lists its own in its module (src/core/binder/populations/).
 */
import type { Column } from './types.ts';

export const col = (key: string, title: string, description: string): Column => ({ key, title, description });

export const PR_COLUMNS: Column[] = [
  col('pr', 'PR', 'Pull request number of the change (from the ledger record of the merge).'),
  col('pr_url', 'PR link', 'The pull request on GitHub.'),
  col('pr_author', 'Requested by', 'Author of the pull request: the requester.'),
  col('requested_at', 'Requested at', 'When the pull request was opened (the request).'),
];

export const LEDGER_COLUMNS: Column[] = [
  col('ledger_seq', 'Ledger seq', 'Sequence number of the ledger record of the merge; empty when the merge has no record (a gap).'),
  col('ledger_hash', 'Ledger hash', 'SHA-256 of that record (RFC 8785 canonical JSON without `hash`).'),
];

export const GIT_COLUMNS: Column[] = [
  col('commit', 'Commit', 'The commit on the access branch that made the change (first-parent history).'),
  col('changed_at', 'Changed at', 'Committer date of that commit: when the change reached the branch.'),
  col('path', 'File', 'The grant file.'),
];

export const ENTRY_COLUMNS: Column[] = [
  col('identity', 'Identity', 'identity.id of the grant file.'),
  col('kind', 'Kind', 'human, service-account, api-key, ci-token, integration, shared-account or agent.'),
  col('system', 'System', 'The system the access entry reaches.'),
  col('role', 'Role', 'The role on that system.'),
  col('privileged', 'Privileged', 'Whether the entry is marked privileged.'),
];

export const gapsCol = col('gaps', 'Gaps', 'What evidence is missing for this row (docs/binder.md, "Gaps"); each gap is also a row of the `gaps` population.');

export const JIT_COLUMNS: Column[] = [
  col(
    'jit_max_hours',
    'JIT max hours',
    'For just-in-time access: the longest window one activation may last (jit.max_duration_hours); empty for standing access.',
  ),
  col('jit_approvers', 'JIT approvers', 'For just-in-time access: who approves each activation (jit.approvers); empty when the file names none.'),
];

/** A population's id (the `id` of its module; src/core/binder/populations/index.ts lists them). */
export type PopulationId = string;
