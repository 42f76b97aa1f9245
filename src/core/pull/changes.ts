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
import { conferral, dominates, loginsOf, type Capability, type Conferral } from '../access/conferral.ts';
import { CONFIG_PATHS, fileStem, isCanonicalPath, roleOf, type LoadedFile } from '../model/snapshot.ts';
import type { Grant, RepoConfig, ReviewMeta, System } from '../model/types.ts';
import { loginKey, type ChangedFile, type PullFacts } from './facts.ts';

export type AccessChangeKind = 'adds' | 'widens' | 'narrows' | 'removes' | 'unchanged';

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

function canonical(value: unknown): string {
  return JSON.stringify(value ?? null, (_k, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v as object).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : v,
  );
}

interface GrantPair {
  path: string;
  before?: LoadedFile<Grant>;
  after?: LoadedFile<Grant>;
  /** The after-path was changed (added, modified or renamed into place). */
  afterChanged: boolean;
}

// ---------------------------------------------------------------------------------------------
// Describing capabilities
// ---------------------------------------------------------------------------------------------

function describeCapability(c: Capability): string {
  return `${c.role}${c.privileged ? ' (privileged)' : ''}`;
}

const LINK_WORDS: Record<Capability['principal']['link'], string> = {
  identity: 'identity',
  grantee: 'grantee',
  email: 'e-mail',
  holder: 'holder',
  owner: 'owner',
  github: 'linked GitHub login',
};

/** Why `c` is not covered by anything before, in a few words. */
function whyWider(c: Capability, before: readonly Capability[], ownBefore: readonly Capability[]): string {
  const identityBefore = ownBefore.filter((b) => b.principal.link === 'identity');
  const same = before.filter((b) => b.principal.key === c.principal.key && b.system === c.system && b.role === c.role);
  if (same.length === 0) {
    const hadRole = identityBefore.some((b) => b.system === c.system && b.role === c.role);
    if (hadRole && c.principal.link !== 'identity') {
      if (c.principal.link === 'owner') return `${c.principal.shown} becomes the owner, who can use the identity`;
      const was = ownBefore.find((b) => b.principal.link === c.principal.link && b.system === c.system && b.role === c.role)?.principal.shown;
      return `new ${LINK_WORDS[c.principal.link]} ${c.principal.shown}${was ? ` (was ${was})` : ''}`;
    }
    if (c.principal.link === 'identity' && before.length > 0 && !before.some((b) => b.principal.key === c.principal.key)) {
      return `new identity \`${c.principal.shown}\``;
    }
    const other = before.find((b) => b.principal.key === c.principal.key && b.system === c.system);
    if (other) return `role ${other.role} → ${c.role}`;
    return 'new entry';
  }
  // The closest entry before: explain what it lacked.
  const reasons: string[] = [];
  const best = same[0]!;
  if (c.privileged && same.every((b) => !b.privileged)) reasons.push('becomes privileged');
  if (c.until === null && same.every((b) => b.until !== null)) reasons.push(`expiry ${best.until} removed`);
  else if (c.until !== null && same.every((b) => b.until !== null && b.until < c.until!)) reasons.push(`expiry later: ${best.until} → ${c.until}`);
  if (c.jit === null && same.every((b) => b.jit !== null)) reasons.push('just-in-time limit removed (standing access)');
  else if (c.jit !== null) {
    const jits = same.filter((b) => b.jit !== null);
    if (jits.length > 0 && jits.every((b) => b.jit!.maxHours < c.jit!.maxHours)) reasons.push(`just-in-time window longer: ${jits[0]!.jit!.maxHours}h → ${c.jit.maxHours}h`);
    if (jits.length > 0 && jits.every((b) => canonical(b.jit!.approvers) !== canonical(c.jit!.approvers))) {
      reasons.push(`just-in-time approvers changed: ${jits[0]!.jit!.approvers.join(', ') || 'none'} → ${c.jit.approvers.join(', ') || 'none'}`);
    }
  }
  return reasons.length > 0 ? reasons.join(', ') : 'wider than before';
}

/** What an entry that widens nothing gives up compared with the closest entry before. */
function whatNarrows(caps: readonly Capability[], before: readonly Capability[]): string[] {
  const id = caps.find((c) => c.principal.link === 'identity') ?? caps[0];
  if (!id) return [];
  const same = before.find((b) => b.principal.key === id.principal.key && b.system === id.system && b.role === id.role && dominates(b, id));
  if (!same) return [];
  const out: string[] = [];
  if (same.privileged && !id.privileged) out.push('no longer privileged');
  if (same.until === null && id.until !== null) out.push(`now expires ${id.until}`);
  else if (same.until !== null && id.until !== null && id.until < same.until) out.push(`expiry earlier: ${same.until} → ${id.until}`);
  if (same.jit === null && id.jit !== null) out.push('now just-in-time');
  else if (same.jit && id.jit && id.jit.maxHours < same.jit.maxHours) out.push(`just-in-time window shorter: ${same.jit.maxHours}h → ${id.jit.maxHours}h`);
  return out;
}

// ---------------------------------------------------------------------------------------------
// Authority facts
// ---------------------------------------------------------------------------------------------

const STRONG_CREDENTIALS = new Set(['oidc-federated', 'key-pair']);

/** Whether a review block now claims a review it did not claim before (moving a date back, or clearing, claims nothing). */
export function certifies(before: ReviewMeta | null | undefined, after: ReviewMeta | null | undefined): boolean {
  if (!after) return false;
  for (const [key, value] of Object.entries(after)) {
    if (value === null || value === undefined) continue;
    const old = (before as Record<string, unknown> | null | undefined)?.[key];
    if (canonical(value) === canonical(old)) continue;
    if (key === 'last_reviewed' && typeof old === 'string' && typeof value === 'string' && value < old) continue;
    return true;
  }
  return false;
}

interface AuthorityChange {
  kind: 'authority' | 'exception' | 'review';
  at: (string | number)[];
  description: string;
}

function credentialChanges(id: string, b: Conferral, a: Conferral): string[] {
  const bc = b.credential;
  const ac = a.credential;
  if (canonical(bc) === canonical(ac)) return [];
  if (!ac) return [`removes the credential block of \`${id}\``];
  if (!bc) return [`adds a credential block to \`${id}\``];
  const out: string[] = [];
  if (bc.type !== ac.type) {
    const downgrade = STRONG_CREDENTIALS.has(bc.type) && !STRONG_CREDENTIALS.has(ac.type);
    out.push(`${downgrade ? 'downgrades' : 'changes'} the credential of \`${id}\`: ${bc.type} → ${ac.type}`);
  }
  if ((bc.rotation_days ?? null) !== (ac.rotation_days ?? null)) {
    // A shorter rotation period is stricter; only a longer one (or none) is a change of authority.
    const stricter = ac.rotation_days !== undefined && (bc.rotation_days === undefined || ac.rotation_days < bc.rotation_days);
    if (!stricter) out.push(`lengthens the rotation period of \`${id}\`: ${bc.rotation_days ?? 'none'} → ${ac.rotation_days ?? 'none'} days`);
  }
  if ((bc.last_rotated ?? null) !== (ac.last_rotated ?? null)) out.push(`records a rotation of \`${id}\`: last_rotated ${bc.last_rotated ?? 'none'} → ${ac.last_rotated ?? 'none'}`);
  if ((bc.storage ?? null) !== (ac.storage ?? null)) out.push(`changes where the credential of \`${id}\` is stored`);
  if ((bc.revocation ?? null) !== (ac.revocation ?? null)) out.push(`changes how the credential of \`${id}\` is revoked`);
  const known = new Set(['type', 'rotation_days', 'last_rotated', 'storage', 'revocation']);
  const rest = (c: object) => canonical(Object.fromEntries(Object.entries(c).filter(([k]) => !known.has(k))));
  if (rest(bc) !== rest(ac)) out.push(`changes the credential of \`${id}\``);
  return out;
}

/** The authority facts a modified grant changes. */
function authorityChanges(b: Conferral, a: Conferral, inCampaign: (g: Conferral) => boolean): AuthorityChange[] {
  const id = a.identity;
  const out: AuthorityChange[] = [];
  if (b.authority.kind !== a.authority.kind) out.push({ kind: 'authority', at: ['identity', 'kind'], description: `changes the kind of \`${id}\`: ${b.kind} → ${a.kind}` });
  if (b.authority.owner !== a.authority.owner) {
    out.push({ kind: 'authority', at: ['identity', 'owner'], description: `changes the owner of ${a.kind === 'human' ? '' : 'non-human identity '}\`${id}\`: ${b.owner ? '@' + b.owner : 'none'} → ${a.owner ? '@' + a.owner : 'none'}` });
  }
  if (b.authority.credential !== a.authority.credential) {
    for (const d of credentialChanges(id, b, a)) out.push({ kind: 'authority', at: ['credential'], description: d });
  }
  if (b.authority.vendor !== a.authority.vendor) {
    const bv = b.vendor;
    const av = a.vendor;
    const field = !av || !bv ? null : av.data_scope !== bv.data_scope ? 'data scope' : av.name !== bv.name ? 'name' : av.offboarding !== bv.offboarding ? 'offboarding' : null;
    out.push({ kind: 'authority', at: ['vendor'], description: field ? `changes the vendor ${field} of \`${id}\`` : `${av ? (bv ? 'changes' : 'adds') : 'removes'} the vendor of \`${id}\`` });
  }
  if (b.authority['shared-controls'] !== a.authority['shared-controls']) {
    const kept = new Set(a.compensatingControls);
    const dropped = b.compensatingControls.filter((c) => !kept.has(c));
    if (dropped.length > 0) out.push({ kind: 'authority', at: ['shared', 'compensating_controls'], description: `drops compensating controls of shared account \`${id}\`: ${dropped.join(', ')}` });
  }
  if (b.authority.other !== a.authority.other) out.push({ kind: 'authority', at: [], description: `changes \`${id}\` in a way the gate does not recognise as narrowing` });
  // Removing an exception ends a deviation (narrowing); adding or changing one is the admins' decision.
  if (a.exception && canonical(a.exception) !== canonical(b.exception)) {
    out.push({ kind: 'exception', at: ['exception'], description: b.exception ? `changes the exception of \`${id}\`` : `adds an exception to \`${id}\`` });
  }
  if (certifies(b.review, a.review) && !inCampaign(a)) {
    out.push({ kind: 'review', at: ['review'], description: `writes a review of \`${id}\` outside an access review` });
  }
  return out;
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
    if (b && a && canonical(b.approvers ?? []) !== canonical(a.approvers ?? [])) {
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

  // 1. Sort the changed files into grant pairs, systems, the config and misplaced paths.
  const pairs: GrantPair[] = [];
  const seen = new Set<string>();
  for (const f of sortedFiles(facts.files)) {
    const beforePath = f.status === 'renamed' ? (f.previousPath ?? f.path) : f.path;
    for (const p of new Set([f.path, beforePath])) {
      if (!seen.has(`misplaced:${p}`) && (isConfigCaseVariant(p, facts.configPath) || (roleOf(p) !== 'other' && !isConfigPath(p, facts.configPath) && !isCanonicalPath(p)))) {
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
  for (const s of sides) judgeGrant(s, beforeCaps, provisional, () => false);
  const widensCapability = provisional.access.some((c) => c.kind === 'adds' || c.kind === 'widens');
  const onlyReviews = provisional.governed.every((g) => g.kind === 'review');
  const campaign = !widensCapability && onlyReviews ? reviewCampaignOf(sides) : undefined;
  const inCampaign = (c: Conferral) => campaign !== undefined && campaign.items.some((i) => i.identity === c.identity);

  // 4. Judge each grant.
  for (const s of sides) judgeGrant(s, beforeCaps, out, inCampaign);
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
    // In a review campaign nobody is excluded from the whole pull request for being a grantee:
    // each item excludes its own (an approver reviews the others, never themselves).
    out.grantees.clear();
  }
  for (const g of out.grants) {
    g.widens =
      out.access.some((c) => c.identity === g.identity && (c.kind === 'adds' || c.kind === 'widens') && c.file === g.path) ||
      out.governed.some((c) => c.file === g.path && c.kind !== 'review');
  }
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
): void {
  const { pair, before: b, after: a } = side;
  const before = pair.before;
  const after = pair.after;
  const identity = a?.identity ?? b?.identity ?? fileStem(pair.path);
  const changed: ChangedGrant = {
    path: pair.path,
    identity,
    widens: false,
    accountableChanged: false,
    principals: [...new Set([...loginsOf(before?.data), ...loginsOf(after?.data)])].sort(),
  };
  if (before) changed.before = before;
  if (after) changed.after = after;
  out.grants.push(changed);

  if (!after) {
    // Deleted: every entry it had is removed.
    before?.data?.access.forEach((e, i) => {
      const privileged = b?.capabilities.find((c) => c.entry === i)?.privileged ?? e.privileged === true;
      out.access.push({ ...pos(before, ['access', i]), identity, system: e.system, role: e.role, privileged, kind: 'removes', reasons: ['grant file deleted'] });
    });
    return;
  }
  if (!a) {
    // Unreadable after the change: nothing it confers can be known, so it is judged as widening.
    out.governed.push({ ...top(after.path), kind: 'unreadable', identity, description: `changes \`${after.path}\`, which cannot be read as a grant` });
    return;
  }
  const ad = after.data!;
  const bd = before?.data;
  changed.accountableChanged =
    !bd || loginKey(bd.identity.owner ?? '') !== loginKey(ad.identity.owner ?? '') || loginKey(bd.identity.github ?? '') !== loginKey(ad.identity.github ?? '');

  const ownBefore = b?.capabilities ?? [];
  const matched = new Set<number>();
  ad.access.forEach((e, i) => {
    const caps = a.capabilities.filter((c) => c.entry === i);
    const wider = caps.filter((c) => !beforeCaps.some((x) => dominates(x, c)));
    // The residue of fields the semantics do not know: any change to it widens.
    const beforeIndex = bd ? matchEntry(bd.access, e, matched) : -1;
    if (beforeIndex >= 0) matched.add(beforeIndex);
    const residueChanged = beforeIndex >= 0 && b!.entryResidue[beforeIndex] !== a.entryResidue[i];
    const privileged = caps[0]?.privileged ?? e.privileged === true;
    const base = { identity, system: e.system, role: e.role, privileged, ...(e.expires ? { expires: e.expires } : {}) };
    if (wider.length === 0 && !residueChanged) {
      const narrows = whatNarrows(caps, beforeCaps);
      out.access.push({ ...pos(after, ['access', i]), ...base, kind: narrows.length > 0 ? 'narrows' : 'unchanged', reasons: narrows });
      return;
    }
    const reasons = [...new Set(wider.map((c) => whyWider(c, beforeCaps, ownBefore)))];
    if (residueChanged) reasons.push('a field the gate does not know changed');
    const kind = beforeIndex >= 0 || reasons.some((r) => r.startsWith('role ')) ? 'widens' : 'adds';
    const at = reasons.some((r) => r.startsWith('role ')) ? ['access', i, 'role'] : reasons.includes('becomes privileged') ? ['access', i, 'privileged'] : reasons.some((r) => r.startsWith('expiry')) ? ['access', i, 'expires'] : reasons.some((r) => r.startsWith('just-in-time')) ? ['access', i, 'jit'] : ['access', i];
    out.access.push({ ...pos(after, at), ...base, kind, reasons });
  });
  bd?.access.forEach((e, j) => {
    if (matched.has(j)) return;
    const privileged = b?.capabilities.find((c) => c.entry === j)?.privileged ?? e.privileged === true;
    out.access.push({ ...pos(after, ['access']), identity, system: e.system, role: e.role, privileged, kind: 'removes', reasons: [`entry ${e.role}${privileged ? ' (privileged)' : ''} removed`] });
  });

  if (b) {
    for (const change of authorityChanges(b, a, inCampaign)) {
      out.governed.push({ ...(change.at.length ? pos(after, change.at, true) : top(after.path)), kind: change.kind, identity, description: change.description });
    }
  } else {
    // A new file (or one unreadable before): its exception and review block are not the requester's to write.
    if (a.exception) out.governed.push({ ...pos(after, ['exception'], true), kind: 'exception', identity, description: `adds an exception to \`${identity}\`` });
    if (certifies(null, a.review)) out.governed.push({ ...pos(after, ['review'], true), kind: 'review', identity, description: `writes a review of \`${identity}\` outside an access review` });
  }
}

/** The before-entry an after-entry continues: the first unused one with the same system and role (-1: none; a role change is a removal plus an addition). */
function matchEntry(before: Grant['access'], e: Grant['access'][number], used: ReadonlySet<number>): number {
  return before.findIndex((x, j) => !used.has(j) && x.system === e.system && x.role === e.role);
}

function sortedFiles(files: readonly ChangedFile[]): ChangedFile[] {
  return [...files].sort((x, y) => (x.path < y.path ? -1 : x.path > y.path ? 1 : 0));
}
