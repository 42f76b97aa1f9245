/**
 * Pull requests as plain data: a base repo (config, systems, grants), the files the PR changes,
 * its reviews, commits and memberships, turned into the PullFacts an adapter would gather.
 * Each table case reads as "this PR, these reviews → this verdict, these findings".
 */
import { buildSnapshot, type RepoFile } from '../../src/core/model/snapshot.ts';
import type { ChangedFile, PullFacts, PullReview, ReviewState } from '../../src/core/pull/facts.ts';
import { judgePull, type GateResult, type JudgeOptions } from '../../src/core/pull/judge.ts';
import { loadBuiltinPacks } from '../../src/adapters/fs/packs.ts';

export const HEAD = 'a'.repeat(40);
export const OLD = 'c'.repeat(40);
export const BASE = 'b'.repeat(40);

export { TODAY, y, CONFIG, SYSTEMS } from '../support/access-repo-fixtures.ts';
import { TODAY, CONFIG, SYSTEMS } from '../support/access-repo-fixtures.ts';

export interface Entry {
  system?: string;
  role?: string;
  privileged?: boolean;
  expires?: string;
  jit?: number;
  justification?: string;
}

/**
 * A human grant. Line numbers: identity 1-5 (owner on 4, github on 5), `access:` on 6, and each
 * entry 5 lines (6 with privileged, +1 with jit) starting at 7.
 */
export function grant(id: string, entries: Entry[] = [{}], opts: { owner?: string; github?: string; extra?: string } = {}): string {
  let out = `identity:\n  id: ${id}\n  kind: human\n  owner: ${opts.owner ?? 'carol'}\n  github: ${opts.github ?? id}\naccess:\n`;
  for (const e of entries) {
    out += `  - system: ${e.system ?? 'db'}\n    role: ${e.role ?? 'readonly'}\n`;
    if (e.privileged !== undefined) out += `    privileged: ${e.privileged}\n`;
    out += `    justification: ${e.justification ?? 'Investigates incidents from production rows'}\n`;
    out += `    expires: ${e.expires ?? '2027-03-31'}\n`;
    if (e.jit !== undefined) out += `    jit: { max_duration_hours: ${e.jit} }\n`;
  }
  return out + (opts.extra ?? '');
}

export type ReviewSpec = [reviewer: string, state: ReviewState, commit?: 'head' | 'old', at?: string];

export interface Scenario {
  /** The base config (null: none on the base branch). */
  config?: string | null;
  systems?: Record<string, string>;
  /** Grant files on the base branch. */
  grants?: Record<string, string>;
  /** What the PR does: path → new content, or null to delete. */
  change: Record<string, string | null>;
  /** Renames: new path → old path (the new content comes from `change`). */
  renames?: Record<string, string>;
  author?: string;
  authorIsBot?: boolean;
  commitAuthors?: (string | null)[];
  reviews?: ReviewSpec[];
  /** Team → members; every other reviewer is known not to be a member. */
  teams?: Record<string, string[]>;
  /** Teams whose membership the adapter could not read. */
  unknownTeams?: string[];
  /** Org members (default: everyone); `unknown` leaves membership undetermined. */
  orgMembers?: string[] | 'unknown';
  configPath?: string;
}

function files(record: Record<string, string>): RepoFile[] {
  return Object.entries(record).map(([path, content]) => ({ path, content }));
}

export function factsOf(s: Scenario): PullFacts {
  const config = s.config === undefined ? CONFIG : s.config;
  const configPath = s.configPath ?? 'access-ledger.yaml';
  const baseFiles: Record<string, string> = { ...(s.systems ?? SYSTEMS), ...(s.grants ?? {}) };
  if (config !== null) baseFiles[configPath] = config;
  const renames = s.renames ?? {};
  const changed: ChangedFile[] = [];
  const headFiles: Record<string, string> = {};
  const baseOfChanged: Record<string, string> = {};
  for (const [path, content] of Object.entries(s.change)) {
    const before = renames[path] ?? path;
    const existed = before in baseFiles;
    if (content === null) changed.push({ path, status: 'removed' });
    else if (renames[path]) changed.push({ path, status: 'renamed', previousPath: before });
    else changed.push({ path, status: existed ? 'modified' : 'added' });
    if (content !== null) headFiles[path] = content;
    if (existed) baseOfChanged[before] = baseFiles[before]!;
  }
  // The base snapshot holds config and all systems, but of the grants only the changed ones.
  const base: Record<string, string> = {};
  for (const [path, content] of Object.entries(baseFiles)) if (!path.startsWith('grants/')) base[path] = content;
  Object.assign(base, baseOfChanged);
  const load = (record: Record<string, string>) => {
    const snap = buildSnapshot(files(record).map((f) => (f.path === configPath ? { ...f, path: 'access-ledger.yaml' } : f)));
    if (snap.config && configPath !== 'access-ledger.yaml') snap.config.path = configPath;
    return snap;
  };

  const reviews: PullReview[] = (s.reviews ?? []).map(([reviewer, state, commit, at], i) => ({
    reviewer,
    reviewerIsBot: /\[bot\]$/.test(reviewer),
    state,
    commitId: commit === 'old' ? OLD : HEAD,
    submittedAt: at ?? `2026-11-26T10:${String(i).padStart(2, '0')}:00Z`,
  }));
  const teamMembership: PullFacts['teamMembership'] = {};
  const everyone = new Set(reviews.map((r) => r.reviewer.toLowerCase()));
  for (const [team, members] of Object.entries(s.teams ?? {})) {
    const m: Record<string, boolean> = {};
    for (const login of everyone) m[login] = false;
    for (const login of members) m[login.toLowerCase()] = true;
    teamMembership[team.toLowerCase()] = m;
  }
  for (const team of ['@acme/dba', '@acme/it', '@acme/security']) {
    if (teamMembership[team] || s.unknownTeams?.includes(team)) continue;
    teamMembership[team] = Object.fromEntries([...everyone].map((l) => [l, false]));
  }
  const orgMembership: Record<string, boolean> = {};
  if (s.orgMembers !== 'unknown') {
    const logins = new Set<string>();
    for (const content of Object.values(headFiles)) for (const m of content.matchAll(/^\s*(?:owner|github): (\S+)/gm)) logins.add(m[1]!.toLowerCase());
    for (const l of logins) orgMembership[l] = s.orgMembers ? s.orgMembers.map((x) => x.toLowerCase()).includes(l) : true;
  }
  const facts: PullFacts = {
    number: 7,
    author: s.author ?? 'alice',
    headSha: HEAD,
    baseSha: BASE,
    files: changed,
    base: load(base),
    head: load(headFiles),
    reviews,
    commitAuthors: s.commitAuthors ?? [s.author ?? 'alice'],
    teamMembership,
    orgMembership,
  };
  if (s.configPath) facts.configPath = s.configPath;
  if (s.authorIsBot) facts.authorIsBot = true;
  return facts;
}

export function judge(s: Scenario, opts: Partial<JudgeOptions> = {}): GateResult {
  return judgePull(factsOf(s), { packs: loadBuiltinPacks(), today: TODAY, ...opts });
}

/** Findings as `rule file:line message`, for readable failures. */
export function show(r: GateResult): string[] {
  return r.findings.map((f) => `${f.severity} ${f.rule} ${f.file ?? ''}:${f.line ?? ''} ${f.message}`);
}
