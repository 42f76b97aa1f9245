/**
 * The folded pull request query's parsing, as tables of GitHub-shaped pages: what becomes the
 * gate's facts, which connections page again, and how a ledger tip read is taken.
 */
import { describe, expect, it } from 'vitest';
import { addPullPage, emptyListing, gitActorLogin, pullPageQuery, restLogin, type RawPullPage } from '../../src/adapters/github/pull-query.ts';
import { coAuthorLogins, parseRefRead } from '../../src/adapters/github/pull-facts.ts';
import { githubGraphqlSchema } from '../support/fake-github/routes/graphql.ts';
import { parse, validate } from 'graphql';

const OLD = 'a'.repeat(40);
const HEAD = 'b'.repeat(40);
const page = <T>(nodes: T[], more: string | null = null, totalCount = nodes.length) => ({
  totalCount,
  pageInfo: { hasNextPage: more !== null, endCursor: more },
  nodes,
});
const review = (
  author: { __typename: string; login: string } | null,
  state = 'APPROVED',
  commit: string | null = HEAD,
  submittedAt: string | null = '2026-11-19T12:00:00Z',
) => ({ author, authorAssociation: 'MEMBER', state, submittedAt, commit: commit ? { oid: commit } : null });
const commit = (author: { email?: string; user?: { login: string } | null } | null, committer: typeof author = author, message = 'work') => ({
  commit: { oid: HEAD, message, author, committer },
});

describe('pullPageQuery', () => {
  it.each([
    [
      'the first page: every connection and the objects',
      { files: null, reviews: null, commits: null, comments: null, objects: ['b:access-ledger.yaml'] },
      ['files(', 'reviews(', 'commits(', 'comments(', 'o0: object('],
      [],
    ],
    ['a later page: only the files still paging', { files: 'Y3Vyc29yOjk5' }, ['files('], ['reviews(', 'commits(', 'comments(', 'object(']],
    ['only objects', { objects: ['b:systems'] }, ['o0: object('], ['pullRequest(']],
  ])('%s', (_what, req, has, hasNot) => {
    const { query, variables } = pullPageQuery(req);
    for (const h of has) expect(query).toContain(h);
    for (const h of hasNot) expect(query).not.toContain(h);
    // Valid against GitHub's published schema.
    expect(validate(githubGraphqlSchema(), parse(query))).toEqual([]);
    if ('files' in req) expect(variables.filesAfter).toBe(req.files ?? null);
  });
});

describe('addPullPage', () => {
  it.each<[string, RawPullPage, Partial<ReturnType<typeof emptyListing>>, Record<string, string>]>([
    [
      'change types as REST names them; a rename is noted (GraphQL does not say from where)',
      {
        files: page([
          { path: 'a', changeType: 'ADDED' },
          { path: 'b', changeType: 'COPIED' },
          { path: 'c', changeType: 'MODIFIED' },
          { path: 'd', changeType: 'CHANGED' },
          { path: 'e', changeType: 'DELETED' },
          { path: 'f', changeType: 'RENAMED' },
        ]),
      },
      {
        files: [
          { path: 'a', status: 'added' },
          { path: 'b', status: 'added' },
          { path: 'c', status: 'modified' },
          { path: 'd', status: 'modified' },
          { path: 'e', status: 'removed' },
          { path: 'f', status: 'renamed' },
        ],
        renamed: true,
        filesTotal: 6,
      },
      {},
    ],
    [
      'a full page of files pages again from its cursor; the total is kept',
      {
        files: page(
          Array.from({ length: 100 }, (_, i) => ({ path: `grants/p${i}.yaml`, changeType: 'ADDED' })),
          'Y3Vyc29yOjk5',
          140,
        ),
      },
      { filesTotal: 140 },
      { files: 'Y3Vyc29yOjk5' },
    ],
    [
      'a review on an older commit keeps that commit; a bot gets its [bot]; a deleted account is left out',
      {
        reviews: page([
          review({ __typename: 'User', login: 'dave' }, 'APPROVED', OLD),
          review({ __typename: 'Bot', login: 'renovate' }),
          review(null),
          review({ __typename: 'User', login: 'erin' }, 'PENDING', null, null),
        ]),
      },
      {
        reviews: [
          { reviewer: 'dave', reviewerIsBot: false, state: 'APPROVED', commitId: OLD, submittedAt: '2026-11-19T12:00:00Z' },
          { reviewer: 'renovate[bot]', reviewerIsBot: true, state: 'APPROVED', commitId: HEAD, submittedAt: '2026-11-19T12:00:00Z' },
          { reviewer: 'erin', reviewerIsBot: false, state: 'PENDING', commitId: '', submittedAt: '' },
        ],
      },
      {},
    ],
    [
      'commit authors: the User, a bot by its no-reply address, null for an address linked to no account, co-authors; each once',
      {
        commits: page(
          [
            commit(
              { email: 'alice@example.com', user: { login: 'alice' } },
              { email: 'noreply@github.com', user: { login: 'web-flow' } },
              'Grant\n\nCo-authored-by: Carl <4242+carl@users.noreply.github.com>',
            ),
            commit({ email: '49699333+dependabot[bot]@users.noreply.github.com', user: null }),
            commit({ email: 'stranger@example.com', user: null }),
            commit({ email: 'alice@example.com', user: { login: 'alice' } }),
          ],
          'Y3Vyc29yOjM=',
          260,
        ),
      },
      { commitAuthors: ['alice', 'web-flow', 'carl', 'dependabot[bot]', null], commitsListed: 4, commitsTotal: 260 },
      { commits: 'Y3Vyc29yOjM=' },
    ],
    [
      'comments as the REST listing shapes them; one without a database id is left out',
      {
        comments: page([
          { databaseId: 7, body: 'hi', url: 'u', author: { __typename: 'Bot', login: 'access-ledger' } },
          { databaseId: null, body: 'x', url: 'u', author: null },
          { databaseId: 8, body: 'gone', url: 'u', author: null },
        ]),
      },
      {
        comments: [
          { id: 7, body: 'hi', html_url: 'u', user: { login: 'access-ledger[bot]', type: 'Bot' } },
          { id: 8, body: 'gone', html_url: 'u', user: null },
        ],
      },
      {},
    ],
  ])('%s', (_what, raw, expected, next) => {
    const listing = emptyListing();
    expect(addPullPage(listing, raw, coAuthorLogins)).toEqual(next);
    expect(listing).toMatchObject(expected);
  });

  it('pages past 100 of each: what every page adds is kept, and paging stops when no connection has more', () => {
    const listing = emptyListing();
    const files = (from: number, n: number) => Array.from({ length: n }, (_, i) => ({ path: `grants/p${from + i}.yaml`, changeType: 'ADDED' }));
    const reviews = (from: number, n: number) => Array.from({ length: n }, (_, i) => review({ __typename: 'User', login: `r${from + i}` }));
    const commits = (from: number, n: number) =>
      Array.from({ length: n }, (_, i) => commit({ email: `u${from + i}@example.com`, user: { login: `u${from + i}` } }));
    expect(
      addPullPage(
        listing,
        { files: page(files(0, 100), 'f1', 150), reviews: page(reviews(0, 100), 'r1', 101), commits: page(commits(0, 100), 'c1', 120) },
        coAuthorLogins,
      ),
    ).toEqual({ files: 'f1', reviews: 'r1', commits: 'c1' });
    expect(
      addPullPage(
        listing,
        { files: page(files(100, 50), null, 150), reviews: page(reviews(100, 1), null, 101), commits: page(commits(100, 20), null, 120) },
        coAuthorLogins,
      ),
    ).toEqual({});
    expect(listing.files).toHaveLength(150);
    expect(listing.reviews.map((r) => r.reviewer).at(-1)).toBe('r100');
    expect(listing.commitAuthors).toHaveLength(120);
    expect(listing.commitsListed).toBe(120);
  });
});

describe('logins', () => {
  it.each([
    [{ __typename: 'User', login: 'dave' }, 'dave'],
    [{ __typename: 'Bot', login: 'renovate' }, 'renovate[bot]'],
    [{ __typename: 'Bot', login: 'odd[bot]' }, 'odd[bot]'],
  ])('restLogin(%o) = %s', (actor, login) => expect(restLogin(actor)).toBe(login));

  it.each([
    [null, null],
    [{ email: 'a@example.com', user: { login: 'a' } }, 'a'],
    [{ email: '123+ci[bot]@users.noreply.github.com', user: null }, 'ci[bot]'],
    // A person's no-reply address with no User behind it links to nobody (as REST's author: null).
    [{ email: '123+ghost@users.noreply.github.com', user: null }, null],
  ])('gitActorLogin(%o) = %s', (actor, login) => expect(gitActorLogin(actor)).toBe(login));
});

describe('parseRefRead', () => {
  const blob = (text: string, extra: Record<string, unknown> = {}) => ({
    object: { __typename: 'Blob', oid: 'f'.repeat(40), byteSize: Buffer.byteLength(text), isBinary: false, text, ...extra },
  });
  it.each([
    ['no branch', { ledgerRef: null }, null, []],
    [
      'a tip with one file there and one absent',
      { ledgerRef: { target: { __typename: 'Commit', oid: HEAD, tree: { oid: OLD }, p0: blob('{"seq":3}'), p1: null } } },
      { commitSha: HEAD, treeSha: OLD },
      [
        ['head.json', '{"seq":3}'],
        ['records/x.json', null],
      ],
    ],
    [
      'text cut short or binary is left out, to be read again',
      {
        ledgerRef: {
          target: { __typename: 'Commit', oid: HEAD, tree: { oid: OLD }, p0: blob('{"seq"', { byteSize: 900 }), p1: blob('', { isBinary: true, text: null }) },
        },
      },
      { commitSha: HEAD, treeSha: OLD },
      [],
    ],
    ['a ref to something other than a commit', { ledgerRef: { target: { __typename: 'Tag', oid: HEAD } } }, null, []],
  ])('%s', (_what, repository, tip, files) => {
    const read = parseRefRead('access-ledger', ['head.json', 'records/x.json'], repository);
    expect(read.tip).toEqual(tip);
    expect([...read.files]).toEqual(files);
  });
});
