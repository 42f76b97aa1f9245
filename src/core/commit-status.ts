/**
 * The gate's verdict as a commit status on the pull request's head commit. A `pull_request_target`
 * run, and the check run of its job, belong to the base branch's tip, and branch protection and
 * rulesets look for required checks on the head commit: so the gate also sets a status of its own
 * context (`access-ledger/gate`) on the head, and that context is what a repository requires.
 * Pure: which events post, the status for a verdict, the text GitHub shows.
 */

/** The status context the gate sets, and the one a repository requires (docs/gate.md). */
export const DEFAULT_STATUS_CONTEXT = 'access-ledger/gate';

/** GitHub refuses a status description longer than this. */
export const STATUS_DESCRIPTION_MAX = 140;

/** `auto`: post where the run is not attached to the head commit; `always`; `never`. */
export const COMMIT_STATUS_MODES = ['auto', 'always', 'never'] as const;
export type CommitStatusMode = (typeof COMMIT_STATUS_MODES)[number];

export type CommitState = 'pending' | 'success' | 'failure' | 'error';

export interface CommitStatus {
  state: CommitState;
  context: string;
  /** One line, at most 140 characters. */
  description: string;
  /** The workflow run that set it; null when the runner did not say. */
  target_url: string | null;
}

/**
 * Events whose runs GitHub attaches to the pull request's head commit: their job's check lands
 * where branch protection looks. Every other event the gate judges (`pull_request_target`, and a
 * re-run of it) runs on the base branch's tip.
 */
export const HEAD_ATTACHED_EVENTS: ReadonlySet<string> = new Set(['pull_request', 'pull_request_review']);

export function parseCommitStatusMode(value: string): CommitStatusMode {
  const mode = value.trim() || 'auto';
  if ((COMMIT_STATUS_MODES as readonly string[]).includes(mode)) return mode as CommitStatusMode;
  throw new Error(`the \`commit-status\` input must be auto, always or never, not ${JSON.stringify(value).slice(0, 60)}`);
}

/** A status context: one line of printable text, at most 255 characters (GitHub's limit for a context). */
export function parseStatusContext(value: string): string {
  const context = value.trim() || DEFAULT_STATUS_CONTEXT;
  if (context.length > 255 || /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/u.test(context)) {
    throw new Error('the `status-context` input must be one line of at most 255 printable characters, e.g. access-ledger/gate');
  }
  return context;
}

/** Whether the run sets the commit status on the head, for this mode and event. */
export function postsCommitStatus(mode: CommitStatusMode, eventName: string): boolean {
  if (mode === 'never') return false;
  if (mode === 'always') return true;
  return !HEAD_ATTACHED_EVENTS.has(eventName);
}

/**
 * Text from the pull request, the policy or an error, as GitHub shows a status description: one
 * line, no control, format or direction characters (a right-to-left override would make the line
 * read otherwise than it is), at most 140 characters, cut with an ellipsis.
 */
export function statusDescription(text: string): string {
  const one = text
    .replace(/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]+/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  const chars = [...one];
  return chars.length > STATUS_DESCRIPTION_MAX
    ? `${chars
        .slice(0, STATUS_DESCRIPTION_MAX - 1)
        .join('')
        .trimEnd()}…`
    : one;
}

export interface RunLocation {
  /** GITHUB_SERVER_URL, e.g. https://github.com. */
  serverUrl?: string | undefined;
  /** GITHUB_REPOSITORY, `owner/name`. */
  repository?: string | undefined;
  /** GITHUB_RUN_ID. */
  runId?: string | undefined;
}

/** The workflow run's page, the status's link; null when the runner did not name the run. */
export function runUrl(run: RunLocation): string | null {
  const server = (run.serverUrl || 'https://github.com').replace(/\/+$/, '');
  if (!run.repository || !/^[^/\s]+\/[^/\s]+$/.test(run.repository) || !run.runId || !/^\d+$/.test(run.runId)) return null;
  if (!/^https?:\/\//.test(server)) return null;
  return `${server}/${run.repository}/actions/runs/${run.runId}`;
}

/** Set when the run starts, so a required status never stays green from an earlier run while this one judges. */
export function pendingStatus(context: string, targetUrl: string | null, description = 'judging the pull request at this commit'): CommitStatus {
  return { state: 'pending', context, description: statusDescription(description), target_url: targetUrl };
}

/** The verdict: success or failure, with the one-line next step. */
export function verdictStatus(result: { verdict: 'pass' | 'fail'; nextStep: string }, context: string, targetUrl: string | null): CommitStatus {
  const fallback = result.verdict === 'pass' ? 'passed' : 'failed: see the run for what to fix';
  return {
    state: result.verdict === 'pass' ? 'success' : 'failure',
    context,
    description: statusDescription(result.nextStep) || fallback,
    target_url: targetUrl,
  };
}

/** The gate could not decide (an API error, a missing permission): `error`, never a pass. */
export function errorStatusOf(message: string, context: string, targetUrl: string | null): CommitStatus {
  return { state: 'error', context, description: statusDescription(`could not decide: ${message}`), target_url: targetUrl };
}
