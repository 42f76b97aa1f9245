/**
 * A narrow GraphQL endpoint: `repository(owner, name) { object(expression: "<rev>:<path>") { ... } }`
 * with Blob and Tree (entries and their blobs), which is what a batched blob reader sends, and
 * `repository { mergeQueue(branch) { entries { ... } } }`, which the gate reads for a merge group,
 * `repository { pullRequest(number) { files, reviews, commits, comments } }` (connections paged as
 * GitHub pages them), which the App folds a merge's reads into, and `repository { ref(qualifiedName) }`
 * with its Commit's `tree` and `file(path:)`. Queries
 * are parsed and validated against GitHub's published schema and executed by `graphql` itself, so
 * any selection over the modelled fields works, and anything else fails as it would on GitHub.
 */
import { GraphQLError, buildSchema, graphql, type GraphQLSchema } from 'graphql';
import { schema as githubSchema } from '@octokit/graphql-schema';
import { bodyObject, json, type Ctx, type Reply } from '../http.ts';
import { isBinary } from '../git.ts';
import type { Issue, MergeQueueEntry, Repo, State, User } from '../state.ts';
import { accountOf } from '../shapes.ts';

let cached: GraphQLSchema | undefined;

/**
 * GitHub's SDL is built with `assumeValid`: it declares a few fields twice and deprecates some
 * interface implementations, which graphql 17's strict schema checks reject although GitHub serves it.
 */
export function githubGraphqlSchema(): GraphQLSchema {
  cached ??= buildSchema(githubSchema.idl, { assumeValid: true, assumeValidSDL: true });
  return cached;
}

function blobNode(repo: Repo, oid: string): Record<string, unknown> {
  const content = repo.git.blob(oid)?.content ?? Buffer.alloc(0);
  const binary = isBinary(content);
  return {
    __typename: 'Blob',
    id: Buffer.from(`0:Blob${oid}`).toString('base64'),
    oid,
    abbreviatedOid: oid.slice(0, 7),
    byteSize: content.length,
    isBinary: binary,
    isTruncated: false,
    text: binary ? null : content.toString('utf8'),
  };
}

function treeNode(repo: Repo, oid: string, dir: string): Record<string, unknown> {
  const tree = repo.git.tree(oid);
  return {
    __typename: 'Tree',
    id: Buffer.from(`0:Tree${oid}`).toString('base64'),
    oid,
    abbreviatedOid: oid.slice(0, 7),
    entries: (tree?.entries ?? []).map((e) => {
      const path = dir ? `${dir}/${e.name}` : e.name;
      return {
        name: e.name,
        path,
        type: e.type,
        oid: e.sha,
        mode: parseInt(e.mode, 8),
        extension: e.type === 'blob' && e.name.includes('.') ? e.name.slice(e.name.lastIndexOf('.')) : null,
        size: e.type === 'blob' ? (repo.git.blob(e.sha)?.content.length ?? 0) : 0,
        isGenerated: false,
        object: e.type === 'blob' ? blobNode(repo, e.sha) : e.type === 'tree' ? treeNode(repo, e.sha, path) : null,
      };
    }),
  };
}

/** `<rev>:<path>` → Blob or Tree; `<rev>` alone → Commit; null when nothing is there, as on GitHub. */
function objectAt(ctx: Ctx, repo: Repo, expression: string): Record<string, unknown> | null {
  const colon = expression.indexOf(':');
  const rev = colon < 0 ? expression : expression.slice(0, colon);
  const commitSha = ctx.state.resolve(repo, rev || repo.defaultBranch);
  if (!commitSha) return null;
  if (colon < 0) return { __typename: 'Commit', oid: commitSha, abbreviatedOid: commitSha.slice(0, 7), message: repo.git.commit(commitSha)?.message };
  const path = expression.slice(colon + 1).replace(/^\/+|\/+$/g, '');
  const entry = repo.git.entryAt(repo.git.commit(commitSha)?.tree as string, path);
  if (!entry) return null;
  if (entry.type === 'blob') return blobNode(repo, entry.sha);
  if (entry.type === 'tree') return treeNode(repo, entry.sha, path);
  return null;
}

function commitNode(repo: Repo, oid: string): Record<string, unknown> {
  return {
    __typename: 'Commit',
    id: Buffer.from(`0:Commit${oid}`).toString('base64'),
    oid,
    abbreviatedOid: oid.slice(0, 7),
    message: repo.git.commit(oid)?.message,
  };
}

/**
 * An account as GraphQL's Actor: a bot's login without the `[bot]` the REST API shows
 * (`dependabot`, not `dependabot[bot]`), as GitHub answers.
 */
function graphqlActor(user: User): Record<string, unknown> {
  const typename = user.type === 'Bot' ? 'Bot' : user.type === 'Organization' ? 'Organization' : 'User';
  return {
    __typename: typename,
    login: typename === 'Bot' ? user.login.replace(/\[bot\]$/, '') : user.login,
    id: Buffer.from(`0:${user.type}${user.id}`).toString('base64'),
  };
}

/** A commit's git author or committer: `user` is the GitHub *User* behind the email (a bot is not a User: null). */
function gitActorNode(state: State, person: { name: string; email: string; date: string }): Record<string, unknown> {
  const account = accountOf(state, person.email);
  return {
    name: person.name,
    email: person.email,
    date: person.date,
    user: account && account.type === 'User' ? { __typename: 'User', login: account.login, id: Buffer.from(`0:User${account.id}`).toString('base64') } : null,
  };
}

/** A Commit with what the App reads of one: tree, message, git author and committer, and `file(path:)`. */
function fullCommitNode(state: State, repo: Repo, oid: string): Record<string, unknown> {
  const c = repo.git.commit(oid);
  return {
    ...commitNode(repo, oid),
    // Resolved only when asked for: a ledger's tree holds every record.
    tree: () =>
      c
        ? {
            __typename: 'Tree',
            id: Buffer.from(`0:Tree${c.tree}`).toString('base64'),
            oid: c.tree,
            abbreviatedOid: c.tree.slice(0, 7),
            entries: () => (treeNode(repo, c.tree, '') as { entries: unknown[] }).entries,
          }
        : null,
    author: c ? gitActorNode(state, c.author) : null,
    committer: c ? gitActorNode(state, c.committer) : null,
    file: ({ path }: { path: string }) => {
      const clean = path.replace(/^\/+|\/+$/g, '');
      const entry = c ? repo.git.entryAt(c.tree, clean) : undefined;
      if (!entry) return null;
      const name = clean.slice(clean.lastIndexOf('/') + 1);
      return {
        name,
        path: clean,
        type: entry.type,
        oid: entry.sha,
        mode: entry.type === 'tree' ? 0o40000 : 0o100644,
        object: entry.type === 'blob' ? blobNode(repo, entry.sha) : entry.type === 'tree' ? treeNode(repo, entry.sha, clean) : null,
      };
    },
  };
}

const CHANGE_TYPE: Record<string, string> = { added: 'ADDED', modified: 'MODIFIED', removed: 'DELETED', renamed: 'RENAMED' };

/** A pull request as GraphQL's PullRequest: the fields the App folds into one query. */
function pullRequestNode(ctx: Ctx, repo: Repo, issue: Issue): Record<string, unknown> {
  const pull = issue.pull!;
  const viewer = ctx.actor.kind === 'user' ? ctx.actor.user.id : ctx.actor.kind === 'installation' ? ctx.actor.installation.app.bot.id : -1;
  const url = `${ctx.urls.web}/${repo.fullName}/pull/${issue.number}`;
  return {
    __typename: 'PullRequest',
    id: Buffer.from(`0:PullRequest${issue.id}`).toString('base64'),
    number: issue.number,
    title: issue.title,
    url,
    headRefOid: pull.headSha,
    baseRefOid: pull.baseSha,
    merged: pull.merged,
    mergedAt: pull.mergedAt,
    author: graphqlActor(issue.user),
    // GitHub lists at most 3000 files and 250 commits of a pull request.
    files: (args: { first?: number | null; after?: string | null }) =>
      connection(ctx.state.pullFiles(repo, issue).slice(0, 3000), args, (f) => ({
        path: f.filename,
        changeType: CHANGE_TYPE[f.status],
        additions: f.additions,
        deletions: f.deletions,
        viewerViewedState: 'UNVIEWED',
      })),
    reviews: (args: { first?: number | null; after?: string | null }) =>
      connection(
        // A pending review is visible only to its author.
        pull.reviews.filter((r) => r.state !== 'PENDING' || r.user.id === viewer),
        args,
        (r) => ({
          id: r.nodeId,
          databaseId: r.id,
          author: graphqlActor(r.user),
          authorAssociation: r.user.id === issue.user.id ? 'OWNER' : 'MEMBER',
          body: r.body,
          state: r.state,
          submittedAt: r.submittedAt,
          commit: repo.git.commit(r.commitId) ? commitNode(repo, r.commitId) : null,
        }),
      ),
    commits: (args: { first?: number | null; after?: string | null }) =>
      connection(ctx.state.pullCommits(repo, issue).slice(0, 250), args, (sha) => ({
        id: Buffer.from(`0:PullRequestCommit${issue.id}:${sha}`).toString('base64'),
        url: `${url}/commits/${sha}`,
        commit: fullCommitNode(ctx.state, repo, sha),
      })),
    comments: (args: { first?: number | null; after?: string | null }) =>
      connection(issue.comments, args, (c) => ({
        id: c.nodeId,
        databaseId: c.id,
        body: c.body,
        url: `${url}#issuecomment-${c.id}`,
        createdAt: c.createdAt,
        updatedAt: c.updatedAt,
        author: graphqlActor(c.user),
      })),
  };
}

function actorNode(state: State, login: string): Record<string, unknown> {
  const user = state.user(login);
  return {
    __typename: user.type === 'Bot' ? 'Bot' : user.type === 'Organization' ? 'Organization' : 'User',
    login: user.login,
    id: Buffer.from(`0:${user.type}${user.id}`).toString('base64'),
  };
}

/** Cursor pagination over a list, as GitHub's connections page (`first`, `after`). */
function connection<T>(
  items: readonly T[],
  args: { first?: number | null; after?: string | null },
  node: (item: T, index: number) => Record<string, unknown>,
): Record<string, unknown> {
  const start = args.after
    ? Number(
        Buffer.from(args.after, 'base64')
          .toString('utf8')
          .replace(/^cursor:/, ''),
      ) + 1
    : 0;
  const first = Math.min(args.first ?? 100, 100);
  const page = items.slice(start, start + first);
  const cursor = (i: number) => Buffer.from(`cursor:${i}`).toString('base64');
  return {
    totalCount: items.length,
    nodes: page.map((item, i) => node(item, start + i)),
    edges: page.map((item, i) => ({ cursor: cursor(start + i), node: node(item, start + i) })),
    pageInfo: {
      hasNextPage: start + first < items.length,
      hasPreviousPage: start > 0,
      startCursor: page.length ? cursor(start) : null,
      endCursor: page.length ? cursor(start + page.length - 1) : null,
    },
  };
}

function mergeQueueEntryNode(ctx: Ctx, repo: Repo, e: MergeQueueEntry, position: number): Record<string, unknown> {
  const { issue, pull } = ctx.state.pullOf(repo.fullName, e.number);
  return {
    id: e.nodeId,
    position,
    state: 'AWAITING_CHECKS',
    enqueuedAt: e.enqueuedAt,
    enqueuer: actorNode(ctx.state, e.enqueuer.login),
    jump: false,
    solo: false,
    headCommit: commitNode(repo, e.headCommit),
    baseCommit: commitNode(repo, e.baseCommit),
    pullRequest: {
      id: Buffer.from(`0:PullRequest${issue.id}`).toString('base64'),
      number: issue.number,
      title: issue.title,
      headRefOid: pull.headSha,
      headRefName: pull.headRef,
      baseRefName: pull.baseRef,
      author: actorNode(ctx.state, issue.user.login),
    },
  };
}

export async function handleGraphql(ctx: Ctx): Promise<Reply> {
  const b = bodyObject(ctx);
  if (typeof b.query !== 'string') return json(200, { errors: [{ message: 'A query attribute must be specified and must be a string.' }] });
  const rootValue = {
    repository: ({ owner, name }: { owner: string; name: string }) => {
      const repo = ctx.state.repos.get(`${owner}/${name}`.toLowerCase());
      const visible = repo && (ctx.actor.kind !== 'installation' || ctx.state.installationCovers(ctx.actor.installation, repo));
      if (!repo || !visible) {
        throw new GraphQLError(`Could not resolve to a Repository with the name '${owner}/${name}'.`, { extensions: { type: 'NOT_FOUND' } });
      }
      return {
        id: repo.nodeId,
        name: repo.name,
        nameWithOwner: repo.fullName,
        isPrivate: repo.private,
        object: ({ expression }: { expression: string }) => objectAt(ctx, repo, expression),
        defaultBranchRef: { name: repo.defaultBranch, prefix: 'refs/heads/', target: objectAt(ctx, repo, repo.defaultBranch) },
        // Null for a number that is not a pull request (GitHub adds a NOT_FOUND error beside it).
        pullRequest: ({ number }: { number: number }) => {
          const issue = repo.issues.get(number);
          if (!issue?.pull) throw new GraphQLError(`Could not resolve to a PullRequest with the number of ${number}.`, { extensions: { type: 'NOT_FOUND' } });
          return pullRequestNode(ctx, repo, issue);
        },
        // `refs/heads/<branch>` (or a bare branch name) → the Ref, its target a Commit; null when absent.
        ref: ({ qualifiedName }: { qualifiedName: string }) => {
          const qualified = qualifiedName.startsWith('refs/') ? qualifiedName : `refs/heads/${qualifiedName}`;
          const sha = repo.refs.get(qualified);
          if (!sha) return null;
          const name = qualified.replace(/^refs\/(heads|tags)\//, '');
          return {
            id: Buffer.from(`0:Ref${repo.id}:${qualified}`).toString('base64'),
            name,
            prefix: qualified.slice(0, qualified.length - name.length),
            target: fullCommitNode(ctx.state, repo, sha),
          };
        },
        // Null for a branch that does not exist; a branch without queued entries has an empty queue.
        mergeQueue: ({ branch }: { branch?: string | null }) => {
          const name = branch ?? repo.defaultBranch;
          if (!repo.refs.has(`refs/heads/${name}`)) return null;
          const entries = ctx.state.mergeQueueOf(repo.fullName, name);
          return {
            id: Buffer.from(`0:MergeQueue${repo.id}:${name}`).toString('base64'),
            entries: (args: { first?: number | null; after?: string | null }) => connection(entries, args, (e, i) => mergeQueueEntryNode(ctx, repo, e, i + 1)),
          };
        },
      };
    },
    rateLimit: () => ({
      limit: 5000,
      cost: 1,
      remaining: ctx.quota.remaining,
      used: ctx.quota.used,
      resetAt: new Date(ctx.quota.reset * 1000).toISOString(),
      nodeCount: 0,
    }),
  };
  const result = await graphql({
    schema: githubGraphqlSchema(),
    source: b.query,
    rootValue,
    variableValues: (b.variables as Record<string, unknown> | undefined) ?? {},
    ...(typeof b.operationName === 'string' ? { operationName: b.operationName } : {}),
  });
  const out: Record<string, unknown> = {};
  if (result.data !== undefined) out.data = result.data;
  if (result.errors?.length) {
    // GitHub puts the error type at the top level of each error, not under `extensions`.
    out.errors = result.errors.map((e) => {
      const { extensions, ...rest } = e.toJSON();
      return extensions?.type ? { type: extensions.type, ...rest } : e.toJSON();
    });
  }
  return json(200, out);
}
