/**
 * The sticky PR comment, on GitHub: found among the PR's comments by its hidden marker (and
 * written by a bot, so a person pasting the marker cannot capture it), updated in place, and not
 * written at all when it already says the same.
 */
import type { SealedRecord } from '../../core/ledger/index.ts';
import { isRecordComment, updateRecordComment, type CommentContext } from '../../core/records/comment.ts';
import { call, listPages, type RepoRef, type Requester } from '../github.ts';

interface IssueComment {
  id: number;
  body?: string | null;
  html_url?: string;
  user: { login: string; type: string } | null;
}

export interface CommentResult {
  action: 'created' | 'updated' | 'unchanged';
  id: number;
  /** Keys whose anchored hash in the comment differs from the ledger's (left as they were). */
  conflicts: string[];
}

const WHAT = (repo: RepoRef, action: string) => ({ action, permission: 'pull_requests: write', repo });

/** The App's sticky comment on the PR, or null. */
export async function findRecordComment(octokit: Requester, repo: RepoRef, pr: number): Promise<IssueComment | null> {
  const comments = await listPages<IssueComment>(octokit, 'GET /repos/{owner}/{repo}/issues/{issue_number}/comments', { issue_number: pr }, WHAT(repo, `listing the comments of pull request #${pr}`), { maxPages: 30 });
  return comments.find((c) => c.user?.type === 'Bot' && isRecordComment(c.body)) ?? null;
}

export async function upsertRecordComment(octokit: Requester, repo: RepoRef, pr: number, records: readonly SealedRecord[], ctx: CommentContext): Promise<CommentResult> {
  const existing = await findRecordComment(octokit, repo, pr);
  const update = updateRecordComment(existing?.body ?? null, records, ctx);
  if (existing && !update.changed) return { action: 'unchanged', id: existing.id, conflicts: update.conflicts };
  if (existing) {
    await call(octokit, 'PATCH /repos/{owner}/{repo}/issues/comments/{comment_id}', { comment_id: existing.id, body: update.body }, WHAT(repo, `updating the ledger comment on pull request #${pr}`));
    return { action: 'updated', id: existing.id, conflicts: update.conflicts };
  }
  const created = await call<IssueComment>(octokit, 'POST /repos/{owner}/{repo}/issues/{issue_number}/comments', { issue_number: pr, body: update.body }, WHAT(repo, `commenting the ledger record on pull request #${pr}`));
  return { action: 'created', id: created.id, conflicts: update.conflicts };
}
