/**
 * Who wrote a ledger commit (docs/ledger.md, "Authorship and time"). The App commits through
 * GitHub's Git Data API without naming an author, so GitHub makes its bot account the author
 * (`<slug>[bot] <<id>+<slug>[bot]@users.noreply.github.com>`) and either the bot or GitHub itself
 * (`GitHub <noreply@github.com>`, the account GitHub signs API commits with) the committer.
 * Anything else on the ledger branch was written by someone else.
 *
 * Pure: the git and GitHub adapters hand in what they read.
 */

/** A git identity as a commit records it. */
export interface GitPerson {
  name: string;
  email: string;
  /** ISO 8601 UTC. */
  date: string;
}

/** Clocks of the App, GitHub and replicas may disagree a little; times closer than this are not judged. */
export const CLOCK_TOLERANCE_MS = 5 * 60_000;

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The App's bot identity: name `<login>`, e-mail `<digits>+<login>@users.noreply.<host>`. */
export function isAppIdentity(p: Pick<GitPerson, 'name' | 'email'>, appLogin: string): boolean {
  if (p.name.toLowerCase() !== appLogin.toLowerCase()) return false;
  return new RegExp(`^\\d+\\+${escapeRe(appLogin)}@users\\.noreply\\.[a-z0-9.-]+$`, 'i').test(p.email);
}

/** GitHub's own committer identity for the commits it signs (`web-flow`). */
export function isGitHubIdentity(p: Pick<GitPerson, 'name' | 'email'>): boolean {
  return p.name === 'GitHub' && /^noreply@[a-z0-9.-]+$/i.test(p.email);
}

const who = (p: Pick<GitPerson, 'name' | 'email'>): string => `${p.name} <${p.email}>`;

/** Why a commit's author or committer is not the App, or null when both are. */
export function authorshipProblem(author: Pick<GitPerson, 'name' | 'email'>, committer: Pick<GitPerson, 'name' | 'email'>, appLogin: string): string | null {
  const problems: string[] = [];
  if (!isAppIdentity(author, appLogin)) problems.push(`is authored by ${who(author)}`);
  if (!isAppIdentity(committer, appLogin) && !isGitHubIdentity(committer)) problems.push(`is committed by ${who(committer)}`);
  if (problems.length === 0) return null;
  return `${problems.join(' and ')}, not by the App (${appLogin}): only the App writes the ledger branch`;
}

/** A commit as GitHub's commits API reports it (`GET /repos/{owner}/{repo}/commits`). */
export interface ApiCommit {
  sha: string;
  author: { login: string } | null;
  committer: { login: string } | null;
  commit: {
    author: { name?: string | null; email?: string | null; date?: string | null } | null;
    committer: { name?: string | null; email?: string | null; date?: string | null } | null;
    verification?: { verified: boolean; reason: string } | null;
  };
}

/** What the App knows of the commit that wrote a record, as an anomaly record keeps it. */
export interface CommitFacts {
  sha: string;
  author: { name: string; email: string; login: string | null; date: string | null };
  committer: { name: string; email: string; login: string | null; date: string | null };
  /** GitHub's verdict on the commit's signature; null when GitHub did not report one. */
  verified: boolean | null;
  verification_reason: string | null;
}

export function commitFacts(c: ApiCommit): CommitFacts {
  const person = (p: ApiCommit['commit']['author'], u: { login: string } | null) => ({
    name: p?.name ?? '',
    email: p?.email ?? '',
    login: u?.login ?? null,
    date: p?.date ?? null,
  });
  return {
    sha: c.sha,
    author: person(c.commit.author, c.author),
    committer: person(c.commit.committer, c.committer),
    verified: c.commit.verification ? c.commit.verification.verified : null,
    verification_reason: c.commit.verification ? c.commit.verification.reason : null,
  };
}

/**
 * Whether GitHub reports `c` as written by the App: author and committer as `authorshipProblem`
 * wants them, the accounts GitHub links them to are the App's bot (and `web-flow` for GitHub as
 * committer), and the commit's signature verified. An unsigned commit is accepted only when
 * GitHub reports it `unsigned` and the App itself is the committer (a GitHub that does not sign
 * App commits, as GitHub Enterprise Server without a web-commit signing key); the record's own
 * signature is then what proves it. Returns why not, or null.
 */
export function apiCommitProblem(c: ApiCommit, appLogin: string): string | null {
  const f = commitFacts(c);
  const text = authorshipProblem(f.author, f.committer, appLogin);
  if (text) return `commit ${c.sha.slice(0, 12)} ${text}`;
  const login = appLogin.toLowerCase();
  if (f.author.login?.toLowerCase() !== login)
    return `commit ${c.sha.slice(0, 12)} is not linked to the App's account by GitHub (author account: ${f.author.login ?? 'none'})`;
  const byGitHub = isGitHubIdentity(f.committer);
  const committerOk = byGitHub ? f.committer.login === 'web-flow' : f.committer.login?.toLowerCase() === login;
  if (!committerOk) return `commit ${c.sha.slice(0, 12)} is committed as ${f.committer.name} but GitHub links it to ${f.committer.login ?? 'no account'}`;
  if (f.verified === true) return null;
  if (f.verified === null) return byGitHub ? `commit ${c.sha.slice(0, 12)} claims GitHub as committer but GitHub reports no signature for it` : null;
  if (!byGitHub && f.verification_reason === 'unsigned') return null;
  return `commit ${c.sha.slice(0, 12)} is not verified by GitHub (${f.verification_reason ?? 'no reason given'}): the App's commits are signed by GitHub`;
}
