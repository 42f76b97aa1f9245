/**
 * The sticky PR comment, on GitHub: found among the PR's comments by its hidden marker (listed by
 * the merge handler's first query when no writer of this App wrote it since), and only
 * among those written by the App's own bot account (anyone else, a person or another App, could
 * paste the marker: such a comment is never adopted), updated in place, and not written at all
 * when it already says the same. Exactly one: the comment is created with
 * createOnce, so a POST whose answer was lost (a 502 after it landed) is found again by its
 * marker instead of being posted a second time.
 */
import type { SealedRecord } from '../../core/ledger/index.ts';
import { isRecordComment, updateRecordComment, type CommentContext } from '../../core/records/comment.ts';
import { NO_AUTO_RETRY, call, createOnce, listPages, type CreateOnceOptions, type RepoRef, type Requester } from '../github.ts';

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

/** Where the comment's links point, and the App's bot account (whose comments alone are the App's). */
export type AppCommentContext = CommentContext & { appLogin: string };

/** The App's sticky comment on the PR (written by `appLogin`), or null. */
export async function findRecordComment(octokit: Requester, repo: RepoRef, pr: number, appLogin: string): Promise<IssueComment | null> {
  const comments = await listPages<IssueComment>(
    octokit,
    'GET /repos/{owner}/{repo}/issues/{issue_number}/comments',
    { issue_number: pr },
    WHAT(repo, `listing the comments of pull request #${pr}`),
    { maxPages: 30 },
  );
  return ownRecordComment(comments, appLogin);
}

/**
 * The PR's comments as a read folded into an earlier query listed them (the merge handler lists
 * them with the pull request's files), and the App's write count for the PR's comment when
 * that read began (`CommentTurns.writes`). The listing stands in for the first lookup only while no
 * writer of this App has written the PR's comment since; otherwise the comments are read again.
 */
export interface ListedComments {
  comments: readonly IssueComment[];
  writesBefore: number;
}

const turnKey = (repo: RepoRef, pr: number) => `${repo.owner}/${repo.repo}#${pr}`.toLowerCase();

/**
 * The turns the writers of PR comments take, and how often each PR's comment was written: held
 * in the App's dependencies (src/app/deps.ts, `commentTurns`), one per App, never per module, so
 * two Apps in one process (or two tests) never wait for each other.
 *
 * Writers of one PR's comment take turns. Every handler of a webhook runs in the process that
 * received it (the ledger's and the review campaign's both answer a merge), so taking turns here
 * is what keeps their read-modify-write of the one comment from racing: no second comment, no
 * lost line. The write count tells a listing read before a write (stale) from one read after.
 */
export class CommentTurns {
  /** Comment writes (create, update, delete) made per PR: a listing read before one is stale. */
  private readonly counts = new Map<string, number>();
  private readonly turns = new Map<string, Promise<unknown>>();

  /** How many times the PR's comment was written so far (see ListedComments). */
  writes(repo: RepoRef, pr: number): number {
    return this.counts.get(turnKey(repo, pr)) ?? 0;
  }

  /**
   * Runs a write of the PR's comment, counted when it starts and again when it ends: a listing
   * read while the write was in flight may or may not show it, so it is stale either way.
   */
  async writing<T>(repo: RepoRef, pr: number, write: () => Promise<T>): Promise<T> {
    const key = turnKey(repo, pr);
    const count = () => this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
    count();
    try {
      return await write();
    } finally {
      count();
    }
  }

  /** Runs `work` once every earlier writer of the PR's comment is done. */
  async inTurn<T>(repo: RepoRef, pr: number, work: () => Promise<T>): Promise<T> {
    const key = turnKey(repo, pr);
    const previous = this.turns.get(key) ?? Promise.resolve();
    const mine = previous.catch(() => undefined).then(work);
    const settled = mine.catch(() => undefined);
    this.turns.set(key, settled);
    try {
      return await mine;
    } finally {
      if (this.turns.get(key) === settled) this.turns.delete(key);
    }
  }
}

/** How a comment write waits after a failed create, and the App's comment turns it takes. */
export interface CommentWriteOptions extends CreateOnceOptions {
  turns: CommentTurns;
}

/** The App's sticky comment among comments already listed, or null. */
function ownRecordComment(comments: readonly IssueComment[], appLogin: string): IssueComment | null {
  const login = appLogin.toLowerCase();
  return comments.find((c) => c.user?.login.toLowerCase() === login && isRecordComment(c.body)) ?? null;
}

export function upsertRecordComment(
  octokit: Requester,
  repo: RepoRef,
  pr: number,
  records: readonly SealedRecord[],
  ctx: AppCommentContext,
  options: CommentWriteOptions,
  listed?: ListedComments,
): Promise<CommentResult> {
  return options.turns.inTurn(repo, pr, () => upsertNow(octokit, repo, pr, records, ctx, options, listed));
}

async function upsertNow(
  octokit: Requester,
  repo: RepoRef,
  pr: number,
  records: readonly SealedRecord[],
  ctx: AppCommentContext,
  { turns, ...options }: CommentWriteOptions,
  listed?: ListedComments,
): Promise<CommentResult> {
  const writing = <T>(r: RepoRef, n: number, write: () => Promise<T>) => turns.writing(r, n, write);
  const patch = (id: number, body: string) =>
    writing(repo, pr, () =>
      call(
        octokit,
        'PATCH /repos/{owner}/{repo}/issues/comments/{comment_id}',
        { comment_id: id, body },
        WHAT(repo, `updating the ledger comment on pull request #${pr}`),
      ),
    );
  const fresh = listed !== undefined && listed.writesBefore === turns.writes(repo, pr);
  const existing = fresh ? ownRecordComment(listed.comments, ctx.appLogin) : await findRecordComment(octokit, repo, pr, ctx.appLogin);
  const update = updateRecordComment(existing?.body ?? null, records, ctx);
  if (existing && !update.changed) return { action: 'unchanged', id: existing.id, conflicts: update.conflicts };
  if (existing) {
    await patch(existing.id, update.body);
    return { action: 'updated', id: existing.id, conflicts: update.conflicts };
  }
  const created = await createOnce<IssueComment>(
    {
      create: () =>
        writing(repo, pr, () =>
          call<IssueComment>(
            octokit,
            'POST /repos/{owner}/{repo}/issues/{issue_number}/comments',
            { issue_number: pr, body: update.body, request: NO_AUTO_RETRY },
            WHAT(repo, `commenting the ledger record on pull request #${pr}`),
          ),
        ),
      find: () => findRecordComment(octokit, repo, pr, ctx.appLogin),
    },
    options,
  );
  if (!created.found) {
    // Another process (a reconcile, a second replica) may have posted this PR's first comment at
    // the same moment. Once both are visible the older one stays; the newer folds its lines into
    // it and goes, so the PR keeps one comment whichever writer looks last.
    const oldest = await findRecordComment(octokit, repo, pr, ctx.appLogin);
    if (!oldest || oldest.id === created.value.id) return { action: 'created', id: created.value.id, conflicts: update.conflicts };
    const merged = updateRecordComment(oldest.body ?? null, records, ctx);
    if (merged.changed) await patch(oldest.id, merged.body);
    await writing(repo, pr, () =>
      call(
        octokit,
        'DELETE /repos/{owner}/{repo}/issues/comments/{comment_id}',
        { comment_id: created.value.id },
        WHAT(repo, `removing a second ledger comment on pull request #${pr}`),
      ),
    );
    return { action: 'updated', id: oldest.id, conflicts: merged.conflicts };
  }
  // Found after a failed POST: ours landed (then it already says this), or another writer's
  // comment appeared meanwhile; either way it is the one comment, completed in place.
  const again = updateRecordComment(created.value.body ?? null, records, ctx);
  if (again.changed) await patch(created.value.id, again.body);
  return { action: 'created', id: created.value.id, conflicts: again.conflicts };
}
