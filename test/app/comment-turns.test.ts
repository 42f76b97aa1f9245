import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { upsertRecordComment } from '../../src/app/ledger/comment.ts';
import type { Requester } from '../../src/app/github.ts';
import { sealRecord, type RecordDraft } from '../../src/core/ledger/index.ts';
import { mergedDraft } from '../ledger/fixtures.ts';

/** Issue comments of one PR, with a delay on every call so concurrent writers interleave. */
function slowComments(): Requester & { comments: { id: number; body: string; user: { login: string; type: string } }[] } {
  const comments: { id: number; body: string; user: { login: string; type: string } }[] = [];
  return {
    comments,
    async request(route, params = {}) {
      await sleep(5);
      if (route === 'GET /repos/{owner}/{repo}/issues/{issue_number}/comments') return { status: 200, data: comments.map((c) => ({ ...c })) };
      if (route === 'POST /repos/{owner}/{repo}/issues/{issue_number}/comments') {
        const c = { id: comments.length + 1, body: String(params.body), user: { login: 'access-ledger[bot]', type: 'Bot' } };
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
    const repo = { owner: 'acme', repo: 'access' };
    const ctx = { branch: 'access-ledger', repositoryUrl: 'https://github.com/acme/access' };
    const first = sealRecord(mergedDraft(45), null, '2026-11-20T10:00:03Z');
    const campaign: RecordDraft<'grant-change'> = { ...mergedDraft(45), key: 'pr-45-review-campaign' };
    const second = sealRecord(campaign, { seq: first.seq, hash: first.hash }, '2026-11-20T10:00:04Z');
    await Promise.all([upsertRecordComment(gh, repo, 45, [first], ctx), upsertRecordComment(gh, repo, 45, [second], ctx)]);
    expect(gh.comments).toHaveLength(1);
    expect(gh.comments[0]!.body).toContain('key=pr-45-merged');
    expect(gh.comments[0]!.body).toContain('key=pr-45-review-campaign');
  });
});
