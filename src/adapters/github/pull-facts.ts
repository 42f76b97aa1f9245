/**
 * Gathers a pull request's facts through the GitHub API, for the pure judge (src/core/pull/).
 *
 * Safe by construction: the config, the packs' choice and the systems (with their approver
 * lists) are read at the BASE commit; the changed grant files at the head commit, as data only.
 * Cheap by construction: the changed-files listing, the reviews and the commits are one page each
 * for a PR under 100 files, and every file is read in batched GraphQL queries (one per 100
 * files), so the number of calls never grows with the size of the access repo. Memberships are
 * looked up only for the reviewers and owners the rules need, once each per run. The App, which
 * records merges in bursts, gathers the same facts with its reads folded (`gatherMergeReads`: the
 * listings in one GraphQL query, src/adapters/github/pull-query.ts); the gate Action keeps the REST
 * listings.
 *
 * Fails closed: any failed call, a truncated listing, or a membership the token cannot see
 * throws a GitHubApiError whose message says what to fix.
 */
import { buildSnapshot, loadFile, type LoadedFile, type RepoFile, type Snapshot } from '../../core/model/snapshot.ts';
import type { Grant, RepoConfig, System } from '../../core/model/types.ts';
import { MAX_FILE_BYTES } from '../../core/model/yaml-file.ts';
import { SCHEMA_CONTROLS } from '../../core/model/schemas.ts';
import { CONFIG_PATHS } from '../../core/model/snapshot.ts';
import { pullRoleOf } from '../../core/pull/changes.ts';
import { loginKey, type ChangedFile, type PullFacts, type PullReview, type ReviewState } from '../../core/pull/facts.ts';
import { neededTeamLookups } from '../../core/pull/plan.ts';
import { resolvePolicy, type Pack } from '../../core/engine/policy.ts';
import { builtinRegistry } from '../../core/validate.ts';
import { loginsToCheck } from '../../core/rules/owner-in-org.ts';
import {
  explainGraphqlError,
  readObjectsWith,
  toRead,
  type BlobRead,
  type ExtraSelection,
  type GraphqlClient,
  type ObjectRead,
  type RawObject,
} from './blobs.ts';
import { addPullPage, emptyListing, pullPageQuery, type ListedComment, type PullListing, type PullPageRequest, type RawPullPage } from './pull-query.ts';
import { GitHubApiError, errorStatus, explainGitHubError } from './errors.ts';
import { gitHubPort, type GitHubApi, type GitHubPort } from './port.ts';

/** What the gate's reads use of the GitHub port (src/adapters/github/port.ts): REST and GraphQL. */
export type OctokitLike = GitHubApi;

/** What the event says about the pull request. */
export interface PullRef {
  owner: string;
  repo: string;
  number: number;
  headSha: string;
  baseSha: string;
  author: string;
  authorIsBot?: boolean;
}

/** Membership lookups in flight at once. */
const LOOKUP_CONCURRENCY = 8;

export interface GatherOptions {
  /** The config's path when it is not `access-ledger.yaml` (the Action's `config` input). */
  configPath?: string;
  /**
   * The packs, to resolve the base policy: membership lookups for rules it turns off are skipped
   * (without them, every lookup a rule could need is made).
   */
  packs?: ReadonlyMap<string, Pack>;
  /**
   * Recording a merge (the App) rather than gating a pull request: a listing GitHub truncates does
   * not stop the record. The access files the merge changed are found by comparing the trees of
   * the merge commit and its first parent, and what still could not be read is a gap in the facts
   * (`PullFacts.gaps`), which fails the verdict. The gate leaves this unset and fails closed.
   */
  mergeSha?: string;
}

/** GitHub lists at most 3,000 files of a pull request and 250 of its commits. */
export const MAX_LISTED_FILES = 3000;
export const MAX_LISTED_COMMITS = 250;
const PER_PAGE = 100;

/** The token the docs tell people to use when the workflow token cannot read teams or members. */
export const APP_TOKEN_HINT =
  "use an App installation token with the organization permission Members: read (e.g. from actions/create-github-app-token) as the `token` input; the workflow's GITHUB_TOKEN cannot read teams or private org membership";

/**
 * After a listing of the changed files was cut short: at a merge, the access files the merge
 * changed, from its trees, with the cut recorded as a gap (the verdict then fails); anywhere else,
 * and for any other error, the error stands and the gate fails closed.
 */
async function filesFromTrees(err: unknown, octokit: OctokitLike, pull: PullRef, opts: GatherOptions, gaps: string[]): Promise<ChangedFile[]> {
  if (!(err instanceof TruncatedListing) || !opts.mergeSha) throw err;
  gaps.push(err.message);
  return changedByTrees(octokit, pull, opts.mergeSha, gaps, opts.configPath && !CONFIG_PATHS.includes(opts.configPath) ? opts.configPath : undefined);
}

export async function gatherPullFacts(octokit: OctokitLike, pull: PullRef, opts: GatherOptions = {}): Promise<PullFacts> {
  const api = new PullApi(octokit, pull);
  const gaps: string[] = [];
  let files: ChangedFile[];
  try {
    files = await api.files();
  } catch (err) {
    files = await filesFromTrees(err, octokit, pull, opts, gaps);
  }
  const empty: Snapshot = { systems: [], grants: [] };
  const facts: PullFacts = {
    number: pull.number,
    author: pull.author,
    headSha: pull.headSha,
    baseSha: pull.baseSha,
    files,
    base: empty,
    head: empty,
    reviews: [],
    commitAuthors: [],
    teamMembership: {},
    orgMembership: {},
  };
  if (opts.configPath && !CONFIG_PATHS.includes(opts.configPath)) facts.configPath = opts.configPath;
  if (pull.authorIsBot) facts.authorIsBot = true;
  if (gaps.length > 0) facts.gaps = gaps;
  const relevant = files.filter(
    (f) => pullRoleOf(f.path, facts.configPath) !== 'other' || (f.previousPath && pullRoleOf(f.previousPath, facts.configPath) !== 'other'),
  );
  // Nothing under grants/, systems/ or the config: nothing more to read.
  if (relevant.length === 0) return facts;

  const commits = api.commitAuthors().catch((err: unknown) => {
    if (!(err instanceof TruncatedListing) || !opts.mergeSha) throw err;
    (facts.gaps ??= []).push(err.message);
    return err.partial as (string | null)[];
  });
  const [reviews, commitAuthors, snapshots] = await Promise.all([api.reviews(), commits, readSnapshots(octokit, pull, relevant, facts.configPath)]);
  facts.reviews = reviews;
  facts.commitAuthors = commitAuthors;
  facts.base = snapshots.base;
  facts.head = snapshots.head;
  await lookUpMemberships(api, facts, opts);
  return facts;
}

/** The memberships the rules need, looked up once each (team and organization). */
async function lookUpMemberships(api: PullApi, facts: PullFacts, opts: GatherOptions): Promise<void> {
  const org = facts.base.config?.data?.organization;
  const policy = opts.packs ? resolvePolicy(facts.base.config, opts.packs, builtinRegistry()).policy : undefined;
  const on = (rule: string) => !policy || (policy.rules.get(rule)?.severity ?? 'off') !== 'off';
  const lookups: (() => Promise<void>)[] = [];
  for (const { team, login } of on('approvals') ? neededTeamLookups(facts) : []) {
    lookups.push(async () => {
      (facts.teamMembership[team] ??= {})[login] = await api.isTeamMember(team, login);
    });
  }
  if (org && on('owner-in-org')) {
    for (const login of new Set(loginsToCheck(facts).map((c) => loginKey(c.login)))) {
      lookups.push(async () => {
        facts.orgMembership[login] = await api.isOrgMember(org, login);
      });
    }
  }
  await runLimited(lookups, LOOKUP_CONCURRENCY);
}

/** A branch's tip and files at it, read in the same query as the changed files (see `FoldOptions.ref`). */
export interface RefRead {
  branch: string;
  /** Null when the branch does not exist. */
  tip: { commitSha: string; treeSha: string } | null;
  /** Each path asked for: its text at the tip, null when absent; a path missing here could not be read whole (read it again). */
  files: Map<string, string | null>;
}

/** What the App folds into the fact queries besides the facts. */
export interface FoldOptions {
  /** List the pull request's comments in the first query. */
  comments?: boolean;
  /** Once the base config is read: a branch whose tip, and which files at it, to read in the files' query. */
  ref?: (config: RepoConfig | null) => { branch: string; paths: string[] } | null;
}

export interface MergeReads {
  facts: PullFacts;
  /** The pull request's comments as listed (when asked for; null otherwise). */
  comments: ListedComment[] | null;
  /** The branch asked for by `FoldOptions.ref` (null when not asked or the PR changed no access file). */
  ref: RefRead | null;
}

/** Pages of the folded query before giving up on a connection that keeps saying there is more. */
const MAX_PULL_PAGES = 40;

/**
 * The merge handler's reads, folded: the same facts as `gatherPullFacts`, with the changed files,
 * reviews and commits (and the comments, and the base config) in one GraphQL query, paged only
 * while a page is full, and the files' contents read with the branch `fold.ref` names. Listings
 * GitHub truncates, renames and memberships are handled as `gatherPullFacts` handles them.
 */
export async function gatherMergeReads(octokit: OctokitLike, pull: PullRef, opts: GatherOptions & { fold?: FoldOptions } = {}): Promise<MergeReads> {
  const api = new PullApi(octokit, pull);
  const configPath = opts.configPath && !CONFIG_PATHS.includes(opts.configPath) ? opts.configPath : undefined;
  const configExprs = (configPath ? [configPath] : CONFIG_PATHS).map((p) => `${pull.baseSha}:${p}`);
  // The base config and systems are read whatever the PR changed: with the listings, not after them.
  const { listing, objects } = await listPull(octokit, pull, {
    files: null,
    reviews: null,
    commits: null,
    ...(opts.fold?.comments ? { comments: null } : {}),
    objects: [...configExprs, `${pull.baseSha}:systems`],
  });
  const gaps: string[] = [];
  let files = listing.files;
  const filesRoute = 'POST /graphql (pullRequest.files)';
  if (listing.filesTotal >= MAX_LISTED_FILES) {
    const message = `pull request #${pull.number} changes ${MAX_LISTED_FILES} or more files, and GitHub lists no more than ${MAX_LISTED_FILES}: the gate cannot see every change, so it fails closed. Split the pull request`;
    files = await filesFromTrees(new TruncatedListing(message, filesRoute, []), octokit, pull, opts, gaps);
  } else if (listing.renamed) {
    // GraphQL does not say where a renamed file came from; the REST listing does.
    try {
      files = await api.files();
    } catch (err) {
      files = await filesFromTrees(err, octokit, pull, opts, gaps);
    }
  }
  const facts: PullFacts = {
    number: pull.number,
    author: pull.author,
    headSha: pull.headSha,
    baseSha: pull.baseSha,
    files,
    base: { systems: [], grants: [] },
    head: { systems: [], grants: [] },
    reviews: [],
    commitAuthors: [],
    teamMembership: {},
    orgMembership: {},
  };
  if (configPath) facts.configPath = configPath;
  if (pull.authorIsBot) facts.authorIsBot = true;
  const comments = opts.fold?.comments ? listing.comments : null;
  const relevant = files.filter(
    (f) => pullRoleOf(f.path, facts.configPath) !== 'other' || (f.previousPath && pullRoleOf(f.previousPath, facts.configPath) !== 'other'),
  );
  if (relevant.length === 0) {
    if (gaps.length > 0) facts.gaps = gaps;
    return { facts, comments, ref: null };
  }
  if (listing.commitsListed >= MAX_LISTED_COMMITS || listing.commitsTotal >= MAX_LISTED_COMMITS) {
    const message = `pull request #${pull.number} has ${MAX_LISTED_COMMITS} or more commits, and GitHub lists no more than ${MAX_LISTED_COMMITS}: the gate cannot tell who authored them all, so it fails closed. Squash or split the pull request`;
    if (!opts.mergeSha) throw new TruncatedListing(message, 'POST /graphql (pullRequest.commits)', listing.commitAuthors);
    gaps.push(message);
  }
  if (gaps.length > 0) facts.gaps = gaps;
  facts.reviews = listing.reviews;
  facts.commitAuthors = listing.commitAuthors;

  // The base config as the first query read it: what `ref` is chosen by.
  const configFiles: Unreadable[] = [];
  for (const expr of configExprs) collect(objects.get(expr) ?? null, configFiles, facts.configPath);
  const wanted = opts.fold?.ref ? opts.fold.ref(snapshotOf(configFiles, facts.configPath).config?.data ?? null) : null;
  const extra = wanted ? refSelection(wanted.branch, wanted.paths) : undefined;
  const snapshots = await readSnapshots(octokit, pull, relevant, facts.configPath, objects, extra);
  facts.base = snapshots.base;
  facts.head = snapshots.head;
  await lookUpMemberships(api, facts, opts);
  return { facts, comments, ref: wanted ? parseRefRead(wanted.branch, wanted.paths, snapshots.extra) : null };
}

/** The folded query, page after page while a connection's page was full. */
async function listPull(
  octokit: OctokitLike,
  pull: PullRef,
  first: PullPageRequest,
): Promise<{ listing: PullListing; objects: Map<string, ObjectRead | null> }> {
  const listing = emptyListing();
  const objects = new Map<string, ObjectRead | null>();
  let req: PullPageRequest = first;
  for (let n = 0; n < MAX_PULL_PAGES; n++) {
    const { query, variables } = pullPageQuery(req);
    let data: { repository: (Record<string, unknown> & { pullRequest?: RawPullPage | null }) | null };
    try {
      data = await octokit.graphql(query, { owner: pull.owner, name: pull.repo, number: pull.number, ...variables });
    } catch (err) {
      throw explainGraphqlError(err, { owner: pull.owner, repo: pull.repo });
    }
    if (!data?.repository)
      throw new GitHubApiError(
        `GitHub found no repository ${pull.owner}/${pull.repo} through GraphQL: the token cannot see it (it needs contents: read and pull-requests: read)`,
        null,
        'POST /graphql',
        undefined,
      );
    if (n === 0) {
      (req.objects ?? []).forEach((expr, i) => {
        objects.set(expr, toRead(expr.slice(expr.indexOf(':') + 1), (data.repository![`o${i}`] ?? null) as RawObject));
      });
    }
    const pr = data.repository.pullRequest;
    if (!pr)
      throw new GitHubApiError(
        `GitHub found no pull request #${pull.number} in ${pull.owner}/${pull.repo}: the token needs pull-requests: read`,
        null,
        'POST /graphql',
        undefined,
      );
    const next = addPullPage(listing, pr, coAuthorLogins);
    // Stop paging what is truncated anyway.
    if (listing.filesTotal >= MAX_LISTED_FILES) delete next.files;
    if (listing.commitsListed >= MAX_LISTED_COMMITS) delete next.commits;
    if (Object.keys(next).length === 0) return { listing, objects };
    req = next;
  }
  throw new GitHubApiError(
    `GitHub kept paging pull request #${pull.number} of ${pull.owner}/${pull.repo} past ${MAX_PULL_PAGES} pages: refusing to go on`,
    null,
    'POST /graphql',
    undefined,
  );
}

/** `ledger: ref(…) { target { … on Commit { oid tree { oid } p0: file(path: …) … } } }`, with its variables. */
function refSelection(branch: string, paths: readonly string[]): ExtraSelection {
  const variables: ExtraSelection['variables'] = { refName: { type: 'String!', value: `refs/heads/${branch}` } };
  const files = paths.map((p, i) => {
    variables[`p${i}`] = { type: 'String!', value: p };
    return `p${i}: file(path: $p${i}) { object { __typename ... on Blob { oid byteSize isBinary text } } }`;
  });
  return { selection: `ledgerRef: ref(qualifiedName: $refName) { target { __typename oid ... on Commit { tree { oid } ${files.join(' ')} } } }`, variables };
}

type RawRef = { target?: { __typename?: string; oid?: string; tree?: { oid: string } | null } & Record<string, unknown> } | null;

/** The branch's tip and files as answered; a file whose text did not come whole is left out (read it again). */
export function parseRefRead(branch: string, paths: readonly string[], repository: Record<string, unknown> | null): RefRead {
  const files = new Map<string, string | null>();
  const ref = (repository?.ledgerRef ?? null) as RawRef;
  const target = ref?.target;
  if (target?.__typename !== 'Commit' || !target.oid || !target.tree?.oid) return { branch, tip: null, files };
  paths.forEach((path, i) => {
    const entry = target[`p${i}`] as
      | { object?: { __typename?: string; byteSize?: number; isBinary?: boolean; text?: string | null } | null }
      | null
      | undefined;
    if (entry === undefined) return;
    if (entry === null) {
      files.set(path, null);
      return;
    }
    const obj = entry.object;
    if (obj?.__typename !== 'Blob' || obj.isBinary || typeof obj.text !== 'string' || Buffer.byteLength(obj.text) !== obj.byteSize) return;
    files.set(path, obj.text);
  });
  return { branch, tip: { commitSha: target.oid, treeSha: target.tree.oid }, files };
}

async function runLimited(tasks: (() => Promise<void>)[], limit: number): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < tasks.length) await tasks[next++]!();
  };
  await Promise.all(Array.from({ length: Math.min(limit, tasks.length) }, worker));
}

function mapStatus(status: string): ChangedFile['status'] | undefined {
  switch (status) {
    case 'added':
    case 'copied':
      return 'added';
    case 'removed':
      return 'removed';
    case 'renamed':
      return 'renamed';
    case 'modified':
    case 'changed':
      return 'modified';
    default:
      return undefined; // 'unchanged'
  }
}

/** GitHub's no-reply address carries the login: `12345+login@users.noreply.github.com`. */
export function coAuthorLogins(message: string): string[] {
  const out: string[] = [];
  for (const m of message.matchAll(/^co-authored-by:.*<(?:\d+\+)?([A-Za-z0-9-]+)@users\.noreply\.github\.com>\s*$/gim)) out.push(m[1]!);
  return out;
}

/** A listing GitHub cut short: the gate fails closed on it; the App records what it could read. */
export class TruncatedListing extends GitHubApiError {
  readonly partial: unknown[];
  constructor(message: string, route: string, partial: unknown[]) {
    super(message, null, route, undefined);
    this.partial = partial;
  }
}

/**
 * The access files a merge changed, from the trees of the merge commit and its first parent (for
 * a merge or squash commit, exactly what landed on the base branch). A rename shows as a removal
 * and an addition. A tree too large for one read is a gap: the files it hides are not compared.
 */
async function changedByTrees(octokit: OctokitLike, pull: PullRef, mergeSha: string, gaps: string[], configPath: string | undefined): Promise<ChangedFile[]> {
  const port = gitHubPort(octokit);
  const get = <T>(route: string, params: Record<string, unknown>, action: string): Promise<T> =>
    port.call<T>(route, params, { action, permission: 'contents: read', repo: { owner: pull.owner, repo: pull.repo } });
  type GitCommit = { tree: { sha: string }; parents: { sha: string }[] };
  type Tree = { tree: { path: string; type: string; sha: string }[]; truncated: boolean };
  const merge = await get<GitCommit>(
    'GET /repos/{owner}/{repo}/git/commits/{commit_sha}',
    { commit_sha: mergeSha },
    `reading merge commit ${mergeSha.slice(0, 7)}`,
  );
  const parentSha = merge.parents[0]?.sha;
  const parent = parentSha
    ? await get<GitCommit>('GET /repos/{owner}/{repo}/git/commits/{commit_sha}', { commit_sha: parentSha }, `reading commit ${parentSha.slice(0, 7)}`)
    : undefined;
  const blobs = async (treeSha: string | undefined): Promise<Map<string, string>> => {
    const out = new Map<string, string>();
    if (!treeSha) return out;
    const tree = await get<Tree>(
      'GET /repos/{owner}/{repo}/git/trees/{tree_sha}',
      { tree_sha: treeSha, recursive: '1' },
      `listing the tree ${treeSha.slice(0, 7)}`,
    );
    if (tree.truncated)
      gaps.push(`the tree of ${treeSha.slice(0, 7)} is too large for GitHub to list in one read: access files beyond what it listed are not compared`);
    for (const e of tree.tree) if (e.type === 'blob' && pullRoleOf(e.path, configPath) !== 'other') out.set(e.path, e.sha);
    return out;
  };
  const [before, after] = await Promise.all([blobs(parent?.tree.sha), blobs(merge.tree.sha)]);
  const files: ChangedFile[] = [];
  for (const [path, sha] of after) {
    const old = before.get(path);
    if (old === undefined) files.push({ path, status: 'added' });
    else if (old !== sha) files.push({ path, status: 'modified' });
  }
  for (const path of before.keys()) if (!after.has(path)) files.push({ path, status: 'removed' });
  return files.sort((a, b) => (a.path < b.path ? -1 : 1));
}

/** The REST calls, each explained on failure, and the run's membership caches. */
class PullApi {
  private readonly teamCache = new Map<string, Promise<boolean>>();
  private readonly orgCache = new Map<string, Promise<boolean>>();
  private readonly teamVisible = new Map<string, Promise<void>>();
  private readonly octokit: OctokitLike;
  private readonly port: GitHubPort;
  private readonly pull: PullRef;

  constructor(octokit: OctokitLike, pull: PullRef) {
    this.octokit = octokit;
    this.port = gitHubPort(octokit);
    this.pull = pull;
  }

  /**
   * Every page of one of the pull request's listings, up to `max` items: GitHub lists no more than
   * that (3,000 files, 250 commits), so reaching it is not an error but a listing that may be cut
   * short, which the callers turn into a gap or fail closed on, each as its own rule says.
   */
  private async pages<T>(route: string, action: string, permission: string, max: number): Promise<{ items: T[]; truncated: boolean }> {
    let seen = 0;
    const items = await this.port.paginate<T>(
      route,
      { pull_number: this.pull.number },
      {
        action,
        permission,
        forbidden: `the token needs ${permission} (in the workflow, grant it under \`permissions:\`)`,
        repo: { owner: this.pull.owner, repo: this.pull.repo },
      },
      {
        perPage: PER_PAGE,
        // Never the port's cap: the listing stops at `max` items first.
        maxPages: Math.ceil(max / PER_PAGE) + 1,
        stop: (page) => (seen += page.length) >= max,
      },
    );
    return { items, truncated: items.length >= max };
  }

  async files(): Promise<ChangedFile[]> {
    const route = 'GET /repos/{owner}/{repo}/pulls/{pull_number}/files';
    const { items, truncated } = await this.pages<{ filename: string; status: string; previous_filename?: string }>(
      route,
      "listing the pull request's changed files",
      'pull-requests: read',
      MAX_LISTED_FILES,
    );
    if (truncated) {
      throw new TruncatedListing(
        `pull request #${this.pull.number} changes ${MAX_LISTED_FILES} or more files, and GitHub lists no more than ${MAX_LISTED_FILES}: the gate cannot see every change, so it fails closed. Split the pull request`,
        route,
        [],
      );
    }
    const out: ChangedFile[] = [];
    for (const f of items) {
      const status = mapStatus(f.status);
      if (!status) continue;
      const file: ChangedFile = { path: f.filename, status };
      if (status === 'renamed' && f.previous_filename) file.previousPath = f.previous_filename;
      out.push(file);
    }
    return out;
  }

  async reviews(): Promise<PullReview[]> {
    const route = 'GET /repos/{owner}/{repo}/pulls/{pull_number}/reviews';
    // GitHub returns every review of a PR, however many; there is no listing cap to guard.
    const { items } = await this.pages<{
      user: { login: string; type?: string } | null;
      state: string;
      commit_id: string | null;
      submitted_at?: string | null;
    }>(route, "listing the pull request's reviews", 'pull-requests: read', Number.POSITIVE_INFINITY);
    const out: PullReview[] = [];
    for (const r of items) {
      if (!r.user) continue; // a deleted account ("ghost") cannot approve
      out.push({
        reviewer: r.user.login,
        reviewerIsBot: r.user.type === 'Bot',
        state: r.state as ReviewState,
        commitId: r.commit_id ?? '',
        submittedAt: r.submitted_at ?? '',
      });
    }
    return out;
  }

  async commitAuthors(): Promise<(string | null)[]> {
    const route = 'GET /repos/{owner}/{repo}/pulls/{pull_number}/commits';
    type Commit = { author: { login: string } | null; committer: { login: string } | null; commit?: { message?: string } };
    const { items, truncated } = await this.pages<Commit>(route, "listing the pull request's commits", 'pull-requests: read', MAX_LISTED_COMMITS);
    const out = new Set<string | null>();
    for (const c of items) {
      out.add(c.author?.login ?? null);
      out.add(c.committer?.login ?? null);
      for (const login of coAuthorLogins(c.commit?.message ?? '')) out.add(login);
    }
    if (truncated) {
      throw new TruncatedListing(
        `pull request #${this.pull.number} has ${MAX_LISTED_COMMITS} or more commits, and GitHub lists no more than ${MAX_LISTED_COMMITS}: the gate cannot tell who authored them all, so it fails closed. Squash or split the pull request`,
        route,
        [...out],
      );
    }
    return [...out];
  }

  isTeamMember(team: string, login: string): Promise<boolean> {
    const key = `${team} ${login}`;
    let hit = this.teamCache.get(key);
    if (!hit) {
      hit = this.lookupTeam(team, login);
      this.teamCache.set(key, hit);
    }
    return hit;
  }

  private async lookupTeam(team: string, login: string): Promise<boolean> {
    const [org, slug] = team.replace(/^@/, '').split('/') as [string, string];
    const route = 'GET /orgs/{org}/teams/{team_slug}/memberships/{username}';
    try {
      const res = await this.octokit.request(route, { org, team_slug: slug, username: login });
      return (res.data as { state?: string }).state === 'active';
    } catch (err) {
      const status = errorStatus(err);
      if (status === 404) {
        // Not a member, or a team the token cannot see: tell them apart once per team.
        await this.ensureTeamVisible(team, org, slug);
        return false;
      }
      throw this.membershipError(err, route, `reading whether ${login} is a member of ${team}`);
    }
  }

  private ensureTeamVisible(team: string, org: string, slug: string): Promise<void> {
    let hit = this.teamVisible.get(team);
    if (!hit) {
      const route = 'GET /orgs/{org}/teams/{team_slug}';
      hit = this.octokit.request(route, { org, team_slug: slug }).then(
        () => undefined,
        (err: unknown) => {
          if (errorStatus(err) === 404) {
            throw new GitHubApiError(
              `team ${team}, listed as approvers on the base branch, does not exist or the token cannot see it: fix the team name in systems/ or the config's admins, or ${APP_TOKEN_HINT}`,
              404,
              route,
              err,
            );
          }
          throw this.membershipError(err, route, `reading team ${team}`);
        },
      );
      this.teamVisible.set(team, hit);
    }
    return hit;
  }

  isOrgMember(org: string, login: string): Promise<boolean> {
    const key = `${org.toLowerCase()} ${login}`;
    let hit = this.orgCache.get(key);
    if (!hit) {
      hit = this.lookupOrg(org, login);
      this.orgCache.set(key, hit);
    }
    return hit;
  }

  private async lookupOrg(org: string, login: string): Promise<boolean> {
    const route = 'GET /orgs/{org}/members/{username}';
    try {
      // GitHub redirects (302) a caller who cannot see private members to the public check:
      // following it would call every private member a non-member, so the redirect is an answer.
      const res = await this.octokit.request(route, { org, username: login, request: { redirect: 'manual' } });
      if (res.status === 204) return true;
      if (res.status >= 300 && res.status < 400) {
        throw new GitHubApiError(
          `the token cannot see private members of the ${org} organization, so the gate cannot tell whether @${login} is a member: ${APP_TOKEN_HINT}`,
          res.status,
          route,
          undefined,
        );
      }
      throw new GitHubApiError(`GitHub answered ${res.status} while reading whether @${login} is a member of ${org}`, res.status, route, undefined);
    } catch (err) {
      if (err instanceof GitHubApiError) throw err;
      if (errorStatus(err) === 404) return false;
      throw this.membershipError(err, route, `reading whether @${login} is a member of ${org}`);
    }
  }

  private membershipError(err: unknown, route: string, action: string): GitHubApiError {
    return explainGitHubError(err, {
      action,
      route,
      owner: this.pull.owner,
      repo: this.pull.repo,
      permission: 'members: read',
      forbidden: `the token cannot read the organization's teams or members: ${APP_TOKEN_HINT}`,
    });
  }
}

interface Snapshots {
  base: Snapshot;
  head: Snapshot;
}

/** Everything the judge reads from files, in batched GraphQL queries. */
async function readSnapshots(
  octokit: GraphqlClient,
  pull: PullRef,
  relevant: ChangedFile[],
  configPath: string | undefined,
  pre: ReadonlyMap<string, ObjectRead | null> = new Map(),
  extra?: ExtraSelection,
): Promise<Snapshots & { extra: Record<string, unknown> | null }> {
  const base = pull.baseSha;
  const head = pull.headSha;
  const configPaths = configPath ? [configPath] : CONFIG_PATHS;
  const baseExprs = [...configPaths.map((p) => `${base}:${p}`), `${base}:systems`];
  const headExprs: string[] = [];
  for (const f of relevant) {
    const before = f.status === 'renamed' ? (f.previousPath ?? f.path) : f.path;
    // Base systems and config come whole from the expressions above.
    if (f.status !== 'added' && pullRoleOf(before, configPath) === 'grant') baseExprs.push(`${base}:${before}`);
    if (f.status !== 'removed' && pullRoleOf(f.path, configPath) !== 'other') headExprs.push(`${head}:${f.path}`);
  }
  const asked = await readObjectsWith(
    octokit,
    { owner: pull.owner, repo: pull.repo },
    [...baseExprs, ...headExprs].filter((e) => !pre.has(e)),
    extra,
  );
  const read = new Map([...pre, ...asked.objects]);

  const baseFiles: Unreadable[] = [];
  for (const expr of baseExprs) collect(read.get(expr) ?? null, baseFiles, configPath);
  const headFiles: Unreadable[] = [];
  for (const expr of headExprs) collect(read.get(expr) ?? null, headFiles, configPath);
  return { base: snapshotOf(baseFiles, configPath), head: snapshotOf(headFiles, configPath), extra: asked.extra };
}

/** A file as read: its content, or why it could not be read as text. */
interface Unreadable {
  path: string;
  blobSha: string;
  content?: string;
  problem?: string;
}

function collect(obj: ObjectRead | null, out: Unreadable[], configPath: string | undefined): void {
  if (!obj) return;
  if (obj.kind === 'tree') {
    for (const b of obj.blobs) if (pullRoleOf(b.path, configPath) === 'system') collect(b, out, configPath);
    return;
  }
  out.push(fromBlob(obj));
}

function fromBlob(b: BlobRead): Unreadable {
  if (b.byteSize > MAX_FILE_BYTES)
    return { path: b.path, blobSha: b.oid, problem: `the file is ${b.byteSize} bytes, over the 1 MiB limit: split it, one identity per file` };
  if (b.isBinary || b.text === null) return { path: b.path, blobSha: b.oid, problem: 'the file is binary, not YAML text: save it as UTF-8 text' };
  if (Buffer.byteLength(b.text) !== b.byteSize) {
    // GitHub's text is UTF-8; a length that does not match means it was cut short or re-encoded.
    return { path: b.path, blobSha: b.oid, problem: 'GitHub returned this file incomplete or not as UTF-8: save it as UTF-8 text under 1 MiB' };
  }
  return { path: b.path, blobSha: b.oid, content: b.text };
}

function snapshotOf(files: Unreadable[], configPath: string | undefined): Snapshot {
  const readable: RepoFile[] = [];
  const broken: Unreadable[] = [];
  let config: LoadedFile<RepoConfig> | undefined;
  for (const f of files) {
    if (f.problem) broken.push(f);
    else if (configPath && f.path === configPath) config = loadFile<RepoConfig>({ path: f.path, content: f.content!, blobSha: f.blobSha }, 'config');
    else readable.push({ path: f.path, content: f.content!, blobSha: f.blobSha });
  }
  const snapshot = buildSnapshot(readable);
  if (config) snapshot.config = config;
  for (const f of broken) {
    const loaded = unreadableFile(f);
    const role = pullRoleOf(f.path, configPath);
    if (role === 'config') snapshot.config ??= loaded as LoadedFile<RepoConfig>;
    else if (role === 'system') snapshot.systems.push(loaded as LoadedFile<System>);
    else if (role === 'grant') snapshot.grants.push(loaded as LoadedFile<Grant>);
  }
  snapshot.systems.sort((a, b) => a.path.localeCompare(b.path));
  snapshot.grants.sort((a, b) => a.path.localeCompare(b.path));
  return snapshot;
}

function unreadableFile(f: Unreadable): LoadedFile<never> {
  const start = { line: 1, column: 1 };
  return {
    path: f.path,
    blobSha: f.blobSha,
    source: { path: f.path, value: undefined, problems: [], locate: () => start },
    problems: [{ rule: 'schema', severity: 'error', file: f.path, ...start, message: f.problem!, controls: SCHEMA_CONTROLS }],
  };
}
