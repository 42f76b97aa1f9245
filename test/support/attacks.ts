/**
 * Named attacks on the gate, as plain data: a base access repo, what the pull request changes,
 * who opened and reviewed it, and the verdict the gate must reach with the reason and the people
 * it names. The same table runs through the pure judge (test/gate/attacks.test.ts), the bundled
 * Action as a process and the App's merge handler, so the gate, the ledger's records and the
 * binder are held to one answer. `narrowings` are the changes that must still pass with no
 * approval (revocation is never blocked).
 *
 * Author: mallory, who wants access. Approvers: db → @acme/dba (erin, frida) or dave; wiki →
 * @acme/it (ivy); admins → @acme/security (sam, sue).
 */
import { stringify } from 'yaml';
import { addDays } from '../../src/core/dates.ts';
import type { ReviewSpec } from '../gate/scenario.ts';

export interface Attack {
  name: string;
  /** Grant files on the base branch, replacing the fixture's at the same path. */
  base?: Record<string, string>;
  /** System files replacing the fixture's. */
  systems?: Record<string, string>;
  config?: string;
  /** path → content after the pull request, or null for a deletion. */
  change: Record<string, string | null>;
  /** new path → old path. */
  renames?: Record<string, string>;
  author?: string;
  commitAuthors?: string[];
  reviews?: ReviewSpec[];
  verdict: 'pass' | 'fail';
  /** Fragments each of which some finding or the next step contains. */
  because: string[];
}

export const DB_APPROVERS = 'from @acme/dba or dave';
export const ADMINS = 'from @acme/security (the admins)';
/** What a privileged entry with no approval yet needs. */
export const PRIV = 'needs 2 more approvals from @acme/dba or dave';
export const TEAMS: Record<string, string[]> = { '@acme/dba': ['erin', 'frida'], '@acme/it': ['ivy'], '@acme/security': ['sam', 'sue'] };
export const ORG_MEMBERS = ['alice', 'bob', 'carol', 'dave', 'erin', 'frida', 'ivy', 'mallory', 'sam', 'sue', 'victim', 'trent'];

export const CONFIG = stringify({ version: 1, organization: 'acme', extends: 'soc2-baseline', admins: ['@acme/security'] });

export const SYSTEMS: Record<string, string> = {
  'systems/db.yaml': stringify({
    id: 'db',
    name: 'Production database',
    category: 'database',
    owner: 'carol',
    approvers: ['@acme/dba', 'dave'],
    review_cadence_days: 90,
    evidence: { provisioning: 'Terraform apply logs', activity: 'pgaudit in the SIEM' },
    roles: { readonly: {}, billing_read: {}, batch_write: {}, superuser: { privileged: true } },
  }),
  'systems/wiki.yaml': stringify({
    id: 'wiki',
    name: 'Internal wiki',
    category: 'saas',
    owner: 'carol',
    approvers: ['@acme/it'],
    review_cadence_days: 365,
    evidence: { provisioning: 'Okta app assignment', activity: 'vendor audit log export' },
  }),
};

type Grant = Record<string, any>;

/** The base repo's grants as objects, with dates relative to `today`. */
export function baseGrants(today: string): Record<string, Grant> {
  const d = (n: number) => addDays(today, n);
  const entry = (system: string, role: string, expires: string, extra: Grant = {}) => ({
    system,
    role,
    ...extra,
    justification: 'Needed for the on-call rotation of the team',
    expires,
  });
  return {
    'grants/people/alice.yaml': { identity: { id: 'alice', kind: 'human', owner: 'carol', github: 'alice' }, access: [entry('db', 'readonly', d(60))] },
    'grants/people/victim.yaml': {
      identity: { id: 'victim', kind: 'human', owner: 'carol', github: 'victim', email: 'victim@acme.example' },
      access: [entry('db', 'superuser', d(30), { privileged: true })],
    },
    'grants/people/mallory.yaml': { identity: { id: 'mallory', kind: 'human', owner: 'carol', github: 'mallory' }, access: [entry('wiki', 'editor', d(60))] },
    'grants/shared/breakglass.yaml': {
      identity: { id: 'breakglass', kind: 'shared-account', owner: 'carol', description: 'Break-glass superuser' },
      credential: { type: 'password', rotation_days: 30, last_rotated: d(-10), storage: 'vault:kv/breakglass', revocation: 'rotate the password in the vault' },
      access: [entry('db', 'superuser', d(30), { privileged: true })],
      shared: { holders: ['alice', 'victim'], compensating_controls: ['checkout', 'mfa', 'session-logging'] },
      exception: { reason: 'The database allows one superuser login only', compensating_controls: ['session-logging'], expires: d(60) },
    },
    'grants/services/exporter.yaml': {
      identity: { id: 'exporter', kind: 'service-account', owner: 'carol', description: 'Nightly invoice export' },
      credential: { type: 'oidc-federated', revocation: 'remove the role binding' },
      access: [entry('db', 'billing_read', d(60))],
    },
    'grants/services/batch.yaml': {
      identity: { id: 'batch', kind: 'service-account', owner: 'carol', description: 'Batch writer' },
      credential: { type: 'key-pair', rotation_days: 90, last_rotated: d(-30), storage: 'vault:kv/batch', revocation: 'delete the key pair in the vault' },
      access: [entry('db', 'batch_write', d(60), { jit: { max_duration_hours: 4, approvers: ['dave'] } })],
    },
    'grants/integrations/crm.yaml': {
      identity: { id: 'crm', kind: 'integration', owner: 'carol', description: 'CRM sync' },
      credential: { type: 'oauth-token', rotation_days: 90, last_rotated: d(-30), storage: 'vault:kv/crm', revocation: 'revoke the OAuth app in the CRM' },
      access: [entry('wiki', 'reader', d(60))],
      vendor: {
        name: 'Acme CRM',
        data_scope: 'customer contact records',
        offboarding: 'revoke the OAuth app, then delete this file',
        contact: 'support@crm.example',
      },
    },
    'grants/agents/helper.yaml': {
      identity: { id: 'helper', kind: 'agent', owner: 'carol', description: 'Support agent' },
      credential: { type: 'oidc-federated', revocation: 'remove the workload identity binding' },
      access: [entry('wiki', 'reader', d(60))],
    },
  };
}

export function baseFiles(today: string): Record<string, string> {
  return Object.fromEntries(Object.entries(baseGrants(today)).map(([p, g]) => [p, stringify(g)]));
}

/** The base grant at `path`, edited by `edit`, as YAML. */
function edited(today: string, path: string, edit: (g: Grant, d: (n: number) => string) => void): string {
  const g = structuredClone(baseGrants(today)[path]!);
  edit(g, (n) => addDays(today, n));
  return stringify(g);
}

const ALICE = 'grants/people/alice.yaml';
const VICTIM = 'grants/people/victim.yaml';
const MALLORY = 'grants/people/mallory.yaml';
const GLASS = 'grants/shared/breakglass.yaml';
const EXPORTER = 'grants/services/exporter.yaml';
const BATCH = 'grants/services/batch.yaml';
const CRM = 'grants/integrations/crm.yaml';
const HELPER = 'grants/agents/helper.yaml';

/** Every attack must fail, naming who must approve. */
export function attacks(today: string): Attack[] {
  return attackList(today);
}

function attackList(today: string): Attack[] {
  const e = (path: string, edit: (g: Grant, d: (n: number) => string) => void) => edited(today, path, edit);
  const d = (n: number) => addDays(today, n);
  const newMallory = (extra: Grant = {}) =>
    stringify({
      identity: { id: 'mallory', kind: 'human', owner: 'carol', github: 'mallory' },
      access: [
        { system: 'wiki', role: 'editor', justification: 'Needed for the on-call rotation of the team', expires: d(60) },
        { system: 'db', role: 'superuser', privileged: true, justification: 'Needed for the on-call rotation of the team', expires: d(30) },
      ],
      ...extra,
    });
  const list: Attack[] = [
    // ── exceptions ─────────────────────────────────────────────────────────────────────────
    {
      name: 'a new grant waives approvals and no-self-approval with its own exception',
      change: {
        [MALLORY]: newMallory({
          exception: {
            reason: 'Urgent incident work this week',
            compensating_controls: ['session-logging'],
            expires: d(7),
            rules: ['approvals', 'no-self-approval'],
          },
        }),
      },
      verdict: 'fail',
      because: [PRIV, 'adds an exception to `mallory`; it needs 1 more approval ' + ADMINS, 'the exception waives `approvals`, which no exception can waive'],
    },
    {
      name: 'an exception waiving expiry-max-days is added in the same pull request as the longer expiry',
      change: {
        [VICTIM]: e(VICTIM, (g, d) => {
          g.access[0].expires = d(300);
          g.exception = { reason: 'Vendor migration runs all year', compensating_controls: ['session-logging'], expires: d(300), rules: ['expiry-max-days'] };
        }),
      },
      verdict: 'fail',
      because: ['expiry later', DB_APPROVERS, 'adds an exception to `victim`; it needs 1 more approval ' + ADMINS, 'expiry-max-days'],
    },
    {
      name: 'an existing exception is extended',
      change: {
        [GLASS]: e(GLASS, (g, d) => {
          g.exception.expires = d(400);
        }),
      },
      verdict: 'fail',
      because: ['changes the exception of `breakglass`; it needs 1 more approval ' + ADMINS],
    },
    // ── shared accounts ───────────────────────────────────────────────────────────────────
    {
      name: 'mallory adds herself to the holders of the break-glass account',
      change: { [GLASS]: e(GLASS, (g) => g.shared.holders.push('mallory')) },
      verdict: 'fail',
      because: ['new holder @mallory', PRIV],
    },
    {
      name: 'a holder swapped for mallory, the count unchanged',
      change: { [GLASS]: e(GLASS, (g) => (g.shared.holders = ['alice', 'mallory'])) },
      verdict: 'fail',
      because: ['new holder @mallory', DB_APPROVERS],
    },
    {
      name: 'a holder added in capitals',
      change: { [GLASS]: e(GLASS, (g) => g.shared.holders.push('MALLORY')) },
      verdict: 'fail',
      because: ['new holder @MALLORY', DB_APPROVERS],
    },
    {
      name: 'compensating controls of the shared account dropped',
      change: { [GLASS]: e(GLASS, (g) => (g.shared.compensating_controls = ['checkout'])) },
      verdict: 'fail',
      because: ['drops compensating controls of shared account `breakglass`: mfa, session-logging', ADMINS],
    },
    // ── who a non-human identity belongs to ─────────────────────────────────────────────────
    {
      name: 'mallory makes herself the owner of a service account',
      change: { [EXPORTER]: e(EXPORTER, (g) => (g.identity.owner = 'mallory')) },
      verdict: 'fail',
      because: [
        '@mallory becomes the owner, who can use the identity',
        DB_APPROVERS,
        'changes the owner of non-human identity `exporter`: @carol → @mallory; it needs 1 more approval ' + ADMINS,
      ],
    },
    {
      name: 'a GitHub login linked to a service account',
      change: { [EXPORTER]: e(EXPORTER, (g) => (g.identity.github = 'mallory')) },
      verdict: 'fail',
      because: ['new linked GitHub login @mallory', DB_APPROVERS],
    },
    {
      name: 'a GitHub login linked to an agent',
      change: { [HELPER]: e(HELPER, (g) => (g.identity.github = 'mallory')) },
      verdict: 'fail',
      because: ['new linked GitHub login @mallory', 'from @acme/it'],
    },
    // ── whose access it is ─────────────────────────────────────────────────────────────────
    {
      name: "the grantee's login of a privileged grant replaced",
      change: { [VICTIM]: e(VICTIM, (g) => (g.identity.github = 'mallory')) },
      verdict: 'fail',
      because: ['new grantee @mallory (was @victim)', PRIV],
    },
    {
      name: 'step one of two: a human grant turned into an agent owned by mallory',
      change: {
        [VICTIM]: e(VICTIM, (g) => {
          g.identity.kind = 'agent';
          g.identity.owner = 'mallory';
          g.identity.github = null;
          g.credential = { type: 'oidc-federated', revocation: 'remove the binding' };
        }),
      },
      verdict: 'fail',
      because: ['changes the kind of `victim`: human → agent', ADMINS, '@mallory becomes the owner', DB_APPROVERS],
    },
    {
      name: 'step two of two: the agent turned back into a human grant with a new grantee',
      base: {
        [VICTIM]: e(VICTIM, (g) => {
          g.identity.kind = 'agent';
          g.identity.github = null;
          g.credential = { type: 'oidc-federated', revocation: 'remove the binding' };
        }),
      },
      change: { [VICTIM]: e(VICTIM, (g) => (g.identity.github = 'mallory')) },
      verdict: 'fail',
      because: ['changes the kind of `victim`: agent → human', ADMINS, 'new grantee @mallory', DB_APPROVERS],
    },
    {
      name: "the grantee's e-mail replaced (single sign-on matches by e-mail)",
      change: { [VICTIM]: e(VICTIM, (g) => (g.identity.email = 'mallory@acme.example')) },
      verdict: 'fail',
      because: ['new e-mail mallory@acme.example', DB_APPROVERS],
    },
    {
      name: 'the owner of a human grant replaced',
      change: { [ALICE]: e(ALICE, (g) => (g.identity.owner = 'mallory')) },
      verdict: 'fail',
      because: ['changes the owner of `alice`: @carol → @mallory', ADMINS],
    },
    {
      name: 'identity.id changed inside the file',
      change: { [VICTIM]: e(VICTIM, (g) => (g.identity.id = 'mallory2')) },
      verdict: 'fail',
      because: ['new identity `mallory2`', DB_APPROVERS],
    },
    // ── renames and moves ──────────────────────────────────────────────────────────────────
    {
      name: 'a privileged grant renamed to another identity (GitHub reports a rename)',
      renames: { 'grants/people/mallory-admin.yaml': VICTIM },
      change: {
        'grants/people/mallory-admin.yaml': e(VICTIM, (g) => {
          g.identity.id = 'mallory-admin';
          g.identity.github = 'mallory';
        }),
      },
      verdict: 'fail',
      because: ['new entry', PRIV],
    },
    {
      name: 'a grant moved to another folder under another name in two files',
      change: {
        [VICTIM]: null,
        'grants/contractors/mallory-x.yaml': e(VICTIM, (g) => {
          g.identity.id = 'mallory-x';
          g.identity.github = 'mallory';
        }),
      },
      verdict: 'fail',
      because: ['new entry', PRIV],
    },
    {
      name: 'an entry moved from one grant to another in one pull request',
      change: { [VICTIM]: e(VICTIM, (g) => (g.access = [])), [MALLORY]: newMallory() },
      verdict: 'fail',
      because: ['new entry', PRIV],
    },
    {
      name: 'a second file for an existing identity in another folder',
      change: { 'grants/other/victim.yaml': e(VICTIM, (g) => (g.identity.github = 'mallory')) },
      verdict: 'fail',
      because: ['new entry', DB_APPROVERS],
    },
    {
      name: 'another system account named on a privileged entry (the account observed access maps to it)',
      base: { [VICTIM]: e(VICTIM, (g) => (g.access[0].accounts = ['victim_db'])) },
      change: { [VICTIM]: e(VICTIM, (g) => (g.access[0].accounts = ['victim_db', 'mallory_db'])) },
      verdict: 'fail',
      because: ['new account mallory_db', PRIV],
    },
    // ── movers ─────────────────────────────────────────────────────────────────────────────
    {
      name: 'a person moves to another team and keeps privileged access',
      base: { [VICTIM]: e(VICTIM, (g) => (g.identity.team = 'payments')) },
      change: { [VICTIM]: e(VICTIM, (g) => (g.identity.team = 'data')) },
      verdict: 'fail',
      because: ['moved team: payments → data: the access kept is approved again', PRIV],
    },
    {
      name: 'a team removed, a move split over two pull requests',
      base: { [VICTIM]: e(VICTIM, (g) => (g.identity.team = 'payments')) },
      change: { [VICTIM]: e(VICTIM, () => undefined) },
      verdict: 'fail',
      because: ['moved team: payments → none', PRIV],
    },
    // ── credentials and vendors ────────────────────────────────────────────────────────────
    {
      name: 'a federated credential downgraded to a static secret',
      change: {
        [EXPORTER]: e(
          EXPORTER,
          (g) =>
            (g.credential = { type: 'static-secret', rotation_days: 90, last_rotated: today, storage: 'vault:kv/exporter', revocation: 'delete the secret' }),
        ),
      },
      verdict: 'fail',
      because: ['downgrades the credential of `exporter`: oidc-federated → static-secret', ADMINS],
    },
    {
      name: 'where the secret is stored changed',
      change: { [BATCH]: e(BATCH, (g) => (g.credential.storage = 'env:BATCH_KEY in the CI settings')) },
      verdict: 'fail',
      because: ['changes where the credential of `batch` is stored', ADMINS],
    },
    {
      name: 'the revocation path changed',
      change: { [CRM]: e(CRM, (g) => (g.credential.revocation = 'ask mallory')) },
      verdict: 'fail',
      because: ['changes how the credential of `crm` is revoked', ADMINS],
    },
    {
      name: 'the rotation period lengthened',
      change: { [BATCH]: e(BATCH, (g) => (g.credential.rotation_days = 365)) },
      verdict: 'fail',
      because: ['lengthens the rotation period of `batch`: 90 → 365 days', ADMINS],
    },
    {
      name: 'a rotation claimed without approval',
      change: { [BATCH]: e(BATCH, (g) => (g.credential.last_rotated = today)) },
      verdict: 'fail',
      because: ['records a rotation of `batch`', ADMINS],
    },
    {
      name: "a vendor's data scope widened",
      change: { [CRM]: e(CRM, (g) => (g.vendor.data_scope = 'every customer record, including payment data')) },
      verdict: 'fail',
      because: ['changes the vendor data scope of `crm`', ADMINS],
    },
    {
      name: "a vendor's offboarding path changed",
      change: { [CRM]: e(CRM, (g) => (g.vendor.offboarding = 'none needed')) },
      verdict: 'fail',
      because: ['changes the vendor offboarding of `crm`', ADMINS],
    },
    // ── just-in-time access ────────────────────────────────────────────────────────────────
    {
      name: 'the JIT approvers replaced by mallory',
      change: { [BATCH]: e(BATCH, (g) => (g.access[0].jit.approvers = ['mallory'])) },
      verdict: 'fail',
      because: ['just-in-time approvers changed: dave → mallory', DB_APPROVERS],
    },
    {
      name: 'the JIT window lengthened',
      change: { [BATCH]: e(BATCH, (g) => (g.access[0].jit.max_duration_hours = 72)) },
      verdict: 'fail',
      because: ['just-in-time window longer: 4h → 72h', DB_APPROVERS],
    },
    {
      name: 'JIT access made standing',
      change: { [BATCH]: e(BATCH, (g) => delete g.access[0].jit) },
      verdict: 'fail',
      because: ['just-in-time limit removed (standing access)', DB_APPROVERS],
    },
    // ── expiry and privilege ───────────────────────────────────────────────────────────────
    {
      name: 'expires: null where expiry-required is only a warning',
      config: CONFIG + 'rules:\n  expiry-required: warning\n',
      change: { [ALICE]: e(ALICE, (g) => (g.access[0].expires = null)) },
      verdict: 'fail',
      because: ['removed', DB_APPROVERS],
    },
    {
      name: 'the expiry key deleted where expiry-required is off',
      config: CONFIG + 'rules:\n  expiry-required: off\n',
      change: { [ALICE]: e(ALICE, (g) => delete g.access[0].expires) },
      verdict: 'fail',
      because: ['removed', DB_APPROVERS],
    },
    {
      name: 'an expiry moved later',
      change: { [ALICE]: e(ALICE, (g, d) => (g.access[0].expires = d(200))) },
      verdict: 'fail',
      because: ['expiry later', DB_APPROVERS],
    },
    {
      name: 'a declared superuser role requested as not privileged',
      change: {
        [MALLORY]: e(MALLORY, (g, d) =>
          g.access.push({ system: 'db', role: 'superuser', privileged: false, justification: 'Needed for the on-call rotation of the team', expires: d(300) }),
        ),
      },
      reviews: [['dave', 'APPROVED']],
      verdict: 'fail',
      because: ['(2 required) ' + DB_APPROVERS, 'is declared privileged in systems/db.yaml'],
    },
    {
      name: 'a role changed on the same system',
      change: { [ALICE]: e(ALICE, (g) => (g.access[0].role = 'superuser')) },
      verdict: 'fail',
      because: ['role readonly → superuser', DB_APPROVERS],
    },
    // ── reviews ────────────────────────────────────────────────────────────────────────────
    {
      // A review block on one grant is a review of its one system: its approvers certify it, never mallory.
      name: 'mallory certifies her own access with a review block',
      change: { [MALLORY]: e(MALLORY, (g) => (g.review = { last_reviewed: today, reviewer: 'trent' })) },
      reviews: [['mallory', 'APPROVED']],
      verdict: 'fail',
      because: ['the review of `mallory` (wiki) needs 1 more approval from @acme/it'],
    },
    {
      name: 'a review block written on an identity that reaches two systems, with no campaign named',
      base: {
        [ALICE]: e(ALICE, (g, d) =>
          g.access.push({ system: 'wiki', role: 'editor', justification: 'Needed for the on-call rotation of the team', expires: d(60) }),
        ),
      },
      change: {
        [ALICE]: e(ALICE, (g, d) => {
          g.access.push({ system: 'wiki', role: 'editor', justification: 'Needed for the on-call rotation of the team', expires: d(60) });
          g.review = { last_reviewed: today, reviewer: 'alice' };
        }),
      },
      verdict: 'fail',
      because: ['writes a review of `alice` outside an access review; it needs 1 more approval ' + ADMINS],
    },
    {
      name: 'a new grant arrives with its review already written',
      change: {
        'grants/people/trent.yaml': stringify({
          identity: { id: 'trent', kind: 'human', owner: 'carol', github: 'trent' },
          access: [{ system: 'wiki', role: 'editor', justification: 'Needed for the on-call rotation of the team', expires: d(60) }],
          review: { last_reviewed: today, reviewer: 'ivy' },
        }),
      },
      verdict: 'fail',
      because: ['writes a review of `trent` outside an access review', ADMINS],
    },
    {
      name: 'a campaign-looking review approved on an older commit by a reviewer who is a grantee of the system',
      change: {
        [ALICE]: e(ALICE, (g) => (g.review = { last_reviewed: today, reviewer: null, campaign: `db/${today}` })),
        [VICTIM]: e(VICTIM, (g) => (g.review = { last_reviewed: today, reviewer: null, campaign: `db/${today}` })),
      },
      reviews: [['erin', 'APPROVED', 'old']],
      verdict: 'fail',
      because: ['the review of `alice` (db)', 'erin approved an older commit'],
    },
    {
      name: 'in a review, an approver certifies their own grant',
      base: {
        'grants/people/erin.yaml': stringify({
          identity: { id: 'erin', kind: 'human', owner: 'carol', github: 'erin' },
          access: [{ system: 'db', role: 'readonly', justification: 'Needed for the on-call rotation of the team', expires: d(60) }],
        }),
      },
      change: {
        [ALICE]: e(ALICE, (g) => (g.review = { last_reviewed: today, reviewer: null, campaign: `db/${today}` })),
        'grants/people/erin.yaml': stringify({
          identity: { id: 'erin', kind: 'human', owner: 'carol', github: 'erin' },
          access: [{ system: 'db', role: 'readonly', justification: 'Needed for the on-call rotation of the team', expires: d(60) }],
          review: { last_reviewed: today, reviewer: null, campaign: `db/${today}` },
        }),
      },
      author: 'access-ledger[bot]',
      commitAuthors: ['access-ledger[bot]'],
      reviews: [['erin', 'APPROVED']],
      verdict: 'fail',
      because: ['the review of `erin` (db) needs 1 more approval from @acme/dba or dave (erin cannot certify their own access'],
    },
    {
      name: 'a review that also widens access is no review',
      change: {
        [ALICE]: e(ALICE, (g, d) => {
          g.review = { last_reviewed: today, reviewer: null, campaign: `db/${today}` };
          g.access[0].expires = d(300);
        }),
        [VICTIM]: e(VICTIM, (g) => (g.review = { last_reviewed: today, reviewer: null, campaign: `db/${today}` })),
      },
      reviews: [['dave', 'APPROVED']],
      verdict: 'fail',
      because: ['writes a review of `victim` outside an access review', ADMINS],
    },
    {
      name: 'a review slipping in a grant of another system',
      change: {
        [ALICE]: e(ALICE, (g) => (g.review = { last_reviewed: today, reviewer: null, campaign: `db/${today}` })),
        [MALLORY]: e(MALLORY, (g) => (g.review = { last_reviewed: today, reviewer: null, campaign: `db/${today}` })),
      },
      reviews: [['dave', 'APPROVED']],
      verdict: 'fail',
      because: ['writes a review of `mallory` outside an access review', ADMINS],
    },
    // ── paths and YAML ─────────────────────────────────────────────────────────────────────
    {
      name: 'a grant under Grants/ (a case-insensitive file system reads it)',
      change: {
        'Grants/people/mallory-db.yaml': stringify({
          identity: { id: 'mallory-db', kind: 'human', owner: 'carol', github: 'mallory' },
          access: [{ system: 'db', role: 'readonly', justification: 'Needed for the on-call rotation of the team', expires: d(60) }],
        }),
      },
      verdict: 'fail',
      because: ["differs from the access repo's layout only by case", ADMINS, DB_APPROVERS],
    },
    {
      name: 'a grant with an upper-case extension',
      change: {
        'grants/people/mallory-db.YAML': stringify({
          identity: { id: 'mallory-db', kind: 'human', owner: 'carol', github: 'mallory' },
          access: [{ system: 'db', role: 'readonly', justification: 'Needed for the on-call rotation of the team', expires: d(60) }],
        }),
      },
      verdict: 'fail',
      because: ['rename it to `grants/people/mallory-db.yaml`', DB_APPROVERS],
    },
    {
      name: 'a holder smuggled in through a YAML anchor in the description',
      change: {
        [GLASS]: e(GLASS, () => undefined)
          .replace('description: Break-glass superuser', 'description: &who mallory')
          .replace(/(\n\s+)- victim\n/, '$1- victim$1- *who\n'),
      },
      verdict: 'fail',
      because: ['new holder @mallory', DB_APPROVERS],
    },
    {
      name: 'an expiry pushed out by a YAML tag',
      change: { [ALICE]: e(ALICE, () => undefined).replace(/expires: (\S+)/, `expires: !!str ${d(330)}`) },
      verdict: 'fail',
      because: ['expiry later', DB_APPROVERS],
    },
    {
      name: 'a second expires key later in the same entry',
      change: { [ALICE]: e(ALICE, () => undefined).replace(/(\n\s+)expires: (\S+)/, `$1expires: $2$1expires: ${d(330)}`) },
      verdict: 'fail',
      because: ['cannot be read as a grant', ADMINS],
    },
    {
      name: 'an unknown key next to the access entries',
      change: { [ALICE]: e(ALICE, (g) => (g.access_extra = [{ system: 'db', role: 'superuser' }])) },
      verdict: 'fail',
      because: ['cannot be read as a grant', ADMINS],
    },
    // ── self-approval in disguise ──────────────────────────────────────────────────────────
    {
      name: 'the new holder approves their own access',
      author: 'carol',
      commitAuthors: ['carol'],
      change: { [GLASS]: e(GLASS, (g) => g.shared.holders.push('dave')) },
      reviews: [
        ['dave', 'APPROVED'],
        ['erin', 'APPROVED'],
      ],
      verdict: 'fail',
      because: ['dave cannot approve their own access', '(2 required)'],
    },
    {
      name: 'the grantee approves in other capitals',
      author: 'carol',
      commitAuthors: ['carol'],
      change: {
        'grants/people/dave.yaml': stringify({
          identity: { id: 'dave', kind: 'human', owner: 'carol', github: 'Dave' },
          access: [{ system: 'db', role: 'readonly', justification: 'Needed for the on-call rotation of the team', expires: d(60) }],
        }),
      },
      reviews: [['DAVE', 'APPROVED']],
      verdict: 'fail',
      because: ['DAVE cannot approve their own access', 'needs 1 more approval from @acme/dba'],
    },
    {
      name: "the service account's owner approves access for it",
      author: 'mallory',
      base: { [EXPORTER]: e(EXPORTER, (g) => (g.identity.owner = 'dave')) },
      change: {
        [EXPORTER]: e(EXPORTER, (g, d) => {
          g.identity.owner = 'dave';
          g.access[0].expires = d(120);
        }),
      },
      reviews: [['dave', 'APPROVED']],
      verdict: 'fail',
      because: ['dave cannot approve their own access'],
    },
    {
      name: 'an approver who committed to the pull request approves it',
      author: 'alice',
      commitAuthors: ['alice', 'erin'],
      change: { [MALLORY]: newMallory() },
      reviews: [
        ['erin', 'APPROVED'],
        ['frida', 'APPROVED'],
      ],
      verdict: 'fail',
      because: ['erin committed to this pull request and cannot approve it'],
    },
    {
      name: 'a bot approves',
      change: { [MALLORY]: newMallory() },
      reviews: [['helper-bot[bot]', 'APPROVED']],
      verdict: 'fail',
      because: ['approvals by bots do not count'],
    },
  ];
  return list;
}

/** Changes that only narrow access or edit documentation: they pass with no approval at all. */
export function narrowings(today: string): Attack[] {
  const e = (path: string, edit: (g: Grant, d: (n: number) => string) => void) => edited(today, path, edit);
  return [
    { name: 'an entry removed', change: { [BATCH]: e(BATCH, (g) => (g.access = [])) }, verdict: 'pass', because: ['removal only'] },
    { name: 'a grant file deleted', change: { [VICTIM]: null }, verdict: 'pass', because: ['removal only'] },
    { name: 'a holder removed', change: { [GLASS]: e(GLASS, (g) => (g.shared.holders = ['alice'])) }, verdict: 'pass', because: ['removal only'] },
    { name: 'an expiry brought forward', change: { [ALICE]: e(ALICE, (g, d) => (g.access[0].expires = d(10))) }, verdict: 'pass', because: ['removal only'] },
    {
      name: 'privileged dropped on a role the system does not declare privileged',
      base: { [MALLORY]: e(MALLORY, (g) => (g.access[0].privileged = true)) },
      change: { [MALLORY]: e(MALLORY, (g) => (g.access[0].privileged = false)) },
      verdict: 'pass',
      because: ['removal only'],
    },
    {
      name: 'standing access made just-in-time',
      change: { [ALICE]: e(ALICE, (g) => (g.access[0].jit = { max_duration_hours: 2, approvers: ['dave'] })) },
      verdict: 'pass',
      because: ['removal only'],
    },
    {
      name: 'a JIT window shortened',
      change: { [BATCH]: e(BATCH, (g) => (g.access[0].jit.max_duration_hours = 1)) },
      verdict: 'pass',
      because: ['removal only'],
    },
    {
      name: 'the rotation period shortened',
      change: { [BATCH]: e(BATCH, (g) => (g.credential.rotation_days = 30)) },
      verdict: 'pass',
      because: ['removal only'],
    },
    {
      name: 'a compensating control added to a shared account',
      change: { [GLASS]: e(GLASS, (g) => g.shared.compensating_controls.push('approval-workflow')) },
      verdict: 'pass',
      because: ['removal only'],
    },
    {
      name: 'an exception removed',
      base: {
        [CRM]: e(
          CRM,
          (g, d) =>
            (g.exception = {
              reason: 'The vendor has no per-user tokens',
              compensating_controls: ['session-logging'],
              expires: d(30),
              rules: ['rotation-max-days'],
            }),
        ),
      },
      change: { [CRM]: e(CRM, () => undefined) },
      verdict: 'pass',
      because: ['removal only'],
    },
    {
      name: 'a justification reworded',
      change: { [ALICE]: e(ALICE, (g) => (g.access[0].justification = 'Reads production rows when paged at night')) },
      verdict: 'pass',
      because: ['removal only'],
    },
    {
      name: "the vendor's contact changed",
      change: { [CRM]: e(CRM, (g) => (g.vendor.contact = 'help@crm.example')) },
      verdict: 'pass',
      because: ['removal only'],
    },
    {
      name: 'the description changed',
      change: { [EXPORTER]: e(EXPORTER, (g) => (g.identity.description = 'Exports invoices every night')) },
      verdict: 'pass',
      because: ['removal only'],
    },
    {
      name: "the grantee's login in other capitals",
      change: { [ALICE]: e(ALICE, (g) => (g.identity.github = 'Alice')) },
      verdict: 'pass',
      because: ['removal only'],
    },
    {
      name: 'a grant moved to another folder, same name',
      renames: { 'grants/team-a/alice.yaml': ALICE },
      change: { 'grants/team-a/alice.yaml': e(ALICE, () => undefined) },
      verdict: 'pass',
      because: ['removal only'],
    },
    {
      name: 'a system account removed from an entry',
      base: { [ALICE]: e(ALICE, (g) => (g.access[0].accounts = ['alice_ro', 'alice_old'])) },
      change: { [ALICE]: e(ALICE, (g) => (g.access[0].accounts = ['alice_ro'])) },
      verdict: 'pass',
      because: ['removal only'],
    },
    {
      name: 'a team recorded for the first time',
      change: { [ALICE]: e(ALICE, (g) => (g.identity.team = 'support')) },
      verdict: 'pass',
      because: ['removal only'],
    },
    {
      name: 'a move where the config does not ask for re-approval',
      config: CONFIG + 'movers: { reapprove: false }\n',
      base: { [ALICE]: e(ALICE, (g) => (g.identity.team = 'support')) },
      change: { [ALICE]: e(ALICE, (g) => (g.identity.team = 'sales')) },
      verdict: 'pass',
      because: ['removal only'],
    },
    {
      name: 'a review date moved back',
      base: { [ALICE]: e(ALICE, (g, d) => (g.review = { last_reviewed: d(-5), reviewer: 'dave' })) },
      change: { [ALICE]: e(ALICE, (g, d) => (g.review = { last_reviewed: d(-50), reviewer: 'dave' })) },
      verdict: 'pass',
      because: ['removal only'],
    },
  ];
}
