/**
 * One grant file before and after a change, judged: which entries add, widen, narrow or remove
 * access, and which authority facts change (docs/gate.md, "What a change does"). The gate judges
 * a pull request with it (src/core/pull/changes.ts) and the binder judges each change of the
 * history with it, so the two always agree on what widened. Pure.
 */
import { canon, conferral, dominates, type Capability, type Conferral } from './conferral.ts';
import type { Grant, ReviewMeta, System } from '../model/types.ts';

export type AccessChangeKind = 'adds' | 'widens' | 'narrows' | 'removes' | 'unchanged';

const LINK_WORDS: Record<Capability['principal']['link'], string> = {
  identity: 'identity',
  grantee: 'grantee',
  email: 'e-mail',
  holder: 'holder',
  owner: 'owner',
  github: 'linked GitHub login',
  account: 'account',
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
    if (jits.length > 0 && jits.every((b) => b.jit!.maxHours < c.jit!.maxHours))
      reasons.push(`just-in-time window longer: ${jits[0]!.jit!.maxHours}h → ${c.jit.maxHours}h`);
    if (jits.length > 0 && jits.every((b) => canon(b.jit!.approvers) !== canon(c.jit!.approvers))) {
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

const STRONG_CREDENTIALS = new Set(['oidc-federated', 'key-pair']);

/** Whether a review block now claims a review it did not claim before (moving a date back, or clearing, claims nothing). */
export function certifies(before: ReviewMeta | null | undefined, after: ReviewMeta | null | undefined): boolean {
  if (!after) return false;
  for (const [key, value] of Object.entries(after)) {
    if (value === null || value === undefined) continue;
    const old = (before as Record<string, unknown> | null | undefined)?.[key];
    if (canon(value) === canon(old)) continue;
    if (key === 'last_reviewed' && typeof old === 'string' && typeof value === 'string' && value < old) continue;
    return true;
  }
  return false;
}

/** An authority fact the change alters, where in the file, and which fields. */
export interface AuthorityChange {
  kind: 'authority' | 'exception' | 'review';
  at: (string | number)[];
  /** Dotted paths of the fields it concerns (`identity.owner`, `credential`, `review`). */
  fields: string[];
  description: string;
}

function credentialChanges(id: string, b: Conferral, a: Conferral): string[] {
  const bc = b.credential;
  const ac = a.credential;
  if (canon(bc) === canon(ac)) return [];
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
  if ((bc.last_rotated ?? null) !== (ac.last_rotated ?? null))
    out.push(`records a rotation of \`${id}\`: last_rotated ${bc.last_rotated ?? 'none'} → ${ac.last_rotated ?? 'none'}`);
  if ((bc.storage ?? null) !== (ac.storage ?? null)) out.push(`changes where the credential of \`${id}\` is stored`);
  if ((bc.revocation ?? null) !== (ac.revocation ?? null)) out.push(`changes how the credential of \`${id}\` is revoked`);
  const known = new Set(['type', 'rotation_days', 'last_rotated', 'storage', 'revocation']);
  const rest = (c: object) => canon(Object.fromEntries(Object.entries(c).filter(([k]) => !known.has(k))));
  if (rest(bc) !== rest(ac)) out.push(`changes the credential of \`${id}\``);
  return out;
}

/** The authority facts a modified grant changes. */
export function authorityChanges(b: Conferral, a: Conferral, inCampaign: boolean): AuthorityChange[] {
  const id = a.identity;
  const out: AuthorityChange[] = [];
  if (b.authority.kind !== a.authority.kind)
    out.push({ kind: 'authority', at: ['identity', 'kind'], fields: ['identity.kind'], description: `changes the kind of \`${id}\`: ${b.kind} → ${a.kind}` });
  if (b.authority.owner !== a.authority.owner) {
    out.push({
      kind: 'authority',
      at: ['identity', 'owner'],
      fields: ['identity.owner'],
      description: `changes the owner of ${a.kind === 'human' ? '' : 'non-human identity '}\`${id}\`: ${b.owner ? '@' + b.owner : 'none'} → ${a.owner ? '@' + a.owner : 'none'}`,
    });
  }
  if (b.authority.credential !== a.authority.credential) {
    for (const d of credentialChanges(id, b, a)) out.push({ kind: 'authority', at: ['credential'], fields: ['credential'], description: d });
  }
  if (b.authority.vendor !== a.authority.vendor) {
    const bv = b.vendor;
    const av = a.vendor;
    const field =
      !av || !bv
        ? null
        : av.data_scope !== bv.data_scope
          ? 'data scope'
          : av.name !== bv.name
            ? 'name'
            : av.offboarding !== bv.offboarding
              ? 'offboarding'
              : null;
    out.push({
      kind: 'authority',
      at: ['vendor'],
      fields: ['vendor.name', 'vendor.data_scope', 'vendor.offboarding'],
      description: field ? `changes the vendor ${field} of \`${id}\`` : `${av ? (bv ? 'changes' : 'adds') : 'removes'} the vendor of \`${id}\``,
    });
  }
  if (b.authority['shared-controls'] !== a.authority['shared-controls']) {
    const kept = new Set(a.compensatingControls);
    const dropped = b.compensatingControls.filter((c) => !kept.has(c));
    if (dropped.length > 0)
      out.push({
        kind: 'authority',
        at: ['shared', 'compensating_controls'],
        fields: ['shared.compensating_controls'],
        description: `drops compensating controls of shared account \`${id}\`: ${dropped.join(', ')}`,
      });
  }
  if (b.authority.other !== a.authority.other)
    out.push({ kind: 'authority', at: [], fields: ['*'], description: `changes \`${id}\` in a way the gate does not recognise as narrowing` });
  // Removing an exception ends a deviation (narrowing); adding or changing one is the admins' decision.
  if (a.exception && canon(a.exception) !== canon(b.exception)) {
    out.push({
      kind: 'exception',
      at: ['exception'],
      fields: ['exception'],
      description: b.exception ? `changes the exception of \`${id}\`` : `adds an exception to \`${id}\``,
    });
  }
  if (certifies(b.review, a.review) && !inCampaign) {
    out.push({ kind: 'review', at: ['review'], fields: ['review'], description: `writes a review of \`${id}\` outside an access review` });
  }
  return out;
}

/** One access entry, judged. `index` is the entry's place in the file after the change (before it, for a removal). */
export interface EntryJudgement {
  index: number;
  system: string;
  role: string;
  /** As the entry or the system's declared role says, after the change (before it, for a removal). */
  privileged: boolean;
  expires: string | null;
  kind: AccessChangeKind;
  reasons: string[];
  /** Where in the file the change shows (a path into the YAML). */
  at: (string | number)[];
}

export interface GrantJudgement {
  identity: string;
  entries: EntryJudgement[];
  authority: AuthorityChange[];
  /** The file exists after the change but cannot be read as a grant: nothing it confers is known. */
  unreadable: boolean;
  /** Anything here needs approval. */
  widens: boolean;
  /** Dotted paths of the fields whose change needs approval (`access[3]`, `identity.owner`, `shared.holders`, `*`). */
  wideningFields: string[];
}

export interface JudgeGrantInput {
  before?: Grant;
  /** The grant after the change; `'unreadable'` when the file exists but is not a valid grant. */
  after?: Grant | 'unreadable';
  /** Systems on the base branch (their declared roles decide what is privileged). */
  systemOf: (id: string) => System | undefined;
  /** What every file of the change conferred before (default: this file's). */
  beforeCaps?: readonly Capability[];
  /** This grant's review block is certified in a review campaign (not an authority change then). */
  inCampaign?: boolean;
  /** A team change (a move) needs every kept entry approved again (`movers.reapprove`, default true). */
  reapproveMovers?: boolean;
  identity?: string;
}

const PRINCIPAL_FIELDS: Record<Capability['principal']['link'], string> = {
  identity: 'identity.id',
  grantee: 'identity.github',
  github: 'identity.github',
  email: 'identity.email',
  holder: 'shared.holders',
  owner: 'identity.owner',
  account: 'access[].accounts',
};

/** Judges one grant file's change. */
export function judgeGrantChange(input: JudgeGrantInput): GrantJudgement {
  const b = input.before ? conferral(input.before, input.systemOf) : undefined;
  const afterGrant = input.after === 'unreadable' ? undefined : input.after;
  const a = afterGrant ? conferral(afterGrant, input.systemOf) : undefined;
  const identity = a?.identity ?? b?.identity ?? input.identity ?? '';
  const out: GrantJudgement = { identity, entries: [], authority: [], unreadable: input.after === 'unreadable', widens: false, wideningFields: [] };
  const beforeCaps = input.beforeCaps ?? b?.capabilities ?? [];
  const fields = new Set<string>();

  if (input.after === undefined) {
    input.before?.access.forEach((e, i) => {
      const privileged = b?.capabilities.find((c) => c.entry === i)?.privileged ?? e.privileged === true;
      out.entries.push({
        index: i,
        system: e.system,
        role: e.role,
        privileged,
        expires: e.expires ?? null,
        kind: 'removes',
        reasons: ['grant file deleted'],
        at: ['access', i],
      });
    });
    return out;
  }
  if (!a || !afterGrant) {
    out.widens = true;
    out.wideningFields.push('*');
    return out;
  }
  const ownBefore = b?.capabilities ?? [];
  const matched = new Set<number>();
  afterGrant.access.forEach((e, i) => {
    const caps = a.capabilities.filter((c) => c.entry === i);
    const wider = caps.filter((c) => !beforeCaps.some((x) => dominates(x, c)));
    const beforeIndex = input.before ? input.before.access.findIndex((x, j) => !matched.has(j) && x.system === e.system && x.role === e.role) : -1;
    if (beforeIndex >= 0) matched.add(beforeIndex);
    // Fields the semantics do not know: any change to them widens.
    const residueChanged = beforeIndex >= 0 && b!.entryResidue[beforeIndex] !== a.entryResidue[i];
    const privileged = caps[0]?.privileged ?? e.privileged === true;
    const base = { index: i, system: e.system, role: e.role, privileged, expires: e.expires ?? null };
    if (wider.length === 0 && !residueChanged) {
      const narrows = whatNarrows(caps, beforeCaps);
      out.entries.push({ ...base, kind: narrows.length > 0 ? 'narrows' : 'unchanged', reasons: narrows, at: ['access', i] });
      return;
    }
    const reasons = [...new Set(wider.map((c) => whyWider(c, beforeCaps, ownBefore)))];
    if (residueChanged) reasons.push('a field the gate does not know changed');
    const roleChange = reasons.some((r) => r.startsWith('role '));
    const kind: AccessChangeKind = beforeIndex >= 0 || roleChange ? 'widens' : 'adds';
    const at = roleChange
      ? ['access', i, 'role']
      : reasons.includes('becomes privileged')
        ? ['access', i, 'privileged']
        : reasons.some((r) => r.startsWith('expiry'))
          ? ['access', i, 'expires']
          : reasons.some((r) => r.startsWith('just-in-time'))
            ? ['access', i, 'jit']
            : ['access', i];
    out.entries.push({ ...base, kind, reasons, at });
    fields.add(`access[${i}]`);
    // A principal field widens only when the principal is new to the file (a new holder, grantee, owner, id).
    for (const c of wider) {
      if (ownBefore.some((x) => x.principal.key === c.principal.key)) continue;
      fields.add(c.principal.link === 'account' ? `access[${c.entry}].accounts` : PRINCIPAL_FIELDS[c.principal.link]);
    }
  });
  // A move: the person's team changed (or was removed). The access they keep was approved for the
  // old team; the systems' approvers approve it again for the new one. A team recorded for the first
  // time is not a move.
  if (b && b.team !== null && b.team !== a.team && input.reapproveMovers !== false) {
    const move = `moved team: ${b.team} → ${a.team ?? 'none'}: the access kept is approved again`;
    for (const e of out.entries) {
      if (e.kind === 'adds' || e.kind === 'widens' || e.kind === 'removes') continue;
      e.kind = 'widens';
      e.reasons = [move];
      e.at = ['identity', 'team'];
      fields.add(`access[${e.index}]`);
    }
    fields.add('identity.team');
  }
  input.before?.access.forEach((e, j) => {
    if (matched.has(j)) return;
    const privileged = b?.capabilities.find((c) => c.entry === j)?.privileged ?? e.privileged === true;
    out.entries.push({
      index: j,
      system: e.system,
      role: e.role,
      privileged,
      expires: e.expires ?? null,
      kind: 'removes',
      reasons: [`entry ${e.role}${privileged ? ' (privileged)' : ''} removed`],
      at: ['access'],
    });
  });

  if (b) {
    out.authority = authorityChanges(b, a, input.inCampaign === true);
  } else {
    // A new file (or one unreadable before): its exception and review block are not the requester's to write.
    if (a.exception) out.authority.push({ kind: 'exception', at: ['exception'], fields: ['exception'], description: `adds an exception to \`${identity}\`` });
    if (certifies(null, a.review) && input.inCampaign !== true) {
      out.authority.push({ kind: 'review', at: ['review'], fields: ['review'], description: `writes a review of \`${identity}\` outside an access review` });
    }
  }
  for (const c of out.authority) for (const f of c.fields) fields.add(f);
  // Entries only matter once they widen; a principal field that changed without widening any entry (a file with no access) does not.
  out.widens = out.entries.some((e) => e.kind === 'adds' || e.kind === 'widens') || out.authority.length > 0;
  out.wideningFields = [...fields].sort();
  return out;
}
