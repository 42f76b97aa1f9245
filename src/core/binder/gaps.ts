/**
 * The binder's gaps in one vocabulary: what evidence a row lacks, by kind, with the words every
 * population, the evidence chains and the `gaps` index use. A gap is shown in its row's `gaps`
 * cell, counted in its population's "rows with gaps", listed in the `gaps` population, and the
 * evidence chain of a sampled row shows exactly its row's gaps. Pure.
 */

/** Each kind: a title (what the summary counts) and its words (what a row says). */
const GAPS = {
  'no-ledger-record': { title: 'change without a ledger record', words: () => 'no grant-change record in the ledger for this commit' },
  'removal-unrecorded': { title: 'removal without a ledger record', words: () => 'no ledger record for this removal' },
  'no-approval-record': { title: 'access without an approval record', words: () => 'no approval record in the ledger' },
  'file-unrecorded': { title: 'grant file without a ledger record', words: () => 'no ledger record of a change to this grant file' },
  'no-counted-approval': { title: 'no counted approval', words: (scope: string) => `no counted approval for ${scope} in the merge-time verdict` },
  'approvals-missing': {
    title: 'required approvals missing',
    words: (scope: string, missing: number, required: number) => `${scope}: ${missing} of ${required} required approvals missing at merge`,
  },
  'approval-on-older-commit': { title: 'approval on an older commit', words: () => 'an approval was given on an older commit than the merged head' },
  'approved-after-merge': { title: 'approved after the merge', words: () => 'approved after the merge' },
  'gate-failed': { title: 'merged although the gate refused it', words: () => 'the gate would have refused this merge' },
  'unapproved-merge': { title: 'recorded as an unapproved merge', words: (cause: string) => `recorded as an unapproved merge (${cause})` },
  'no-provisioning-record': {
    title: 'no provisioning record',
    words: () => 'no provisioning record (no run of the provisioning workflow on the merge commit is recorded)',
  },
  'provisioning-failed': { title: 'no successful provisioning run', words: () => 'no successful provisioning run recorded' },
  'unreadable-file': { title: 'file that cannot be read', words: (problem: string) => `file cannot be read: ${problem}` },
  'unreadable-side': { title: 'file that cannot be read', words: (side: 'before' | 'after', problem: string) => `${side}: ${problem}` },
  'no-owner': { title: 'identity without an owner', words: () => 'no owner' },
  'system-undefined': { title: 'system not defined', words: (system: string) => `system ${system} has no file in systems/` },
  'no-credential': { title: 'non-human identity without a credential block', words: () => 'no credential block' },
  'no-rotation-record': { title: 'credential without a rotation record', words: () => 'no rotation record (credential.last_rotated)' },
  'no-storage': { title: 'credential without its storage', words: () => 'no credential storage (credential.storage)' },
  'no-revocation': { title: 'credential without a revocation path', words: () => 'no revocation path (credential.revocation)' },
  'no-vendor': { title: 'integration without a vendor block', words: () => 'no vendor block (vendor.name, data_scope, offboarding)' },
  'no-data-scope': { title: 'vendor without a data scope', words: () => 'no vendor data scope (vendor.data_scope)' },
  'no-offboarding': { title: 'vendor without an offboarding path', words: () => 'no vendor offboarding path (vendor.offboarding)' },
  'exception-no-expiry': { title: 'exception without an expiry', words: () => 'exception has no expiry' },
  'exception-expired': { title: 'expired exception', words: (day: string) => `exception expired on ${day}` },
  'exception-no-approver': { title: 'exception without approvers', words: () => 'no approved_by in the file (see the ledger record of the PR that added it)' },
  'shared-no-block': { title: 'shared account without a shared block', words: () => 'shared account without a shared block (holders, compensating controls)' },
  'shared-no-controls': { title: 'shared account without compensating controls', words: () => 'no compensating controls' },
  'not-reviewed': {
    title: 'review item certified by nobody eligible',
    words: () => 'marked reviewed, but certified by nobody eligible other than its own grantee',
  },
  'kept-after-leaving': {
    title: 'review kept access of someone who had left',
    words: (as: string, login: string) => `kept although its ${as} ${login} had left the organization`,
  },
  'kept-after-expiry': { title: 'review kept expired access', words: (day: string) => `kept although it expired on ${day}` },
  unapproved: {
    title: 'merged although the policy would have refused it',
    words: (cause: string) => `merged although the policy would have refused it (${cause})`,
  },
  'listing-unreadable': { title: 'listing that cannot be read back', words: (problem: string) => `the listing cannot be read back: ${problem}` },
  'listing-incomplete': { title: 'listing that could not cover every account', words: (what: string) => `the listing could not cover: ${what}` },
  'listing-before-repo': {
    title: 'listing taken before the access repo had a commit',
    words: () => 'the access repo had no commit yet when it was listed: not compared',
  },
  'listing-not-compared': {
    title: 'listing of a system no file defined',
    words: (system: string, commit: string) =>
      `no file under systems/ defined ${system} at ${commit}: not compared (a listing of the organization without one tells who is a member)`,
  },
  'difference-open': { title: 'listed difference not resolved', words: (type: string) => `${type} difference not resolved by the end of the ledger` },
  'no-listing': {
    title: 'system not listed in the period',
    words: (system: string, observed: boolean) =>
      `no listing of ${system} in the period: the completeness of its population was not tested${observed ? '' : ' (its system file has no observe block)'}`,
  },
  'still-named': {
    title: 'grant still naming a leaver',
    words: (path: string, login: string, as: string, day: string) => `${path} still named ${login} (as ${as}) on ${day}`,
  },
} as const;

export type GapKind = keyof typeof GAPS;
/** @internal for scripts/gen-binder-doc.ts, which lists every kind in docs/binder.md, and the tests */
export const GAP_KINDS = Object.keys(GAPS) as GapKind[];

export interface Gap {
  kind: GapKind;
  text: string;
}

type WordsOf<K extends GapKind> = (typeof GAPS)[K]['words'];

/** Gaps are joined with `; ` in a cell, and split on it again by the chains: no gap's words hold it. */
export const GAP_SEPARATOR = '; ';

/** A gap of one kind, in its words. */
export function gap<K extends GapKind>(kind: K, ...args: Parameters<WordsOf<K>>): Gap {
  const words = GAPS[kind].words as (...a: Parameters<WordsOf<K>>) => string;
  return { kind, text: words(...args).replaceAll(GAP_SEPARATOR, ', ') };
}

/** What the summary counts a kind as. */
export function gapTitle(kind: GapKind): string {
  return GAPS[kind].title;
}

/** The `gaps` cell of a row: its gaps' words, or null when it has none. */
export function gapCell(gaps: readonly Gap[]): string | null {
  return gaps.length === 0 ? null : gaps.map((g) => g.text).join(GAP_SEPARATOR);
}

/** A row's gaps again, from its `gaps` cell (the chains show exactly what the row counts). */
export function gapsOfCell(cell: unknown): string[] {
  return typeof cell === 'string' && cell !== '' ? cell.split(GAP_SEPARATOR) : [];
}
