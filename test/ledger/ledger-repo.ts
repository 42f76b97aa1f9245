/**
 * An access repo on the stateful fake GitHub, seen from the ledger's side: a client for the App's
 * installation, the ledger branch's history and files as git holds them, the requests this repo
 * was sent (repo-relative, percent-decoded, with their bodies), and another writer's commit on
 * the branch (a second App replica, or a push by someone else).
 */
import { Octokit } from '@octokit/core';
import { startFakeGitHub, type FakeGitHub } from '../support/fake-github/index.ts';
import type { Repo } from '../support/fake-github/index.ts';
import type { Person } from '../support/fake-github/git.ts';

export interface LoggedRequest {
  method: string;
  /** Relative to the repository (`/git/ref/heads/access-ledger`), percent-decoded. */
  path: string;
  body: unknown;
}

export interface LedgerRepo {
  gh: FakeGitHub;
  owner: string;
  repo: string;
  fullName: string;
  /** The App's installation client (no retries: each request the product sends is one the fake sees). */
  octokit: Octokit;
  /** The requests sent to this repository since the last `clearLog()`. */
  log(): LoggedRequest[];
  clearLog(): void;
  /** Requests of one method, optionally whose repo-relative path matches. */
  count(method: string, pattern?: RegExp): number;
  /** The branch's tip, or undefined. */
  tip(branch?: string): string | undefined;
  /** First-parent history of a branch, oldest first. */
  history(branch?: string): string[];
  /** Every file of a commit, path -> UTF-8 content. */
  files(commit: string): Map<string, string>;
  commit(sha: string): { tree: string; parents: string[]; message: string };
  /**
   * Another writer's commit on top of the branch: by default a second replica of the App (its bot,
   * committed and signed by GitHub), or with `by` a push by someone else (unsigned, as they wrote it).
   */
  foreignCommit(branch: string, files: Record<string, string>, message?: string, by?: { name: string; email: string; login: string }): string;
  /** Points the branch at a new root commit of these files (a branch that was never a ledger). */
  plantBranch(branch: string, files: Record<string, string>): string;
}

/** Starts a fake GitHub (unless given one) with `acme/<repo>` (the App installed on acme) and returns the view above. */
export async function ledgerRepo(
  repo: string,
  opts: { owner?: string; now?: () => Date /** Another repository on a fake already running. */; gh?: FakeGitHub } = {},
): Promise<LedgerRepo> {
  const owner = opts.owner ?? 'acme';
  const gh = opts.gh ?? (await startFakeGitHub(opts.now ? { now: opts.now } : {}));
  if (!gh.state.org(owner)) gh.state.createOrg(owner);
  const fullName = `${owner}/${repo}`;
  const r: Repo = gh.state.createRepo(fullName, { files: { 'access-ledger.yaml': 'version: 1\n' } });
  const token = gh.createInstallationToken(gh.state.installationFor(owner)!.id);
  const octokit = new Octokit({ baseUrl: gh.url, auth: token, request: { retries: 0 } });
  const prefix = `/repos/${fullName}`;
  let from = 0;
  const mine = () => gh.requests.slice(from).filter((q) => decode(q.path).toLowerCase().startsWith(`${prefix.toLowerCase()}/`));

  const ref = (branch: string) => `refs/heads/${branch}`;
  const view: LedgerRepo = {
    gh,
    owner,
    repo,
    fullName,
    octokit,
    log: () => mine().map((q) => ({ method: q.method, path: decode(q.path).slice(prefix.length), body: q.body })),
    clearLog: () => {
      from = gh.requests.length;
    },
    count: (method, pattern) => view.log().filter((q) => q.method === method && (!pattern || pattern.test(q.path))).length,
    tip: (branch = 'access-ledger') => r.refs.get(ref(branch)),
    history: (branch = 'access-ledger') => {
      const out: string[] = [];
      for (let sha = r.refs.get(ref(branch)); sha; sha = r.git.commit(sha)?.parents[0]) out.unshift(sha);
      return out;
    },
    files: (commit) => new Map(Object.entries(gh.state.readTree(fullName, commit) ?? {})),
    commit: (sha) => {
      const c = r.git.commit(sha);
      if (!c) throw new Error(`no commit ${sha}`);
      return { tree: c.tree, parents: c.parents, message: c.message };
    },
    foreignCommit: (branch, files, message = 'foreign', by) => {
      const tip = r.refs.get(ref(branch));
      if (!tip) throw new Error(`no branch ${branch}`);
      if (by) {
        gh.state.createUser(by.login, { name: by.name, email: by.email });
        const person: Person = { name: by.name, email: by.email, date: gh.state.timestamp() };
        return gh.state.commitFiles(fullName, branch, files, { author: person, committer: person, message });
      }
      const tree = r.git.updateTree(
        r.git.commit(tip)?.tree,
        Object.entries(files).map(([path, content]) => ({ path, mode: '100644', type: 'blob' as const, sha: r.git.writeBlob(content) })),
      );
      const sha = gh.state.writeGitHubCommit(r, { tree, parents: [tip], author: gh.state.person(gh.state.app.bot.login), message });
      gh.state.setRef(r, ref(branch), sha);
      return sha;
    },
    plantBranch: (branch, files) => gh.state.commitFiles(fullName, branch, files, { parent: null, force: true, message: 'site' }),
  };
  view.clearLog();
  return view;
}

function decode(path: string): string {
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}
