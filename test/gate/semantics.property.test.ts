/**
 * Property-based tests of the gate's change semantics (docs/gate.md, "What a change does").
 *
 * An oracle written here, independently of src/core/access/, states the rule directly on the
 * grant objects: a change needs no approval exactly when everyone who can use the identity after
 * the change could already use it for the same system and role, no more privileged, no longer,
 * no less just-in-time; and no authority fact changed except by tightening. Generated grants and
 * generated edits are judged by the real gate and the oracle:
 *  (a) whenever the gate asks for no approval, the oracle finds nothing widened (any edits);
 *  (b) for every single-field edit, the gate asks for approval exactly when the oracle finds a
 *      widening (so every single-field edit that is not a narrowing needs approval).
 */
import fc from 'fast-check';
import { stringify } from 'yaml';
import { describe, expect, it } from 'vitest';
import { loadFile } from '../../src/core/model/snapshot.ts';
import { CONFIG, SYSTEMS, TEAMS } from '../support/attacks.ts';
import { judge } from './scenario.ts';

type G = Record<string, any>;
const LOGINS = ['alice', 'Alice', 'bob', 'carol', 'mallory', 'dave'];
const SYSTEM_IDS = ['db', 'wiki'];
const ROLES = ['readonly', 'superuser', 'editor'];
const DATES = ['2026-12-01', '2027-01-15', '2027-02-01', '2027-03-31', '2027-06-30'];
const KINDS = ['human', 'service-account', 'api-key', 'ci-token', 'integration', 'shared-account', 'agent'];
const CREDENTIALS = ['static-secret', 'oidc-federated', 'key-pair', 'oauth-token', 'password'];
const PATH = 'grants/gen/subject.yaml';

// ── the oracle ────────────────────────────────────────────────────────────────────────────────

const low = (s: string) => s.replace(/^@/, '').toLowerCase();
function principals(g: G): Set<string> {
  const out = new Set<string>([`id:${String(g.identity.id).toLowerCase()}`]);
  if (g.identity.github) out.add(`login:${low(g.identity.github)}`);
  if (typeof g.identity.email === 'string' && g.identity.email.trim()) out.add(`email:${g.identity.email.trim().toLowerCase()}`);
  if (g.identity.kind !== 'human' && g.identity.owner) out.add(`login:${low(g.identity.owner)}`);
  for (const h of g.shared?.holders ?? []) out.add(`login:${low(h)}`);
  return out;
}
const privileged = (e: G) => e.privileged === true || (e.system === 'db' && e.role === 'superuser');
const until = (e: G) => (typeof e.expires === 'string' ? e.expires : '9999-12-31');
const approvers = (e: G) => JSON.stringify([...new Set((e.jit?.approvers ?? []).map(low))].sort());
function jitCovered(wide: G, narrow: G): boolean {
  if (!narrow.jit) return !wide.jit;
  if (!wide.jit) return true;
  return narrow.jit.max_duration_hours <= wide.jit.max_duration_hours && approvers(narrow) === approvers(wide);
}
function capabilitiesCovered(before: G, after: G): boolean {
  const pb = principals(before);
  for (const p of principals(after)) {
    for (const ea of after.access) {
      const ok =
        pb.has(p) &&
        before.access.some(
          (eb: G) => eb.system === ea.system && eb.role === ea.role && (!privileged(ea) || privileged(eb)) && until(ea) <= until(eb) && jitCovered(eb, ea),
        );
      if (!ok) return false;
    }
  }
  return true;
}
const same = (a: unknown, b: unknown) => JSON.stringify(sortKeys(a ?? null)) === JSON.stringify(sortKeys(b ?? null));
function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v && typeof v === 'object')
    return Object.fromEntries(
      Object.keys(v)
        .sort()
        .map((k) => [k, sortKeys((v as G)[k])]),
    );
  return v;
}
function without(o: G | undefined, ...keys: string[]): G | null {
  if (!o) return null;
  const c = { ...o };
  for (const k of keys) delete c[k];
  return c;
}
function certifies(b: G | undefined, a: G | undefined): boolean {
  if (!a) return false;
  return Object.entries(a).some(([k, v]) => {
    if (v === null || v === undefined || same(v, b?.[k])) return false;
    return !(k === 'last_reviewed' && typeof b?.[k] === 'string' && v < b[k]);
  });
}
function authorityKept(b: G, a: G): boolean {
  if (b.identity.kind !== a.identity.kind) return false;
  if (low(b.identity.owner ?? '') !== low(a.identity.owner ?? '')) return false;
  const cb = b.credential;
  const ca = a.credential;
  const stricterRotation =
    cb &&
    ca &&
    same(without(cb, 'rotation_days'), without(ca, 'rotation_days')) &&
    ca.rotation_days !== undefined &&
    (cb.rotation_days === undefined || ca.rotation_days < cb.rotation_days);
  if (!same(cb, ca) && !stricterRotation) return false;
  if (!same(without(b.vendor, 'contact'), without(a.vendor, 'contact'))) return false;
  const controls = new Set(a.shared?.compensating_controls ?? []);
  if (!(b.shared?.compensating_controls ?? []).every((c: string) => controls.has(c))) return false;
  if (a.exception && !same(a.exception, b.exception)) return false;
  if (certifies(b.review, a.review)) return false;
  // Everything else but the documentation fields and what the rules above cover.
  const rest = (g: G) => ({
    ...without(g, 'identity', 'access', 'credential', 'vendor', 'shared', 'exception', 'review'),
    shared: without(g.shared, 'holders', 'compensating_controls'),
  });
  return same(rest(b), rest(a));
}
function valid(g: G): boolean {
  return loadFile({ path: PATH, content: stringify(g) }, 'grant').data !== undefined;
}
/** The oracle: whether the change needs no approval. */
function noApprovalNeeded(before: G, after: G | null): boolean {
  if (after === null) return true;
  if (!valid(after)) return false;
  return capabilitiesCovered(before, after) && authorityKept(before, after);
}

// ── generators ────────────────────────────────────────────────────────────────────────────────

const login = fc.constantFrom(...LOGINS);
const date = fc.constantFrom(...DATES);
const jit = fc.record({
  max_duration_hours: fc.integer({ min: 1, max: 8 }),
  approvers: fc.uniqueArray(fc.constantFrom('dave', 'erin', '@acme/dba'), { maxLength: 2 }),
});
const entry = fc.record(
  {
    system: fc.constantFrom(...SYSTEM_IDS),
    role: fc.constantFrom(...ROLES),
    privileged: fc.boolean(),
    expires: fc.oneof(date, fc.constant(null)),
    jit,
    justification: fc.constantFrom('Needed for the on-call rotation', 'Reads rows for incident work'),
  },
  { requiredKeys: ['system', 'role', 'justification'] },
);
const credential = fc.record(
  {
    type: fc.constantFrom(...CREDENTIALS),
    rotation_days: fc.integer({ min: 7, max: 400 }),
    last_rotated: date,
    storage: fc.constantFrom('vault:kv/a', 'vault:kv/b'),
    revocation: fc.constantFrom('delete it', 'revoke it'),
  },
  { requiredKeys: ['type'] },
);
const review = fc.record(
  { last_reviewed: date, reviewer: fc.oneof(login, fc.constant(null)), campaign: fc.constantFrom('db/2026-11-20', 'wiki/2026-11-20') },
  { requiredKeys: [] },
);
const exception = fc.record({
  reason: fc.constantFrom('The vendor has no per-user tokens'),
  compensating_controls: fc.constant(['session-logging']),
  expires: date,
  rules: fc.constant(['rotation-max-days']),
});

const grant: fc.Arbitrary<G> = fc
  .record({
    kind: fc.constantFrom(...KINDS),
    owner: login,
    github: fc.oneof(login, fc.constant(undefined)),
    email: fc.oneof(fc.constantFrom('a@acme.example', 'm@acme.example'), fc.constant(undefined)),
    access: fc.array(entry, { minLength: 1, maxLength: 3 }),
    credential,
    holders: fc.uniqueArray(login, { minLength: 1, maxLength: 3 }),
    controls: fc.uniqueArray(fc.constantFrom('checkout', 'mfa', 'session-logging'), { minLength: 1, maxLength: 3 }),
    review: fc.option(review, { nil: undefined }),
    exception: fc.option(exception, { nil: undefined }),
  })
  .map((r) => {
    const g: G = { identity: { id: 'subject', kind: r.kind, owner: r.owner, description: 'generated' }, access: r.access };
    if (r.kind === 'human') g.identity.github = r.github ?? 'alice';
    else if (r.github) g.identity.github = r.github;
    if (r.email) g.identity.email = r.email;
    if (r.kind !== 'human') g.credential = r.credential;
    if (r.kind === 'integration') g.vendor = { name: 'Acme CRM', data_scope: 'contacts', offboarding: 'revoke the app', contact: 'x@crm.example' };
    if (r.kind === 'shared-account') g.shared = { holders: r.holders, compensating_controls: r.controls };
    if (r.review) g.review = r.review;
    if (r.exception) g.exception = r.exception;
    return g;
  })
  .filter(valid);

/** The i-th entry (modulo), or a detached one when the grant has none left. */
function entryAt(g: G, i: number): G {
  return g.access.length ? g.access[i % g.access.length] : {};
}

/** One edit of one field (or one entry, or one list member), or deleting the file. */
type Edit = { name: string; apply: (g: G) => G | null };
const edit: fc.Arbitrary<Edit> = fc.oneof(
  fc.constant<Edit>({ name: 'delete the file', apply: () => null }),
  login.map((l) => ({ name: `owner ${l}`, apply: (g: G) => ((g.identity.owner = l), g) })),
  fc.oneof(login, fc.constant(null)).map((l) => ({ name: `github ${l}`, apply: (g: G) => ((g.identity.github = l), g) })),
  fc.constantFrom('a@acme.example', 'm@acme.example', 'A@ACME.example').map((m) => ({ name: `email ${m}`, apply: (g: G) => ((g.identity.email = m), g) })),
  fc.constantFrom(...KINDS).map((k) => ({ name: `kind ${k}`, apply: (g: G) => ((g.identity.kind = k), g) })),
  fc.constantFrom('subject', 'other').map((id) => ({ name: `id ${id}`, apply: (g: G) => ((g.identity.id = id), g) })),
  fc.constant<Edit>({ name: 'description', apply: (g: G) => ((g.identity.description = 'edited'), g) }),
  fc.tuple(fc.nat(2), fc.constantFrom(...ROLES)).map(([i, r]) => ({ name: `role[${i}] ${r}`, apply: (g: G) => ((entryAt(g, i).role = r), g) })),
  fc.tuple(fc.nat(2), fc.constantFrom(...SYSTEM_IDS)).map(([i, s]) => ({ name: `system[${i}] ${s}`, apply: (g: G) => ((entryAt(g, i).system = s), g) })),
  fc.tuple(fc.nat(2), fc.boolean()).map(([i, p]) => ({ name: `privileged[${i}] ${p}`, apply: (g: G) => ((entryAt(g, i).privileged = p), g) })),
  fc.tuple(fc.nat(2), fc.oneof(date, fc.constant(null), fc.constant(undefined))).map(([i, x]) => ({
    name: `expires[${i}] ${x}`,
    apply: (g: G) => {
      const e = entryAt(g, i);
      if (x === undefined) delete e.expires;
      else e.expires = x;
      return g;
    },
  })),
  fc.tuple(fc.nat(2), fc.option(jit, { nil: undefined })).map(([i, j]) => ({
    name: `jit[${i}] ${JSON.stringify(j)}`,
    apply: (g: G) => {
      const e = entryAt(g, i);
      if (j === undefined) delete e.jit;
      else e.jit = j;
      return g;
    },
  })),
  fc.nat(2).map((i) => ({ name: `justification[${i}]`, apply: (g: G) => ((entryAt(g, i).justification = 'Reworded for the auditor'), g) })),
  entry.map((e) => ({ name: `add entry ${JSON.stringify(e)}`, apply: (g: G) => (g.access.push(e), g) })),
  fc.nat(2).map((i) => ({ name: `remove entry ${i}`, apply: (g: G) => (g.access.length ? g.access.splice(i % g.access.length, 1) : undefined, g) })),
  login.map((l) => ({ name: `add holder ${l}`, apply: (g: G) => (g.shared ? (g.shared.holders = [...g.shared.holders, l]) : undefined, g) })),
  fc.nat(2).map((i) => ({
    name: `remove holder ${i}`,
    apply: (g: G) => (g.shared && g.shared.holders.length > 1 ? g.shared.holders.splice(i % g.shared.holders.length, 1) : undefined, g),
  })),
  fc
    .uniqueArray(fc.constantFrom('checkout', 'mfa', 'session-logging', 'approval-workflow'), { minLength: 1, maxLength: 4 })
    .map((c) => ({ name: `controls ${c}`, apply: (g: G) => (g.shared ? (g.shared.compensating_controls = c) : undefined, g) })),
  fc
    .constantFrom<[string, unknown]>(
      ['type', 'static-secret'],
      ['type', 'oidc-federated'],
      ['rotation_days', 30],
      ['rotation_days', 365],
      ['last_rotated', '2026-11-25'],
      ['storage', 'env:SECRET'],
      ['revocation', 'ask mallory'],
    )
    .map(([k, v]) => ({
      name: `credential.${k} ${v}`,
      apply: (g: G) => (g.credential ? (g.credential[k] = v) : undefined, g),
    })),
  fc
    .constantFrom<[string, string]>(['data_scope', 'everything'], ['offboarding', 'none'], ['contact', 'y@crm.example'], ['name', 'Other CRM'])
    .map(([k, v]) => ({
      name: `vendor.${k} ${v}`,
      apply: (g: G) => (g.vendor ? (g.vendor[k] = v) : undefined, g),
    })),
  fc.option(review, { nil: undefined }).map((r) => ({
    name: `review ${JSON.stringify(r)}`,
    apply: (g: G) => {
      if (r === undefined) delete g.review;
      else g.review = r;
      return g;
    },
  })),
  fc.option(exception, { nil: undefined }).map((x) => ({
    name: `exception ${JSON.stringify(x)}`,
    apply: (g: G) => {
      if (x === undefined) delete g.exception;
      else g.exception = x;
      return g;
    },
  })),
);

/** Whether the real gate asks for any approval for the change. */
function gateNeedsApproval(before: G, after: G | null): boolean {
  const r = judge({
    config: CONFIG,
    systems: SYSTEMS,
    grants: { [PATH]: stringify(before) },
    change: { [PATH]: after === null ? null : stringify(after) },
    author: 'mallory',
    teams: TEAMS,
  });
  return !r.removalOnly;
}

const RUNS = Number(process.env.ACCESS_LEDGER_PROPERTY_RUNS ?? 300);

describe('the gate asks for no approval only when nothing widened', () => {
  it('(a) any edits: no approval needed ⇒ the oracle finds nothing widened', () => {
    fc.assert(
      fc.property(grant, fc.array(edit, { minLength: 1, maxLength: 4 }), (base, edits) => {
        let after: G | null = structuredClone(base);
        for (const e of edits) after = after === null ? null : e.apply(after);
        if (!gateNeedsApproval(base, after)) expect(noApprovalNeeded(base, after)).toBe(true);
      }),
      { numRuns: RUNS },
    );
  });

  it('(b) single-field edits: the gate asks for approval exactly when the edit is not a narrowing', () => {
    fc.assert(
      fc.property(grant, edit, (base, e) => {
        const after = e.apply(structuredClone(base));
        expect(gateNeedsApproval(base, after), e.name).toBe(!noApprovalNeeded(base, after));
      }),
      { numRuns: RUNS },
    );
  });
});
