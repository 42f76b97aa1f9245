/**
 * How a repository is protected, as the read endpoints show it: classic branch protection (admins
 * only), the active rules for a branch and a ruleset's details (its bypass list only for callers
 * who can edit it), collaborators, deployment environments, and the errors GitHub finds in
 * CODEOWNERS.
 */
import { HttpError, notFound } from '../errors.ts';
import { json, list, paginate, repoOf, type Ctx, type Route } from '../http.ts';
import { ROLE_RANK, rulesetApplies, type ClassicProtection, type RepoRole, type Ruleset } from '../protection.ts';
import * as shape from '../shapes.ts';
import type { Repo, State } from '../state.ts';

/** A repository admin's token, or an installation with Administration access. */
function canAdminister(ctx: Ctx, repo: Repo): boolean {
  if (ctx.actor.kind === 'user') return ctx.state.roleOf(repo, ctx.actor.user.login) === 'admin';
  if (ctx.actor.kind === 'installation') return ['read', 'write'].includes((ctx.actor.permissions ?? ctx.actor.installation.permissions).administration ?? '');
  return false;
}

export function requireAdmin(ctx: Ctx, repo: Repo): void {
  if (canAdminister(ctx, repo)) return;
  if (ctx.actor.kind === 'installation') throw new HttpError(403, 'Resource not accessible by integration');
  throw new HttpError(403, 'Must have admin rights to Repository.');
}

function protectionShape(ctx: Ctx, repo: Repo, branch: string, p: ClassicProtection): Record<string, unknown> {
  const url = `${ctx.urls.api}/repos/${repo.fullName}/branches/${encodeURIComponent(branch)}/protection`;
  const body: Record<string, unknown> = {
    url,
    required_signatures: { url: `${url}/required_signatures`, enabled: false },
    enforce_admins: { url: `${url}/enforce_admins`, enabled: p.enforceAdmins },
    required_linear_history: { enabled: false },
    allow_force_pushes: { enabled: p.allowForcePushes },
    allow_deletions: { enabled: p.allowDeletions },
    block_creations: { enabled: p.blockCreations },
    required_conversation_resolution: { enabled: false },
    lock_branch: { enabled: false },
    allow_fork_syncing: { enabled: false },
  };
  if (p.requiredChecks.length > 0) {
    body.required_status_checks = {
      url: `${url}/required_status_checks`,
      strict: p.strict,
      contexts: p.requiredChecks.map((c) => c.context),
      contexts_url: `${url}/required_status_checks/contexts`,
      // app_id: the App the check must come from; null: any source.
      checks: p.requiredChecks.map((c) => ({ context: c.context, app_id: c.appId })),
    };
  }
  if (p.reviews) {
    body.required_pull_request_reviews = {
      url: `${url}/required_pull_request_reviews`,
      dismiss_stale_reviews: p.reviews.dismissStale,
      require_code_owner_reviews: p.reviews.codeOwners,
      required_approving_review_count: p.reviews.count,
      require_last_push_approval: p.reviews.lastPush,
    };
  }
  if (p.restrictions) {
    const org = ctx.state.org(repo.owner.login);
    body.restrictions = {
      url: `${url}/restrictions`,
      users_url: `${url}/restrictions/users`,
      teams_url: `${url}/restrictions/teams`,
      apps_url: `${url}/restrictions/apps`,
      users: p.restrictions.users.map((l) => shape.user(ctx.urls, ctx.state.user(l))),
      teams: p.restrictions.teams.flatMap((slug) => {
        const t = org?.teams.get(slug.toLowerCase());
        return t && org ? [shape.team(ctx.urls, org, t)] : [];
      }),
      apps: p.restrictions.apps.flatMap((slug) => {
        const app = ctx.state.appBySlug(slug);
        return app ? [shape.integration(ctx.urls, ctx.state, app)] : [];
      }),
    };
  }
  return body;
}

function rulesetShape(ctx: Ctx, repo: Repo, r: Ruleset, admin: boolean): Record<string, unknown> {
  const self = `${ctx.urls.api}/repos/${repo.fullName}/rulesets/${r.id}`;
  const actor = ctx.actor;
  const mine = actor.kind === 'installation' && r.bypass.some((b) => b.actorType === 'Integration' && b.actorId === actor.installation.app.id);
  return {
    id: r.id,
    name: r.name,
    target: 'branch',
    source_type: 'Repository',
    source: repo.fullName,
    enforcement: r.enforcement,
    ...(admin ? { bypass_actors: r.bypass.map((b) => ({ actor_id: b.actorId, actor_type: b.actorType, bypass_mode: b.bypassMode ?? 'always' })) } : {}),
    current_user_can_bypass: mine ? 'always' : 'never',
    node_id: Buffer.from(`0:RepositoryRuleset${r.id}`).toString('base64').replace(/=+$/, ''),
    _links: { self: { href: self }, html: { href: `${ctx.urls.web}/${repo.fullName}/rules/${r.id}` } },
    conditions: { ref_name: { include: r.include, exclude: r.exclude } },
    rules: r.rules,
    created_at: r.createdAt,
    updated_at: r.createdAt,
  };
}

function pushersOf(state: State, repo: Repo): { login: string; role: RepoRole }[] {
  const out = new Map<string, RepoRole>();
  for (const [login, role] of repo.collaborators) out.set(login, role);
  const org = state.org(repo.owner.login);
  for (const [login, m] of org?.members ?? []) if (m.state === 'active' && m.role === 'admin') out.set(login, 'admin');
  return [...out].map(([login, role]) => ({ login: state.user(login).login, role })).sort((a, b) => a.login.localeCompare(b.login));
}

function directOf(state: State, repo: Repo): { login: string; role: RepoRole }[] {
  return [...repo.collaborators].map(([login, role]) => ({ login: state.user(login).login, role })).sort((a, b) => a.login.localeCompare(b.login));
}

const PERMISSION_FILTER: Readonly<Record<string, RepoRole>> = { pull: 'read', triage: 'triage', push: 'write', maintain: 'maintain', admin: 'admin' };

function environmentOf(ctx: Ctx, repo: Repo) {
  const env = repo.environments.get((ctx.params.environment_name ?? '').toLowerCase());
  if (!env) throw notFound();
  return env;
}

/** Owners GitHub cannot resolve: a team that is not the repository owner's, or an account without access. */
function codeownersErrors(state: State, repo: Repo, path: string, text: string): Record<string, unknown>[] {
  const errors: Record<string, unknown>[] = [];
  text.split('\n').forEach((raw, i) => {
    const content = raw.replace(/(^|\s)#.*$/, '');
    const parts = content.trim().split(/\s+/).filter(Boolean);
    for (const owner of parts.slice(1)) {
      if (owner.includes('@') && !owner.startsWith('@')) continue; // an e-mail address
      const m = /^@([^/]+)(?:\/(.+))?$/.exec(owner);
      const known = m
        ? m[2]
          ? m[1]!.toLowerCase() === repo.owner.login.toLowerCase() && state.team(m[1]!, m[2]) !== undefined
          : state.users.has(m[1]!.toLowerCase()) && state.roleOf(repo, m[1]!) !== null
        : false;
      if (known) continue;
      const column = raw.indexOf(owner) + 1;
      errors.push({
        line: i + 1,
        column,
        kind: 'Unknown owner',
        source: raw,
        suggestion: `make sure ${owner} exists and has write access to the repository`,
        message: `Unknown owner on line ${i + 1}: make sure ${owner} exists and has write access to the repository\n\n  ${raw}\n  ${' '.repeat(column - 1)}^`,
        path,
      });
    }
  });
  return errors;
}

const CODEOWNERS_PATHS = ['.github/CODEOWNERS', 'CODEOWNERS', 'docs/CODEOWNERS'];

export const protectionRoutes: Route[] = [
  {
    method: 'GET',
    path: '/repos/{owner}/{repo}/branches/{branch}/protection',
    operationId: 'repos/get-branch-protection',
    handler: (ctx) => {
      const repo = repoOf(ctx);
      requireAdmin(ctx, repo);
      const branch = ctx.params.branch ?? '';
      if (!repo.refs.has(`refs/heads/${branch}`)) throw new HttpError(404, 'Branch not found');
      const p = repo.protection.get(branch);
      if (!p) throw new HttpError(404, 'Branch not protected');
      return json(200, protectionShape(ctx, repo, branch, p));
    },
  },
  {
    // The branch need not exist: the rules that would apply to a branch of that name.
    method: 'GET',
    path: '/repos/{owner}/{repo}/rules/branches/{branch}',
    operationId: 'repos/get-branch-rules',
    handler: (ctx) => {
      const repo = repoOf(ctx);
      const branch = ctx.params.branch ?? '';
      const rules = repo.rulesets
        .filter((r) => rulesetApplies(r, branch, repo.defaultBranch))
        .flatMap((r) => r.rules.map((rule) => ({ ...rule, ruleset_source_type: 'Repository', ruleset_source: repo.fullName, ruleset_id: r.id })));
      const page = paginate(ctx, rules);
      return json(200, page.items, page.headers);
    },
  },
  {
    method: 'GET',
    path: '/repos/{owner}/{repo}/rulesets/{ruleset_id}',
    operationId: 'repos/get-repo-ruleset',
    handler: (ctx) => {
      const repo = repoOf(ctx);
      const r = repo.rulesets.find((x) => x.id === Number(ctx.params.ruleset_id));
      if (!r) throw notFound();
      return json(200, rulesetShape(ctx, repo, r, canAdminister(ctx, repo)));
    },
  },
  {
    method: 'GET',
    path: '/repos/{owner}/{repo}/collaborators',
    operationId: 'repos/list-collaborators',
    handler: (ctx) => {
      const repo = repoOf(ctx);
      if (ctx.actor.kind === 'user' && ROLE_RANK[ctx.state.roleOf(repo, ctx.actor.user.login) ?? 'read'] < ROLE_RANK.write) {
        throw new HttpError(403, 'Must have push access to view repository collaborators.');
      }
      const want = PERMISSION_FILTER[ctx.query.get('permission') ?? 'pull'] ?? 'read';
      // affiliation: outside (collaborators who are not organization members), direct (collaborators), all (and organization admins).
      const affiliation = ctx.query.get('affiliation') ?? 'all';
      const org = ctx.state.org(repo.owner.login);
      const people = (affiliation === 'all' ? pushersOf(ctx.state, repo) : directOf(ctx.state, repo))
        .filter((p) => affiliation !== 'outside' || (org !== undefined && !ctx.state.isOrgMember(org.account.login, p.login)))
        .filter((p) => ROLE_RANK[p.role] >= ROLE_RANK[want]);
      return list(ctx, people, (p) => {
        const rank = ROLE_RANK[p.role];
        return {
          ...shape.user(ctx.urls, ctx.state.user(p.login)),
          permissions: { pull: true, triage: rank >= 2, push: rank >= 3, maintain: rank >= 4, admin: rank >= 5 },
          role_name: p.role,
        };
      });
    },
  },
  {
    method: 'GET',
    path: '/repos/{owner}/{repo}/environments/{environment_name}',
    operationId: 'repos/get-environment',
    handler: (ctx) => {
      const repo = repoOf(ctx);
      const env = environmentOf(ctx, repo);
      return json(200, {
        id: env.id,
        node_id: Buffer.from(`0:Environment${env.id}`).toString('base64').replace(/=+$/, ''),
        name: env.name,
        url: `${ctx.urls.api}/repos/${repo.fullName}/environments/${encodeURIComponent(env.name)}`,
        html_url: `${ctx.urls.web}/${repo.fullName}/deployments/activity_log?environments_filter=${encodeURIComponent(env.name)}`,
        created_at: env.createdAt,
        updated_at: env.createdAt,
        protection_rules: env.policy ? [{ id: env.id + 1, node_id: 'GA_branch_policy', type: 'branch_policy' }] : [],
        deployment_branch_policy: env.policy
          ? { protected_branches: env.policy.protectedBranches, custom_branch_policies: env.policy.customBranchPolicies }
          : null,
      });
    },
  },
  {
    method: 'GET',
    path: '/repos/{owner}/{repo}/environments/{environment_name}/deployment-branch-policies',
    operationId: 'repos/list-deployment-branch-policies',
    handler: (ctx) => {
      const repo = repoOf(ctx);
      const env = environmentOf(ctx, repo);
      const page = paginate(ctx, env.branchPolicies);
      return json(
        200,
        { total_count: env.branchPolicies.length, branch_policies: page.items.map((p) => ({ id: p.id, node_id: `DBP_${p.id}`, name: p.name, type: p.type })) },
        page.headers,
      );
    },
  },
  {
    method: 'GET',
    path: '/repos/{owner}/{repo}/codeowners/errors',
    operationId: 'repos/codeowners-errors',
    handler: (ctx) => {
      const repo = repoOf(ctx);
      const ref = ctx.query.get('ref') ?? repo.defaultBranch;
      if (!ctx.state.resolve(repo, ref)) throw notFound();
      for (const path of CODEOWNERS_PATHS) {
        const text = ctx.state.readFile(repo.fullName, ref, path);
        if (text !== undefined) return json(200, { errors: codeownersErrors(ctx.state, repo, path, text) });
      }
      throw notFound();
    },
  },
];
