/**
 * From the engine's findings to problems: which (subject, kind) pairs are stale, with the facts an
 * issue needs. The engine decides *whether* a grant has a problem (it honours the policy's
 * severities, options and exception waivers); the facts are re-read from the grant itself so the
 * issue text never depends on the wording of a finding, and never on the day it was computed:
 * an issue's content must stay the same from one day to the next unless the grant changes, or
 * every sweep would edit every issue.
 */
import type { Finding } from '../findings.ts';
import { addDays } from '../dates.ts';
import type { Snapshot } from '../model/snapshot.ts';
import type { AccessEntry, Grant, IsoDate, System } from '../model/types.ts';
import type { Policy } from '../engine/policy.ts';
import { builtinRegistry } from '../validate.ts';
import { KIND_INFO, type ProblemKind } from './kinds.ts';
import type { DriftProblem } from './drift.ts';

export interface GrantRef {
  identity: string;
  path: string;
  kind: Grant['identity']['kind'];
  owner: string | null;
  /** The grantee's login (humans only). */
  github: string | null;
  description: string | null;
  /** Where the credential is revoked (non-human identities), when the file says. */
  revocation: string | null;
}

export interface EntryFact {
  system: string;
  role: string;
  privileged: boolean;
  expires: IsoDate | null;
}

interface Base<K extends ProblemKind> {
  kind: K;
  /** The identity id (grants) or the lower-cased login (`left-org`). */
  id: string;
  controls: string[];
  severity: Finding['severity'];
}

export interface EntriesProblem extends Base<'expired' | 'expiring-soon' | 'unknown-system'> {
  grant: GrantRef;
  entries: EntryFact[];
}

export interface ReviewProblem extends Base<'review-overdue'> {
  grant: GrantRef;
  /** The review date the rule measured from. */
  lastReviewed: IsoDate;
  lastReviewer: string | null;
  /** The system with the strictest cadence among those the grant reaches. */
  system: string;
  cadenceDays: number;
  /** The last day the review was on time. */
  due: IsoDate;
}

export interface RotationProblem extends Base<'rotation-overdue'> {
  grant: GrantRef;
  credentialType: string;
  rotationDays: number;
  lastRotated: IsoDate | null;
  /** null when no rotation is on record at all. */
  due: IsoDate | null;
  storage: string | null;
}

export interface ExceptionProblem extends Base<'exception-expired'> {
  grant: GrantRef;
  expires: IsoDate;
  reason: string;
  compensatingControls: string[];
}

export interface LeaverGrant {
  path: string;
  identity: string;
  kind: Grant['identity']['kind'];
  /** How the grant names the login. */
  roles: ('owner' | 'grantee' | 'holder')[];
  systems: string[];
  /** The grant's owner when that is someone else (who can hand it over or revoke it). */
  owner: string | null;
}

export interface LeaverProblem extends Base<'left-org'> {
  login: string;
  organization: string | null;
  grants: LeaverGrant[];
}

export type Problem = EntriesProblem | ReviewProblem | RotationProblem | ExceptionProblem | LeaverProblem | DriftProblem;

export interface DetectInput {
  snapshot: Snapshot;
  /** Findings of the sweep's rules (see SWEEP_RULES) evaluated on `today`. */
  findings: readonly Finding[];
  policy: Policy;
  today: IsoDate;
  /** Lower-cased login → member of the organization; logins absent here are unknown, never leavers. */
  membership?: Readonly<Record<string, boolean>>;
}

function grantRef(path: string, g: Grant): GrantRef {
  return {
    identity: g.identity.id,
    path,
    kind: g.identity.kind,
    owner: g.identity.owner ?? null,
    github: g.identity.github ?? null,
    description: g.identity.description ?? null,
    revocation: g.credential?.revocation ?? null,
  };
}

function entryFact(e: AccessEntry): EntryFact {
  return { system: e.system, role: e.role, privileged: e.privileged === true, expires: e.expires ?? null };
}

/** Waived by the grant's exception while it is in force (the engine downgrades, the sweep skips). */
function waived(g: Grant, rule: string, today: IsoDate): boolean {
  const exc = g.exception;
  return Boolean(exc?.rules?.includes(rule) && (!exc.expires || exc.expires >= today) && builtinRegistry().get(rule)?.meta.waivable === true);
}

function strongest(a: Finding['severity'], b: Finding['severity']): Finding['severity'] {
  return a === 'error' || b === 'error' ? 'error' : 'warning';
}

export function detectProblems(input: DetectInput): Problem[] {
  const { snapshot, today } = input;
  const grantsByPath = new Map<string, Grant>();
  for (const f of snapshot.grants) if (f.data) grantsByPath.set(f.path, f.data);
  const systems = new Map<string, System>();
  for (const f of snapshot.systems) if (f.data) systems.set(f.data.id, f.data);

  // Which (grant, kind) pairs the engine reported, with the severity and controls it used.
  const flagged = new Map<string, { path: string; kind: ProblemKind; severity: Finding['severity']; controls: string[]; systems: Set<string> }>();
  const flag = (path: string, kind: ProblemKind, f: Finding) => {
    const key = `${path}\0${kind}`;
    const cur = flagged.get(key);
    if (cur) {
      cur.severity = strongest(cur.severity, f.severity);
      if (f.system) cur.systems.add(f.system);
    } else {
      flagged.set(key, { path, kind, severity: f.severity, controls: f.controls, systems: new Set(f.system ? [f.system] : []) });
    }
  };
  for (const f of input.findings) {
    if (!f.file) continue;
    const g = grantsByPath.get(f.file);
    if (!g || waived(g, f.rule, today)) continue;
    switch (f.rule) {
      case 'expired':
        flag(f.file, f.system === undefined ? 'exception-expired' : 'expired', f);
        break;
      case 'expiring-soon':
      case 'review-overdue':
      case 'rotation-overdue':
        flag(f.file, f.rule, f);
        break;
      case 'system-known':
        flag(f.file, 'unknown-system', f);
        break;
      default:
        break; // owner-left-org is grouped per login below; other rules are not the sweep's
    }
  }

  const problems: Problem[] = [];
  const defaultCadence = Number(input.policy.rules.get('review-overdue')?.options.default_cadence_days ?? 365);
  for (const { path, kind, severity, controls, systems: flaggedSystems } of flagged.values()) {
    const g = grantsByPath.get(path)!;
    const grant = grantRef(path, g);
    const base = { id: g.identity.id, controls, severity };
    switch (kind) {
      case 'expired':
        problems.push({ ...base, kind, grant, entries: g.access.filter((e) => e.expires !== undefined && e.expires < today).map(entryFact) });
        break;
      case 'expiring-soon':
        problems.push({
          ...base,
          kind,
          grant,
          entries: g.access.filter((e) => e.expires !== undefined && e.expires >= today && flaggedSystems.has(e.system)).map(entryFact),
        });
        break;
      case 'unknown-system':
        problems.push({ ...base, kind, grant, entries: g.access.filter((e) => flaggedSystems.has(e.system)).map(entryFact) });
        break;
      case 'review-overdue': {
        let strictest: { cadence: number; system: string } | undefined;
        for (const e of g.access) {
          const cadence = systems.get(e.system)?.review_cadence_days ?? defaultCadence;
          if (!strictest || cadence < strictest.cadence) strictest = { cadence, system: e.system };
        }
        const last = g.review?.last_reviewed;
        if (!strictest || !last) break; // measured from when the grant was added: no review date to show
        problems.push({
          ...base,
          kind,
          grant,
          lastReviewed: last,
          lastReviewer: g.review?.reviewer ?? null,
          system: strictest.system,
          cadenceDays: strictest.cadence,
          due: addDays(last, strictest.cadence),
        });
        break;
      }
      case 'rotation-overdue': {
        const c = g.credential!;
        problems.push({
          ...base,
          kind,
          grant,
          credentialType: c.type,
          rotationDays: c.rotation_days ?? 0,
          lastRotated: c.last_rotated ?? null,
          due: c.last_rotated && c.rotation_days !== undefined ? addDays(c.last_rotated, c.rotation_days) : null,
          storage: c.storage ?? null,
        });
        break;
      }
      case 'exception-expired': {
        const exc = g.exception!;
        problems.push({ ...base, kind, grant, expires: exc.expires!, reason: exc.reason, compensatingControls: exc.compensating_controls ?? [] });
        break;
      }
      default:
        break;
    }
  }

  if (input.membership) problems.push(...detectLeavers(snapshot, input.policy, input.membership));
  return problems.sort(compareProblems);
}

/**
 * One problem per departed login that any grant still names (as owner, grantee or shared holder).
 * Membership comes from the adapter; a login it could not determine is absent and never reported.
 */
export function detectLeavers(snapshot: Snapshot, policy: Policy, members: Readonly<Record<string, boolean>>): LeaverProblem[] {
  const setting = policy.rules.get(KIND_INFO['left-org'].rule);
  if (!setting || setting.severity === 'off') return [];
  const controls = controlsOf(KIND_INFO['left-org'].rule);
  const byLogin = new Map<string, LeaverGrant[]>();
  for (const file of snapshot.grants) {
    if (!file.data) continue;
    const { path, data: g } = file;
    const named = new Map<string, Set<'owner' | 'grantee' | 'holder'>>();
    const add = (login: string | null | undefined, role: 'owner' | 'grantee' | 'holder') => {
      if (!login) return;
      const l = login.toLowerCase();
      if (members[l] !== false) return;
      if (!named.has(l)) named.set(l, new Set());
      named.get(l)!.add(role);
    };
    add(g.identity.owner, 'owner');
    if (g.identity.kind === 'human') add(g.identity.github, 'grantee');
    for (const h of g.shared?.holders ?? []) add(h, 'holder');
    for (const [login, roles] of named) {
      const list = byLogin.get(login) ?? [];
      const owner = g.identity.owner && g.identity.owner.toLowerCase() !== login ? g.identity.owner : null;
      list.push({
        path,
        identity: g.identity.id,
        kind: g.identity.kind,
        roles: [...roles].sort(),
        systems: [...new Set(g.access.map((e) => e.system))].sort(),
        owner,
      });
      byLogin.set(login, list);
    }
  }
  const out: LeaverProblem[] = [];
  for (const [login, grants] of byLogin) {
    grants.sort((a, b) => a.path.localeCompare(b.path));
    out.push({
      kind: 'left-org',
      id: login,
      login,
      organization: policy.config?.organization ?? null,
      grants,
      controls,
      severity: setting.severity === 'warning' ? 'warning' : 'error',
    });
  }
  return out;
}

function controlsOf(rule: string): string[] {
  return [...(builtinRegistry().get(rule)?.meta.controls ?? [])];
}

export function problemKey(p: { kind: ProblemKind; id: string }): string {
  return `${p.kind}:${p.id}`;
}

function compareProblems(a: Problem, b: Problem): number {
  return KIND_INFO[a.kind].priority - KIND_INFO[b.kind].priority || a.kind.localeCompare(b.kind) || a.id.localeCompare(b.id);
}
