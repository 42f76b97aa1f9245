/**
 * JSON bodies in GitHub's shapes, built from state. One builder per schema of the REST description
 * (`simple-user`, `full-repository`, `pull-request`, ...); the contract test validates each against
 * @octokit/openapi so a client written against real GitHub reads them unchanged. Webhook payloads
 * reuse the same builders.
 */
import type { Sha } from './git.ts';
import {
  APP_MANIFEST_PERMISSIONS,
  GITHUB_WEB_FLOW,
  commitVerification,
  type AppInfo,
  type CheckRun,
  type CommitStatus,
  type Comment,
  type Installation,
  type Issue,
  type Label,
  type Org,
  type Pull,
  type Repo,
  type Review,
  type State,
  type Team,
  type User,
  type WorkflowRun,
} from './state.ts';

/** Where links in bodies point: `api` is this server (with the prefix the caller used), `web` is the HTML host. */
export interface Urls {
  api: string;
  web: string;
}

export function user(u: Urls, x: User): Record<string, unknown> {
  // Bot logins end in `[bot]`; GitHub percent-encodes the brackets in URLs.
  const api = `${u.api}/users/${encodeURIComponent(x.login)}`;
  return {
    login: x.login,
    id: x.id,
    node_id: x.nodeId,
    avatar_url: `https://avatars.githubusercontent.com/u/${x.id}?v=4`,
    gravatar_id: '',
    url: api,
    html_url: `${u.web}/${x.type === 'Bot' ? `apps/${x.login.replace(/\[bot\]$/, '')}` : x.login}`,
    followers_url: `${api}/followers`,
    following_url: `${api}/following{/other_user}`,
    gists_url: `${api}/gists{/gist_id}`,
    starred_url: `${api}/starred{/owner}{/repo}`,
    subscriptions_url: `${api}/subscriptions`,
    organizations_url: `${api}/orgs`,
    repos_url: `${api}/repos`,
    events_url: `${api}/events{/privacy}`,
    received_events_url: `${api}/received_events`,
    type: x.type,
    user_view_type: 'public',
    site_admin: false,
  };
}

export function orgSimple(u: Urls, org: Org): Record<string, unknown> {
  const a = org.account;
  const api = `${u.api}/orgs/${a.login}`;
  return {
    login: a.login,
    id: a.id,
    node_id: a.nodeId,
    url: api,
    repos_url: `${api}/repos`,
    events_url: `${api}/events`,
    hooks_url: `${api}/hooks`,
    issues_url: `${api}/issues`,
    members_url: `${api}/members{/member}`,
    public_members_url: `${api}/public_members{/member}`,
    avatar_url: `https://avatars.githubusercontent.com/u/${a.id}?v=4`,
    description: null,
  };
}

/** `repository`; with `full`, the `full-repository` of `GET /repos/{owner}/{repo}` (adds `organization`). */
export function repository(u: Urls, s: State, r: Repo, full = false): Record<string, unknown> {
  const api = `${u.api}/repos/${r.fullName}`;
  const html = `${u.web}/${r.fullName}`;
  const openIssues = [...r.issues.values()].filter((i) => i.state === 'open').length;
  const body: Record<string, unknown> = {
    id: r.id,
    node_id: r.nodeId,
    name: r.name,
    full_name: r.fullName,
    private: r.private,
    owner: user(u, r.owner),
    html_url: html,
    description: r.description,
    fork: false,
    url: api,
    archive_url: `${api}/{archive_format}{/ref}`,
    assignees_url: `${api}/assignees{/user}`,
    blobs_url: `${api}/git/blobs{/sha}`,
    branches_url: `${api}/branches{/branch}`,
    collaborators_url: `${api}/collaborators{/collaborator}`,
    comments_url: `${api}/comments{/number}`,
    commits_url: `${api}/commits{/sha}`,
    compare_url: `${api}/compare/{base}...{head}`,
    contents_url: `${api}/contents/{+path}`,
    contributors_url: `${api}/contributors`,
    deployments_url: `${api}/deployments`,
    downloads_url: `${api}/downloads`,
    events_url: `${api}/events`,
    forks_url: `${api}/forks`,
    git_commits_url: `${api}/git/commits{/sha}`,
    git_refs_url: `${api}/git/refs{/sha}`,
    git_tags_url: `${api}/git/tags{/sha}`,
    git_url: `git://github.com/${r.fullName}.git`,
    issue_comment_url: `${api}/issues/comments{/number}`,
    issue_events_url: `${api}/issues/events{/number}`,
    issues_url: `${api}/issues{/number}`,
    keys_url: `${api}/keys{/key_id}`,
    labels_url: `${api}/labels{/name}`,
    languages_url: `${api}/languages`,
    merges_url: `${api}/merges`,
    milestones_url: `${api}/milestones{/number}`,
    notifications_url: `${api}/notifications{?since,all,participating}`,
    pulls_url: `${api}/pulls{/number}`,
    releases_url: `${api}/releases{/id}`,
    ssh_url: `git@github.com:${r.fullName}.git`,
    stargazers_url: `${api}/stargazers`,
    statuses_url: `${api}/statuses/{sha}`,
    subscribers_url: `${api}/subscribers`,
    subscription_url: `${api}/subscription`,
    tags_url: `${api}/tags`,
    teams_url: `${api}/teams`,
    trees_url: `${api}/git/trees{/sha}`,
    clone_url: `${html}.git`,
    mirror_url: null,
    hooks_url: `${api}/hooks`,
    svn_url: html,
    homepage: null,
    language: null,
    forks_count: 0,
    forks: 0,
    stargazers_count: 0,
    watchers_count: 0,
    watchers: 0,
    size: 0,
    default_branch: r.defaultBranch,
    open_issues_count: openIssues,
    open_issues: openIssues,
    is_template: false,
    topics: [],
    has_issues: r.hasIssues,
    has_projects: false,
    has_wiki: false,
    has_pages: false,
    has_downloads: false,
    has_discussions: false,
    archived: false,
    disabled: false,
    visibility: r.private ? 'private' : 'public',
    pushed_at: r.pushedAt,
    created_at: r.createdAt,
    updated_at: r.pushedAt,
    permissions: { admin: false, maintain: false, push: true, triage: true, pull: true },
    allow_rebase_merge: true,
    allow_squash_merge: true,
    allow_merge_commit: true,
    allow_auto_merge: false,
    delete_branch_on_merge: false,
    allow_forking: false,
    web_commit_signoff_required: false,
    license: null,
    custom_properties: {},
    network_count: 0,
    subscribers_count: 0,
  };
  const org = full ? s.org(r.owner.login) : undefined;
  if (org) body.organization = user(u, org.account);
  return body;
}

export function label(u: Urls, r: Repo, l: Label): Record<string, unknown> {
  return {
    id: l.id,
    node_id: l.nodeId,
    url: `${u.api}/repos/${r.fullName}/labels/${encodeURIComponent(l.name)}`,
    name: l.name,
    description: l.description,
    color: l.color,
    default: l.default,
  };
}

/** OWNER for the repo's account, MEMBER for its org's members, else NONE (what GitHub shows a stranger). */
export function authorAssociation(s: State, r: Repo, x: User): string {
  if (x.id === r.owner.id) return 'OWNER';
  if (s.isOrgMember(r.owner.login, x.login)) return 'MEMBER';
  return 'NONE';
}

export function issue(u: Urls, s: State, r: Repo, i: Issue): Record<string, unknown> {
  const api = `${u.api}/repos/${r.fullName}/issues/${i.number}`;
  const body: Record<string, unknown> = {
    id: i.id,
    node_id: i.nodeId,
    url: api,
    repository_url: `${u.api}/repos/${r.fullName}`,
    labels_url: `${api}/labels{/name}`,
    comments_url: `${api}/comments`,
    events_url: `${api}/events`,
    html_url: `${u.web}/${r.fullName}/${i.pull ? 'pull' : 'issues'}/${i.number}`,
    number: i.number,
    state: i.state,
    state_reason: i.stateReason,
    title: i.title,
    body: i.body,
    user: user(u, i.user),
    labels: i.labels.map((n) => label(u, r, s.ensureLabel(r, n))),
    assignee: i.assignees[0] ? user(u, s.user(i.assignees[0])) : null,
    assignees: i.assignees.map((a) => user(u, s.user(a))),
    milestone: null,
    locked: i.locked,
    active_lock_reason: null,
    comments: i.comments.length,
    closed_at: i.closedAt,
    created_at: i.createdAt,
    updated_at: i.updatedAt,
    closed_by: i.closedBy ? user(u, i.closedBy) : null,
    author_association: authorAssociation(s, r, i.user),
  };
  if (i.pull) {
    const pr = `${u.web}/${r.fullName}/pull/${i.number}`;
    body.pull_request = {
      url: `${u.api}/repos/${r.fullName}/pulls/${i.number}`,
      html_url: pr,
      diff_url: `${pr}.diff`,
      patch_url: `${pr}.patch`,
      merged_at: i.pull.mergedAt,
    };
    body.draft = i.pull.draft;
  }
  return body;
}

export function comment(u: Urls, s: State, r: Repo, c: Comment): Record<string, unknown> {
  return {
    id: c.id,
    node_id: c.nodeId,
    url: `${u.api}/repos/${r.fullName}/issues/comments/${c.id}`,
    html_url: `${u.web}/${r.fullName}/issues/${c.issueNumber}#issuecomment-${c.id}`,
    issue_url: `${u.api}/repos/${r.fullName}/issues/${c.issueNumber}`,
    body: c.body,
    user: user(u, c.user),
    created_at: c.createdAt,
    updated_at: c.updatedAt,
    author_association: authorAssociation(s, r, c.user),
  };
}

function branchRef(u: Urls, s: State, r: Repo, ref: string, sha: Sha): Record<string, unknown> {
  return { label: `${r.owner.login}:${ref}`, ref, sha, user: user(u, r.owner), repo: repository(u, s, r) };
}

/** `pull-request-simple` (list items); `full` adds the `pull-request` counters and merge state. */
export function pull(u: Urls, s: State, r: Repo, i: Issue, full: boolean): Record<string, unknown> {
  const p = i.pull as Pull;
  const api = `${u.api}/repos/${r.fullName}/pulls/${i.number}`;
  const html = `${u.web}/${r.fullName}/pull/${i.number}`;
  const issueApi = `${u.api}/repos/${r.fullName}/issues/${i.number}`;
  const body: Record<string, unknown> = {
    url: api,
    id: i.id,
    node_id: i.nodeId,
    html_url: html,
    diff_url: `${html}.diff`,
    patch_url: `${html}.patch`,
    issue_url: issueApi,
    commits_url: `${api}/commits`,
    review_comments_url: `${api}/comments`,
    review_comment_url: `${u.api}/repos/${r.fullName}/pulls/comments{/number}`,
    comments_url: `${issueApi}/comments`,
    statuses_url: `${u.api}/repos/${r.fullName}/statuses/${p.headSha}`,
    number: i.number,
    state: i.state,
    locked: i.locked,
    title: i.title,
    user: user(u, i.user),
    body: i.body,
    labels: i.labels.map((n) => label(u, r, s.ensureLabel(r, n))),
    milestone: null,
    active_lock_reason: null,
    created_at: i.createdAt,
    updated_at: i.updatedAt,
    closed_at: i.closedAt,
    merged_at: p.mergedAt,
    merge_commit_sha: p.mergeCommitSha,
    assignee: i.assignees[0] ? user(u, s.user(i.assignees[0])) : null,
    assignees: i.assignees.map((a) => user(u, s.user(a))),
    requested_reviewers: [],
    requested_teams: [],
    head: branchRef(u, s, r, p.headRef, p.headSha),
    base: branchRef(u, s, r, p.baseRef, p.baseSha),
    _links: {
      self: { href: api },
      html: { href: html },
      issue: { href: issueApi },
      comments: { href: `${issueApi}/comments` },
      review_comments: { href: `${api}/comments` },
      review_comment: { href: `${u.api}/repos/${r.fullName}/pulls/comments{/number}` },
      commits: { href: `${api}/commits` },
      statuses: { href: `${u.api}/repos/${r.fullName}/statuses/${p.headSha}` },
    },
    author_association: authorAssociation(s, r, i.user),
    auto_merge: null,
    draft: p.draft,
  };
  if (full) {
    const files = s.pullFiles(r, i);
    const open = i.state === 'open';
    const mergeable = open ? s.mergeable(r, p) : null;
    Object.assign(body, {
      merged: p.merged,
      mergeable,
      rebaseable: mergeable,
      mergeable_state: open ? (mergeable ? 'clean' : 'dirty') : 'unknown',
      merged_by: p.mergedBy ? user(u, p.mergedBy) : null,
      comments: i.comments.length,
      review_comments: 0,
      maintainer_can_modify: false,
      commits: s.pullCommits(r, i).length,
      additions: files.reduce((n, f) => n + f.additions, 0),
      deletions: files.reduce((n, f) => n + f.deletions, 0),
      changed_files: files.length,
    });
  }
  return body;
}

export function review(u: Urls, s: State, r: Repo, number: number, x: Review): Record<string, unknown> {
  const html = `${u.web}/${r.fullName}/pull/${number}#pullrequestreview-${x.id}`;
  const prApi = `${u.api}/repos/${r.fullName}/pulls/${number}`;
  const body: Record<string, unknown> = {
    id: x.id,
    node_id: x.nodeId,
    user: user(u, x.user),
    body: x.body,
    state: x.state,
    html_url: html,
    pull_request_url: prApi,
    author_association: authorAssociation(s, r, x.user),
    _links: { html: { href: html }, pull_request: { href: prApi } },
    commit_id: x.commitId,
  };
  if (x.submittedAt) body.submitted_at = x.submittedAt;
  return body;
}

function gitPerson(p: { name: string; email: string; date: string }): Record<string, unknown> {
  return { name: p.name, email: p.email, date: p.date };
}

/** GitHub's own account, linked to commits it committed (`GitHub <noreply@github.com>`). */
const WEB_FLOW_USER: User = { login: 'web-flow', id: 19864447, nodeId: 'MDQ6VXNlcjE5ODY0NDQ3', type: 'User', name: 'GitHub', email: GITHUB_WEB_FLOW.email };

export function accountOf(s: State, email: string): User | undefined {
  return email.toLowerCase() === GITHUB_WEB_FLOW.email ? WEB_FLOW_USER : s.userByEmail(email);
}

export function gitCommit(u: Urls, r: Repo, sha: Sha): Record<string, unknown> {
  const c = r.git.commit(sha);
  if (!c) throw new Error(`not a commit: ${sha}`);
  const api = `${u.api}/repos/${r.fullName}`;
  return {
    sha,
    node_id: Buffer.from(`0:Commit${sha}`).toString('base64'),
    url: `${api}/git/commits/${sha}`,
    html_url: `${u.web}/${r.fullName}/commit/${sha}`,
    author: gitPerson(c.author),
    committer: gitPerson(c.committer),
    tree: { sha: c.tree, url: `${api}/git/trees/${c.tree}` },
    message: c.message,
    parents: c.parents.map((p) => ({ sha: p, url: `${api}/git/commits/${p}`, html_url: `${u.web}/${r.fullName}/commit/${p}` })),
    verification: commitVerification(c),
  };
}

/** The `commit` schema (REST commits and PR commits): git data plus the GitHub users behind the emails. */
export function commit(u: Urls, s: State, r: Repo, sha: Sha): Record<string, unknown> {
  const c = r.git.commit(sha);
  if (!c) throw new Error(`not a commit: ${sha}`);
  const api = `${u.api}/repos/${r.fullName}`;
  const author = accountOf(s, c.author.email);
  const committer = accountOf(s, c.committer.email);
  return {
    sha,
    node_id: Buffer.from(`0:Commit${sha}`).toString('base64'),
    url: `${api}/commits/${sha}`,
    html_url: `${u.web}/${r.fullName}/commit/${sha}`,
    comments_url: `${api}/commits/${sha}/comments`,
    commit: {
      url: `${api}/git/commits/${sha}`,
      author: gitPerson(c.author),
      committer: gitPerson(c.committer),
      message: c.message,
      tree: { sha: c.tree, url: `${api}/git/trees/${c.tree}` },
      comment_count: 0,
      verification: commitVerification(c),
    },
    author: author ? user(u, author) : null,
    committer: committer ? user(u, committer) : null,
    parents: c.parents.map((p) => ({ sha: p, url: `${api}/commits/${p}`, html_url: `${u.web}/${r.fullName}/commit/${p}` })),
  };
}

export function gitRef(u: Urls, r: Repo, ref: string, sha: Sha): Record<string, unknown> {
  const api = `${u.api}/repos/${r.fullName}`;
  return {
    ref,
    node_id: Buffer.from(`0:Ref${r.id}:${ref}`).toString('base64'),
    url: `${api}/git/${ref}`,
    object: { type: 'commit', sha, url: `${api}/git/commits/${sha}` },
  };
}

export function integration(u: Urls, s: State, a: AppInfo = s.app): Record<string, unknown> {
  return {
    id: a.id,
    slug: a.slug,
    node_id: Buffer.from(`0:App${a.id}`).toString('base64'),
    client_id: `Iv1.${a.id.toString(16).padStart(16, '0')}`,
    owner: user(u, a.owner),
    name: a.name,
    description: 'Access requests as pull requests, with an evidence ledger.',
    external_url: `${u.web}/apps/${a.slug}`,
    html_url: `${u.web}/apps/${a.slug}`,
    created_at: a.createdAt,
    updated_at: a.createdAt,
    permissions: APP_PERMISSIONS,
    events: ['pull_request', 'pull_request_review', 'organization', 'workflow_run', 'installation'],
    installations_count: s.installationsOf(a).length || 1,
  };
}

/** What app.yml asks for (also each installation's default). */
export const APP_PERMISSIONS: Record<string, string> = { ...APP_MANIFEST_PERMISSIONS };

export function installation(u: Urls, _s: State, i: Installation): Record<string, unknown> {
  return {
    id: i.id,
    account: user(u, i.account),
    repository_selection: i.repositorySelection,
    access_tokens_url: `${u.api}/app/installations/${i.id}/access_tokens`,
    repositories_url: `${u.api}/installation/repositories`,
    html_url: `${u.web}/${i.account.type === 'Organization' ? `organizations/${i.account.login}/` : ''}settings/installations/${i.id}`,
    app_id: i.app.id,
    app_slug: i.app.slug,
    target_id: i.account.id,
    target_type: i.account.type === 'Organization' ? 'Organization' : 'User',
    permissions: i.permissions,
    events: i.events,
    created_at: i.createdAt,
    updated_at: i.createdAt,
    single_file_name: null,
    has_multiple_single_files: false,
    single_file_paths: [],
    suspended_by: i.suspendedAt ? user(u, i.app.owner) : null,
    suspended_at: i.suspendedAt,
  };
}

export function team(u: Urls, org: Org, t: Team): Record<string, unknown> {
  const api = `${u.api}/organizations/${org.account.id}/team/${t.id}`;
  return {
    id: t.id,
    node_id: t.nodeId,
    url: api,
    html_url: `${u.web}/orgs/${org.account.login}/teams/${t.slug}`,
    name: t.name,
    slug: t.slug,
    description: t.description,
    privacy: 'closed',
    notification_setting: 'notifications_enabled',
    permission: 'pull',
    members_url: `${api}/members{/member}`,
    repositories_url: `${api}/repos`,
    type: 'organization',
    organization_id: org.account.id,
    parent: null,
  };
}

export function workflowRun(u: Urls, s: State, r: Repo, run: WorkflowRun): Record<string, unknown> {
  const api = `${u.api}/repos/${r.fullName}/actions/runs/${run.id}`;
  const c = r.git.commit(run.headSha);
  const repo = repository(u, s, r);
  return {
    id: run.id,
    name: run.name,
    node_id: run.nodeId,
    head_branch: run.headBranch,
    head_sha: run.headSha,
    path: run.path,
    display_title: c?.message.split('\n')[0] ?? run.name,
    run_number: run.runNumber,
    run_attempt: run.runAttempt,
    event: run.event,
    status: run.status,
    conclusion: run.conclusion,
    workflow_id: run.workflowId,
    check_suite_id: run.id + 1,
    check_suite_node_id: Buffer.from(`0:CheckSuite${run.id + 1}`).toString('base64'),
    url: api,
    html_url: `${u.web}/${r.fullName}/actions/runs/${run.id}`,
    pull_requests: [],
    created_at: run.createdAt,
    updated_at: run.updatedAt,
    run_started_at: run.createdAt,
    actor: user(u, run.actor),
    triggering_actor: user(u, run.actor),
    jobs_url: `${api}/jobs`,
    logs_url: `${api}/logs`,
    check_suite_url: `${u.api}/repos/${r.fullName}/check-suites/${run.id + 1}`,
    artifacts_url: `${api}/artifacts`,
    cancel_url: `${api}/cancel`,
    rerun_url: `${api}/rerun`,
    previous_attempt_url: null,
    workflow_url: `${u.api}/repos/${r.fullName}/actions/workflows/${run.workflowId}`,
    head_commit: c
      ? {
          id: run.headSha,
          tree_id: c.tree,
          message: c.message,
          timestamp: c.committer.date,
          author: { name: c.author.name, email: c.author.email },
          committer: { name: c.committer.name, email: c.committer.email },
        }
      : null,
    repository: repo,
    head_repository: repo,
  };
}

export function checkRun(u: Urls, s: State, r: Repo, c: CheckRun): Record<string, unknown> {
  const api = `${u.api}/repos/${r.fullName}/check-runs/${c.id}`;
  return {
    id: c.id,
    node_id: c.nodeId,
    head_sha: c.headSha,
    external_id: '',
    url: api,
    html_url: `${u.web}/${r.fullName}/runs/${c.id}`,
    details_url: `${u.web}/${r.fullName}/runs/${c.id}`,
    status: c.status,
    conclusion: c.conclusion,
    started_at: c.startedAt,
    completed_at: c.completedAt,
    output: { title: c.summary, summary: c.summary, text: null, annotations_count: 0, annotations_url: `${api}/annotations` },
    name: c.name,
    check_suite: { id: c.id + 1 },
    app: integration(u, s, c.app),
    pull_requests: [],
  };
}

/** `status`: one commit status, as the create and list endpoints answer. */
export function status(u: Urls, r: Repo, x: CommitStatus): Record<string, unknown> {
  return {
    url: `${u.api}/repos/${r.fullName}/statuses/${x.sha}`,
    avatar_url: `https://avatars.githubusercontent.com/u/${x.creator.id}?v=4`,
    id: x.id,
    node_id: x.nodeId,
    state: x.state,
    description: x.description,
    target_url: x.targetUrl,
    context: x.context,
    created_at: x.createdAt,
    updated_at: x.updatedAt,
    creator: user(u, x.creator),
  };
}

/** `combined-commit-status`: the latest status of each context on a commit, and their overall state. */
export function combinedStatus(u: Urls, s: State, r: Repo, sha: Sha, state: string, latest: CommitStatus[], totalCount: number): Record<string, unknown> {
  return {
    state,
    statuses: latest.map((x) => ({
      url: `${u.api}/repos/${r.fullName}/statuses/${x.sha}`,
      avatar_url: `https://avatars.githubusercontent.com/u/${x.creator.id}?v=4`,
      id: x.id,
      node_id: x.nodeId,
      state: x.state,
      description: x.description,
      target_url: x.targetUrl,
      context: x.context,
      created_at: x.createdAt,
      updated_at: x.updatedAt,
    })),
    sha,
    total_count: totalCount,
    repository: repository(u, s, r),
    commit_url: `${u.api}/repos/${r.fullName}/commits/${sha}`,
    url: `${u.api}/repos/${r.fullName}/commits/${sha}/status`,
  };
}

/**
 * `team-organization`: the organization as `GET /orgs/{org}/teams/{team_slug}` embeds it. The fake
 * has no org profile, so the profile fields carry the values of an org that never set them.
 */
export function teamOrganization(u: Urls, s: State, org: Org): Record<string, unknown> {
  const a = org.account;
  const repos = [...s.repos.values()].filter((r) => r.owner.id === a.id);
  return {
    ...orgSimple(u, org),
    name: a.name ?? a.login,
    html_url: `${u.web}/${a.login}`,
    is_verified: false,
    has_organization_projects: true,
    has_repository_projects: true,
    public_repos: repos.filter((r) => !r.private).length,
    public_gists: 0,
    followers: 0,
    following: 0,
    type: 'Organization',
    created_at: org.createdAt,
    updated_at: org.createdAt,
    archived_at: null,
  };
}

/** `team-full` (`GET /orgs/{org}/teams/{team_slug}`): the `team` fields plus counts, dates and the organization. */
export function teamFull(u: Urls, s: State, org: Org, t: Team): Record<string, unknown> {
  return {
    ...team(u, org, t),
    members_count: t.members.size,
    // The fake does not model team access to repositories.
    repos_count: 0,
    created_at: t.createdAt,
    updated_at: t.updatedAt,
    organization: teamOrganization(u, s, org),
  };
}
