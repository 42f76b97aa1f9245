import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { CommentTurns, upsertRecordComment } from '../../src/app/ledger/comment.ts';
import type { Requester } from '../../src/app/github.ts';
import { sealRecord, type RecordDraft } from '../../src/core/ledger/index.ts';
import { mergedDraft } from '../ledger/fixtures.ts';

/** Issue comments of one PR, with a delay on every call so concurrent writers interleave. */
type Comment = { id: number; body: string; user: { login: string; type: string } };
const BOT = { login: 'access-ledger[bot]', type: 'Bot' };

function slowComments(beforePost?: (comments: Comment[]) => void): Requester & { comments: Comment[]; deleted: number[] } {
  const comments: Comment[] = [];
  const deleted: number[] = [];
  let nextId = 100;
  return {
    comments,
    deleted,
    async request(route, params = {}) {
      await sleep(5);
      if (route === 'DELETE /repos/{owner}/{repo}/issues/comments/{comment_id}') {
        const i = comments.findIndex((x) => x.id === params.comment_id);
        comments.splice(i, 1);
        deleted.push(Number(params.comment_id));
        return { status: 204, data: undefined };
      }
      if (route === 'GET /repos/{owner}/{repo}/issues/{issue_number}/comments') return { status: 200, data: comments.map((c) => ({ ...c })) };
      if (route === 'POST /repos/{owner}/{repo}/issues/{issue_number}/comments') {
        beforePost?.(comments);
        const c = { id: nextId++, body: String(params.body), user: BOT };
        comments.push(c);
        return { status: 201, data: c };
      }
      if (route === 'PATCH /repos/{owner}/{repo}/issues/comments/{comment_id}') {
        const c = comments.find((x) => x.id === params.comment_id)!;
        c.body = String(params.body);
        return { status: 200, data: c };
      }
      throw new Error(`unexpected ${route}`);
    },
  };
}

describe('the sticky comment under concurrent writers in one process', () => {
  it('two handlers answering one merge leave one comment naming both records', async () => {
    const gh = slowComments();
    const turns = new CommentTurns();
    const repo = { owner: 'acme', repo: 'access' };
    const ctx = { branch: 'access-ledger', repositoryUrl: 'https://github.com/acme/access', appLogin: 'access-ledger[bot]' };
    const first = sealRecord(mergedDraft(45), null, '2026-11-20T10:00:03Z');
    const campaign: RecordDraft<'grant-change'> = { ...mergedDraft(45), key: 'pr-45-review-campaign' };
    const second = sealRecord(campaign, { seq: first.seq, hash: first.hash }, '2026-11-20T10:00:04Z');
    await Promise.all([upsertRecordComment(gh, repo, 45, [first], ctx, { turns }), upsertRecordComment(gh, repo, 45, [second], ctx, { turns })]);
    expect(gh.comments).toHaveLength(1);
    expect(gh.comments[0]!.body).toContain('key=pr-45-merged');
    expect(gh.comments[0]!.body).toContain('key=pr-45-review-campaign');
  });

  it('a writer in another process that posted the first comment at the same moment: ours folds into the older one', async () => {
    const repo = { owner: 'acme', repo: 'access' };
    const ctx = { branch: 'access-ledger', repositoryUrl: 'https://github.com/acme/access', appLogin: 'access-ledger[bot]' };
    const merged = sealRecord(mergedDraft(46), null, '2026-11-20T10:00:03Z');
    const theirs = sealRecord({ ...mergedDraft(46), key: 'pr-46-provisioned-7' }, { seq: merged.seq, hash: merged.hash }, '2026-11-20T10:00:04Z');
    // The other process's comment lands between our listing (none yet) and our POST.
    const other = slowComments();
    await upsertRecordComment(other, repo, 46, [theirs], ctx, { turns: new CommentTurns() });
    const theirBody = other.comments[0]!.body;
    const gh = slowComments((comments) => {
      if (comments.length === 0) comments.push({ id: 1, body: theirBody, user: BOT });
    });
    const result = await upsertRecordComment(gh, repo, 46, [merged], ctx, { turns: new CommentTurns() });
    expect(gh.comments.map((c) => c.id)).toEqual([1]);
    expect(gh.deleted).toEqual([100]);
    expect(result).toMatchObject({ action: 'updated', id: 1 });
    expect(gh.comments[0]!.body).toContain('key=pr-46-merged');
    expect(gh.comments[0]!.body).toContain('key=pr-46-provisioned-7');
  });

  it('a listing read before another handler of this process wrote the comment is not trusted: the comments are read again, and there is still one', async () => {
    const gh = slowComments();
    const reads: string[] = [];
    const counting: Requester = { request: (route, params) => (route.startsWith('GET') && reads.push(route), gh.request(route, params)) };
    const repo = { owner: 'acme', repo: 'access' };
    const ctx = { branch: 'access-ledger', repositoryUrl: 'https://github.com/acme/access', appLogin: 'access-ledger[bot]' };
    const turns = new CommentTurns();
    const first = sealRecord(mergedDraft(47), null, '2026-11-20T10:00:03Z');
    const campaign = sealRecord({ ...mergedDraft(47), key: 'pr-47-review-campaign' }, { seq: first.seq, hash: first.hash }, '2026-11-20T10:00:04Z');
    // The merge handler lists the comments (none) with its facts; the review campaign's handler then writes the comment.
    const listed = { comments: [], writesBefore: turns.writes(repo, 47) };
    const campaignWrite = upsertRecordComment(counting, repo, 47, [campaign], ctx, { turns });
    await campaignWrite;
    reads.length = 0;
    await upsertRecordComment(counting, repo, 47, [first], ctx, { turns }, listed);
    expect(reads[0]).toBe('GET /repos/{owner}/{repo}/issues/{issue_number}/comments');
    // Updated in place: never a second comment posted (and then removed).
    expect(gh.deleted).toEqual([]);
    expect(gh.comments).toHaveLength(1);
    expect(gh.comments[0]!.body).toContain('key=pr-47-merged');
    expect(gh.comments[0]!.body).toContain('key=pr-47-review-campaign');
  });

  it('a listing no write of this process followed stands in for the lookup', async () => {
    const gh = slowComments();
    const reads: string[] = [];
    const counting: Requester = { request: (route, params) => (route.startsWith('GET') && reads.push(route), gh.request(route, params)) };
    const repo = { owner: 'acme', repo: 'access' };
    const ctx = { branch: 'access-ledger', repositoryUrl: 'https://github.com/acme/access', appLogin: 'access-ledger[bot]' };
    const record = sealRecord(mergedDraft(48), null, '2026-11-20T10:00:03Z');
    const turns = new CommentTurns();
    const result = await upsertRecordComment(counting, repo, 48, [record], ctx, { turns }, { comments: [], writesBefore: turns.writes(repo, 48) });
    expect(result.action).toBe('created');
    // Only the one look after posting, for a second writer's comment.
    expect(reads).toEqual(['GET /repos/{owner}/{repo}/issues/{issue_number}/comments']);
  });
});
