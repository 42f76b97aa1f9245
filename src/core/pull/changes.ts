/**
 * What a pull request changes, in the terms the approval policy speaks (docs/gate.md, "What a
 * change does"). Default deny: a change needs no approval only when everything the changed files
 * confer after it was already conferred before it (src/core/access/conferral.ts) and no authority
 * fact changed. Anything else widens, and every widening says who must approve it:
 *
 * - a capability that was not there before (a new entry, principal, role, later expiry, privilege,
 *   a longer or differently approved JIT window, standing access): the system's approvers;
 * - an authority fact (owner, kind, credential, vendor, shared controls, exception, anything the
 *   semantics do not know), a review block outside a review campaign, a file that cannot be read,
 *   a path that differs from the access repo's only by case: the admins;
 * - the review blocks of a review campaign: the approvers of the system under review, item by item,
 *   never by the item's own grantee.
 *
 * Pure: the facts in, a description out.
 */
import { canon, conferral, loginsOf, type Capability, type Conferral } from '../access/conferral.ts';
import { certifies, judgeGrantChange, type AccessChangeKind } from '../access/compare.ts';
import { CONFIG_PATHS, fileStem, isCanonicalPath, roleOf, type LoadedFile } from '../model/snapshot.ts';
import type { Grant, RepoConfig, System } from '../model/types.ts';
import { loginKey, type ChangedFile, type PullFacts } from './facts.ts';

export type { AccessChangeKind };

export interface Position {
  file: string;
  line: number;
  column: number;
}

/** One access entry of a changed grant, compared before and after. */
export interface AccessChange extends Position {
  identity: string;
  system: string;
  role: string;
  /** Privileged after the change (before it, for a removal), as the entry or the system's declared role says. */
  privileged: boolean;
  kind: AccessChangeKind;
  /** Why it adds or widens ("new entry", "expiry later: 2027-01-31 → 2027-06-30", "new holder @x"), or what it narrows. */
  reasons: string[];
  expires?: string;
}

/**
 * config, system: a policy file; exception, authority: a fact only the admins may change;
 * review: a review block (the admins', or the system's approvers' in a review campaign);
 * unreadable: a grant the gate cannot read after the change; path: a file whose path differs from
 * the access repo's layout only by case (a case-insensitive file system would read it).
 */
export type GovernedKind = 'config' | 'system' | 'exception' | 'authority' | 'review' | 'unreadable' | 'path';

/** A change someone other than the system's approvers must approve (the admins, or a campaign's reviewers). */
export interface GovernedChange extends Position {
  kind: GovernedKind;
  identity?: string;
  system?: string;
  description: string;
  /** For the review blocks of a review campaign: the system whose approvers certify the item. */
  reviewOf?: string;
  /** Lower-case logins who cannot approve this item (its own grantees). */
  excluded?: string[];
}

export interface ChangedGrant {
  path: string;
  identity: string;
  before?: LoadedFile<Grant>;
  after?: LoadedFile<Grant>;
  /** Whether anything in it widens access or changes an authority fact. */
  widens: boolean;
  /** Owner or grantee differ from the base (or the grant is new). */
  accountableChanged: boolean;
  /** Lower-case logins the file gives or gave access to. */
  principals: string[];
  /** Why it needs approval, in the gate's words (empty when it does not). */
  widening: string[];
  /** Dotted paths of the fields whose change needs approval (`access[0]`, `identity.owner`, `review`, `*`). */
  wideningFields: string[];
}

export interface ReviewCampaignChange {
  /** The system under review. */
  system: string;
  /** The campaign id the files carry (`<system>/<date>`), when they agree on one. */
  campaign?: string;
  /** The grants whose review blocks the pull request sets. */
  items: { path: string; identity: string; excluded: string[] }[];
}

export interface PullChanges {
  /** Whether the PR touches the config, systems/ or grants/ at all. */
  relevant: boolean;
  configPath: string;
  access: AccessChange[];
  governed: GovernedChange[];
  grants: ChangedGrant[];
  /**
   * Lower-case logins of everyone a changed grant gives or gave access to: grantees, shared
   * holders, and the owners and linked logins of non-human identities. In a review campaign only
   * the item's own grantees are excluded, item by item (see `governed[].excluded`).
   */
  grantees: Set<string>;
  /** Nothing widens and nothing governed changes: no approval is needed (revocation is never blocked). */
  removalOnly: boolean;
  /** The pull request is a review campaign by its content (see reviewCampaignOf). */
  campaign?: ReviewCampaignChange;
  /** Paths that differ from the access repo's layout only by case. */
  misplaced: string[];
}

const cache = new WeakMap<PullFacts, PullChanges>();

export function isConfigPath(path: string, configPath: string | undefined): boolean {
  return configPath ? path === configPath : CONFIG_PATHS.includes(path);
}

/** The role a path plays in the access repo, honouring a configured config path. */
export function pullRoleOf(path: string, configPath: string | undefined): ReturnType<typeof roleOf> {
  if (isConfigPath(path, configPath)) return 'config';
  const role = roleOf(path);
  return role === 'config' ? 'other' : role;
}

/** A path that is not the config's but would be on a case-insensitive file system. */
function isConfigCaseVariant(path: string, configPath: string | undefined): boolean {
  const folded = path.toLowerCase();
  return !isConfigPath(path, configPath) && (configPath ? folded === configPath.toLowerCase() : CONFIG_PATHS.includes(folded));
}

function pos(file: LoadedFile<unknown>, path: readonly (string | number)[], key = false): Position {
  const p = file.source.locate(path, key);
  return { file: file.path, line: p.line, column: p.column };
}

function top(path: string): Position {
  return { file: path, line: 1, column: 1 };
}

interface GrantPair {
  path: string;
  before?: LoadedFile<Grant>;
  after?: LoadedFile<Grant>;
  /** The after-path was changed (added, modified or renamed into place). */
  afterChanged: boolean;
}

// ---------------------------------------------------------------------------------------------
// Review campaigns, by content
// ---------------------------------------------------------------------------------------------

/**
 * A pull request is a review campaign when it changes nothing but review blocks of grants that
 * all reach one system, plus narrowing edits to those grants (the removals decided in the
 * review). The branch name and the hidden marker are never proof; the campaign id the files
 * carry (`review.campaign: <system>/<date>`) picks the system when the grants reach several.
 */
function reviewCampaignOf(pairs: readonly { before?: Conferral; after?: Conferral; pair: GrantPair }[]): ReviewCampaignChange | undefined {
  const certified = pairs.filter((p) => p.before && p.after && certifies(p.before.review, p.after.review));
  if (certified.length === 0) return undefined;
  let systems: Set<string> | undefined;
  for (const p of certified) {
    const reach = new Set(p.before!.capabilities.map((c) => c.system));
    systems = systems ? new Set([...systems].filter((s) => reach.has(s))) : reach;
  }
  if (!systems || systems.size === 0) return undefined;
  const ids = new Set(certified.map((p) => p.after!.review?.campaign ?? ''));
  const campaign = ids.size === 1 ? [...ids][0]! : '';
  const named = campaign.includes('/') ? campaign.slice(0, campaign.lastIndexOf('/')) : '';
  const system = systems.has(named) ? named : systems.size === 1 ? [...systems][0]! : undefined;
  if (!system) return undefined;
  return {
    system,
    ...(campaign ? { campaign } : {}),
    items: certified.map((p) => ({
      path: p.pair.path,
      identity: p.after!.identity,
      excluded: [...new Set([...loginsOf(p.pair.before?.data), ...loginsOf(p.pair.after?.data)])].sort(),
    })),
  };
}

// ---------------------------------------------------------------------------------------------
// Systems and config
// ---------------------------------------------------------------------------------------------

function compareSystem(path: string, before: LoadedFile<System> | undefined, after: LoadedFile<System> | undefined, out: PullChanges): void {
  const id = after?.data?.id ?? before?.data?.id ?? fileStem(path);
  let at: Position = after ? top(after.path) : top(path);
  let description: string;
  if (!before) description = `adds system \`${id}\``;
  else if (!after) description = `removes system \`${id}\``;
  else {
    const b = before.data;
    const a = after.data;
    if (b && a && canon(b.approvers ?? []) !== canon(a.approvers ?? [])) {
      at = pos(after, ['approvers'], true);
      description = `changes who may approve access to \`${id}\``;
    } else {
      description = `changes system \`${id}\``;
    }
  }
  out.governed.push({ ...at, kind: 'system', system: id, description });
}

function compareConfig(path: string, before: LoadedFile<RepoConfig> | undefined, after: LoadedFile<RepoConfig> | undefined, out: PullChanges): void {
  const description = !before ? 'adds the repo config' : !after ? 'removes the repo config' : 'changes the repo config';
  out.governed.push({ ...top(after?.path ?? path), kind: 'config', description });
}

// ---------------------------------------------------------------------------------------------
// The whole pull request
// ---------------------------------------------------------------------------------------------

/** The changes of a pull request. Memoized per facts object: the judge and every rule share one. */
export function pullChanges(facts: PullFacts): PullChanges {
  const hit = cache.get(facts);
  if (hit) return hit;
  const configPath = facts.configPath ?? facts.base.config?.path ?? CONFIG_PATHS[0]!;
  const out: PullChanges = { relevant: false, configPath, access: [], governed: [], grants: [], grantees: new Set(), removalOnly: true, misplaced: [] };
  const baseGrants = new Map(facts.base.grants.map((g) => [g.path, g]));
  const headGrants = new Map(facts.head.grants.map((g) => [g.path, g]));
  const baseSystems = new Map(facts.base.systems.map((s) => [s.path, s]));
  const headSystems = new Map(facts.head.systems.map((s) => [s.path, s]));
  const systemsById = new Map<string, System>();
  for (const s of facts.base.systems) if (s.data) systemsById.set(s.data.id, s.data);
  const systemOf = (id: string) => systemsById.get(id);
  const reapproveMovers = facts.base.config?.data?.movers?.reapprove !== false;

  // 1. Sort the changed files into grant pairs, systems, the config and misplaced paths.
  const pairs: GrantPair[] = [];
  const seen = new Set<string>();
  for (const f of sortedFiles(facts.files)) {
    const beforePath = f.status === 'renamed' ? (f.previousPath ?? f.path) : f.path;
    for (const p of new Set([f.path, beforePath])) {
      if (
        !seen.has(`misplaced:${p}`) &&
        (isConfigCaseVariant(p, facts.configPath) || (roleOf(p) !== 'other' && !isConfigPath(p, facts.configPath) && !isCanonicalPath(p)))
      ) {
        seen.add(`misplaced:${p}`);
        out.misplaced.push(p);
        out.relevant = true;
        out.governed.push({ ...top(p), kind: 'path', description: `changes \`${p}\`, whose path differs from the access repo's layout only by case` });
      }
    }
    const afterRole = f.status === 'removed' ? undefined : pullRoleOf(f.path, facts.configPath);
    const beforeRole = f.status === 'added' ? undefined : pullRoleOf(beforePath, facts.configPath);
    // A rename out of grants/ removes a grant; a rename into grants/ adds one.
    const role = afterRole && afterRole !== 'other' ? afterRole : beforeRole;
    if (!role || role === 'other') continue;
    if (seen.has(f.path)) continue;
    seen.add(f.path);
    out.relevant = true;
    const before = beforeRole === role && f.status !== 'added' ? beforePath : undefined;
    const after = afterRole === role && f.status !== 'removed' ? f.path : undefined;
    if (role === 'grant') {
      if (before && after && before !== after && fileStem(before) !== fileStem(after)) {
        // A rename to another identity: one removed, one added.
        pairs.push({ path: before, before: baseGrants.get(before), afterChanged: false });
        pairs.push({ path: after, after: headGrants.get(after), afterChanged: true });
        if (!baseGrants.has(before)) pairs[pairs.length - 2]!.before = missingFile(before);
        if (!headGrants.has(after)) pairs[pairs.length - 1]!.after = missingFile(after);
      } else {
        const pair: GrantPair = { path: after ?? before!, afterChanged: after !== undefined };
        if (before) pair.before = baseGrants.get(before) ?? missingFile(before);
        if (after) pair.after = headGrants.get(after) ?? missingFile(after);
        pairs.push(pair);
      }
    } else if (role === 'system') {
      compareSystem(after ?? beforePath, before ? baseSystems.get(before) : undefined, after ? headSystems.get(after) : undefined, out);
    } else {
      const baseConfig = facts.base.config?.path === before ? facts.base.config : undefined;
      const headConfig = facts.head.config?.path === after ? facts.head.config : undefined;
      compareConfig(after ?? beforePath, before ? baseConfig : undefined, after ? headConfig : undefined, out);
    }
  }
  pairMoves(pairs);

  // 2. What the changed files conferred before, and confer after, as one set each: access moved
  //    between files (a holder from one shared account to another) is judged as a whole.
  const sides = pairs.map((pair) => ({
    pair,
    before: pair.before?.data ? conferral(pair.before.data, systemOf) : undefined,
    after: pair.after?.data ? conferral(pair.after.data, systemOf) : undefined,
  }));
  const beforeCaps: Capability[] = sides.flatMap((s) => s.before?.capabilities ?? []);
  for (const s of sides) {
    for (const l of loginsOf(s.pair.before?.data)) out.grantees.add(l);
    for (const l of loginsOf(s.pair.after?.data)) out.grantees.add(l);
  }

  // 3. A review campaign, by content: only review blocks and narrowing edits of grants reaching one system.
  const provisional: PullChanges = { ...out, access: [], governed: [...out.governed], grants: [] };
  for (const s of sides) judgeGrant(s, beforeCaps, provisional, () => false, systemOf, reapproveMovers);
  const widensCapability = provisional.access.some((c) => c.kind === 'adds' || c.kind === 'widens');
  const onlyReviews = provisional.governed.every((g) => g.kind === 'review');
  const campaign = !widensCapability && onlyReviews ? reviewCampaignOf(sides) : undefined;
  const inCampaign = (c: Conferral) => campaign?.items.some((i) => i.identity === c.identity) === true;

  // 4. Judge each grant.
  for (const s of sides) judgeGrant(s, beforeCaps, out, inCampaign, systemOf, reapproveMovers);
  if (campaign) {
    out.campaign = campaign;
    for (const item of campaign.items) {
      const after = pairs.find((p) => p.path === item.path)?.after;
      out.governed.push({
        ...(after ? pos(after, ['review'], true) : top(item.path)),
        kind: 'review',
        identity: item.identity,
        system: campaign.system,
        reviewOf: campaign.system,
        excluded: item.excluded,
        description: `certifies the access of \`${item.identity}\` in the review of ${campaign.system}`,
      });
    }
    for (const item of campaign.items) {
      const g = out.grants.find((x) => x.path === item.path);
      if (g) {
        g.widening.push(`certifies the access of \`${item.identity}\` in the review of ${campaign.system}`);
        g.wideningFields = [...new Set([...g.wideningFields, 'review'])].sort();
      }
    }
    // In a review campaign nobody is excluded from the whole pull request for being a grantee:
    // each item excludes its own (an approver reviews the others, never themselves).
    out.grantees.clear();
  }
  for (const g of out.grants) g.widens = g.wideningFields.length > 0;
  out.removalOnly = out.governed.length === 0 && !out.access.some((c) => c.kind === 'adds' || c.kind === 'widens');
  cache.set(facts, out);
  return out;
}

/** A changed path the facts hold no file for: read as an empty, unreadable file (fail closed). */
function missingFile(path: string): LoadedFile<Grant> {
  return { path, source: { path, value: undefined, problems: [], locate: () => ({ line: 1, column: 1 }) }, problems: [] } as LoadedFile<Grant>;
}

/** A grant deleted at one path and added at another under the same name is a move: one identity. */
function pairMoves(pairs: GrantPair[]): void {
  const added = pairs.filter((p) => !p.before && p.after);
  for (const a of added) {
    const stem = fileStem(a.path).toLowerCase();
    const i = pairs.findIndex((p) => p.before && !p.after && fileStem(p.path).toLowerCase() === stem);
    if (i < 0) continue;
    a.before = pairs[i]!.before!;
    pairs.splice(i, 1);
  }
}

function judgeGrant(
  side: { pair: GrantPair; before?: Conferral; after?: Conferral },
  beforeCaps: readonly Capability[],
  out: PullChanges,
  inCampaign: (c: Conferral) => boolean,
  systemOf: (id: string) => System | undefined,
  reapproveMovers: boolean,
): void {
  const { pair, after: a } = side;
  const before = pair.before;
  const after = pair.after;
  const judged = judgeGrantChange({
    ...(before?.data ? { before: before.data } : {}),
    ...(after ? { after: after.data ?? 'unreadable' } : {}),
    systemOf,
    beforeCaps,
    inCampaign: a !== undefined && inCampaign(a),
    reapproveMovers,
    identity: fileStem(pair.path),
  });
  const identity = judged.identity;
  const changed: ChangedGrant = {
    path: pair.path,
    identity,
    widens: false,
    accountableChanged: false,
    principals: [...new Set([...loginsOf(before?.data), ...loginsOf(after?.data)])].sort(),
    widening: [
      ...judged.entries.filter((e) => e.kind === 'adds' || e.kind === 'widens').map((e) => `${e.system} ${e.role}: ${e.reasons.join(', ')}`),
      ...judged.authority.map((a) => a.description),
      ...(judged.unreadable ? [`cannot be read as a grant`] : []),
    ],
    wideningFields: judged.wideningFields,
  };
  if (before) changed.before = before;
  if (after) changed.after = after;
  out.grants.push(changed);
  if (after?.data) {
    const bd = before?.data;
    const ad = after.data;
    changed.accountableChanged =
      !bd ||
      loginKey(bd.identity.owner ?? '') !== loginKey(ad.identity.owner ?? '') ||
      loginKey(bd.identity.github ?? '') !== loginKey(ad.identity.github ?? '');
  }
  if (judged.unreadable && after) {
    // Unreadable after the change: nothing it confers can be known, so it is judged as widening.
    out.governed.push({ ...top(after.path), kind: 'unreadable', identity, description: `changes \`${after.path}\`, which cannot be read as a grant` });
    return;
  }
  // Removals point into the file as it is after the change (or as it was, once deleted).
  const where = after ?? before;
  for (const e of judged.entries) {
    const at = e.kind === 'removes' && after ? ['access'] : e.at;
    out.access.push({
      ...(where ? pos(where, at) : top(pair.path)),
      identity,
      system: e.system,
      role: e.role,
      privileged: e.privileged,
      kind: e.kind,
      reasons: e.reasons,
      ...(e.expires && e.kind !== 'removes' ? { expires: e.expires } : {}),
    });
  }
  for (const change of judged.authority) {
    out.governed.push({
      ...(change.at.length && after ? pos(after, change.at, true) : top(pair.path)),
      kind: change.kind,
      identity,
      description: change.description,
    });
  }
}

function sortedFiles(files: readonly ChangedFile[]): ChangedFile[] {
  return [...files].sort((x, y) => (x.path < y.path ? -1 : x.path > y.path ? 1 : 0));
}
