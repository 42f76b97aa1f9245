/**
 * The generated parts of docs/binder.md: every population's columns (src/core/binder/columns.ts),
 * the gap vocabulary (src/core/binder/gaps.ts) and the words for an approval that did not count
 * (src/core/approvals/reasons.ts), each between its markers, so the page cannot drift from the
 * code. `npm run docs:rules` rewrites them; a test fails when they are stale.
 */
import { NOT_COUNTED, reasonPhrase } from '../src/core/approvals/reasons.ts';
import { GAP_KINDS, gap, gapTitle, type Gap, type GapKind } from '../src/core/binder/gaps.ts';
import { POPULATIONS } from '../src/core/binder/populations/index.ts';

/** What each kind says, with placeholders for what a row fills in. */
const EXAMPLES: Record<GapKind, () => Gap> = {
  'no-ledger-record': () => gap('no-ledger-record'),
  'removal-unrecorded': () => gap('removal-unrecorded'),
  'no-approval-record': () => gap('no-approval-record'),
  'file-unrecorded': () => gap('file-unrecorded'),
  'no-counted-approval': () => gap('no-counted-approval', '{system}'),
  'approvals-missing': () => gap('approvals-missing', '{system}', 1, 2),
  'approval-on-older-commit': () => gap('approval-on-older-commit'),
  'approved-after-merge': () => gap('approved-after-merge'),
  'gate-failed': () => gap('gate-failed'),
  'unapproved-merge': () => gap('unapproved-merge', '{cause}'),
  'no-provisioning-record': () => gap('no-provisioning-record'),
  'provisioning-failed': () => gap('provisioning-failed'),
  'unreadable-file': () => gap('unreadable-file', '{problem}'),
  'unreadable-side': () => gap('unreadable-side', 'after', '{problem}'),
  'no-owner': () => gap('no-owner'),
  'system-undefined': () => gap('system-undefined', '{system}'),
  'no-credential': () => gap('no-credential'),
  'no-rotation-record': () => gap('no-rotation-record'),
  'no-storage': () => gap('no-storage'),
  'no-revocation': () => gap('no-revocation'),
  'no-vendor': () => gap('no-vendor'),
  'no-data-scope': () => gap('no-data-scope'),
  'no-offboarding': () => gap('no-offboarding'),
  'exception-no-expiry': () => gap('exception-no-expiry'),
  'exception-expired': () => gap('exception-expired', '{day}'),
  'exception-no-approver': () => gap('exception-no-approver'),
  'shared-no-block': () => gap('shared-no-block'),
  'shared-no-controls': () => gap('shared-no-controls'),
  'not-reviewed': () => gap('not-reviewed'),
  'kept-after-leaving': () => gap('kept-after-leaving', '{grantee, holder or owner}', '{login}'),
  'kept-after-expiry': () => gap('kept-after-expiry', '{day}'),
  unapproved: () => gap('unapproved', '{cause}'),
  'listing-unreadable': () => gap('listing-unreadable', '{problem}'),
  'listing-incomplete': () => gap('listing-incomplete', '{what the connector could not list}'),
  'listing-before-repo': () => gap('listing-before-repo'),
  'listing-not-compared': () => gap('listing-not-compared', '{system}', '{commit}'),
  'difference-open': () => gap('difference-open', '{type}'),
  'no-listing': () => gap('no-listing', '{system}', false),
  'still-named': () => gap('still-named', '{file}', '{login}', '{grantee, holder or owner}', '{as-of day}'),
};

/** Where each kind is counted. */
const WHERE: Record<GapKind, string> = {
  'no-ledger-record': 'grant-changes, additions, modifications, system-changes, review-campaigns (outside a campaign)',
  'removal-unrecorded': 'removals',
  'no-approval-record': 'inventory, privileged, removals (the grant it ended), review-campaigns (the reviewed access)',
  'file-unrecorded': 'non-human, exceptions',
  'no-counted-approval': 'additions, inventory, privileged, review-campaigns (outside a campaign), and every row read from a record that required an approval',
  'approvals-missing': 'every row read from a grant-change record',
  'approval-on-older-commit': 'every row read from a grant-change record',
  'approved-after-merge': 'every row read from a grant-change record',
  'gate-failed': 'every row read from a grant-change record',
  'unapproved-merge': 'every row read from a grant-change record (but unapproved-merges, where it is the row)',
  'unreadable-file': 'inventory',
  'unreadable-side': 'grant-changes, additions, modifications',
  'no-owner': 'inventory, privileged, non-human',
  'system-undefined': 'inventory, privileged',
  'exception-no-expiry': 'exceptions',
  'exception-expired': 'exceptions',
  'exception-no-approver': 'exceptions',
  'shared-no-block': 'exceptions',
  'shared-no-controls': 'exceptions',
  'no-provisioning-record': 'additions, inventory, privileged',
  'provisioning-failed': 'additions, inventory, privileged',
  'no-credential': 'non-human',
  'no-rotation-record': 'non-human (not for OIDC federation)',
  'no-storage': 'non-human (not for OIDC federation)',
  'no-revocation': 'non-human',
  'no-vendor': 'non-human (integrations)',
  'no-data-scope': 'non-human (integrations)',
  'no-offboarding': 'non-human (integrations)',
  'not-reviewed': 'review-campaigns',
  'kept-after-leaving': 'review-campaigns',
  'kept-after-expiry': 'review-campaigns',
  unapproved: 'unapproved-merges',
  'listing-unreadable': 'completeness (listing)',
  'listing-incomplete': 'completeness (listing)',
  'listing-before-repo': 'completeness (listing)',
  'listing-not-compared': 'completeness (listing)',
  'difference-open': 'completeness (undeclared, unprovisioned, excess-privilege, dormant)',
  'no-listing': 'completeness (no-listing)',
  'still-named': 'left-org',
};

const cell = (text: string): string => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');

function between(text: string, name: string, body: string): string {
  const begin = `<!-- ${name}:begin -->`;
  const end = `<!-- ${name}:end -->`;
  const a = text.indexOf(begin);
  const b = text.indexOf(end);
  if (a < 0 || b < a) throw new Error(`docs/binder.md has no ${begin} … ${end} section`);
  return `${text.slice(0, a + begin.length)}\n${body}${text.slice(b)}`;
}

export function renderColumns(): string {
  const out: string[] = [];
  for (const { id, meta, columns } of POPULATIONS) {
    out.push(`### \`${id}\`: ${meta.title}`, '', '| column | title | meaning |', '|---|---|---|');
    for (const c of columns) out.push(`| \`${c.key}\` | ${cell(c.title)} | ${cell(c.description)} |`);
    out.push('');
  }
  return out.join('\n');
}

export function renderGaps(): string {
  const out = ['| kind | counted as | in a row | where |', '|---|---|---|---|'];
  for (const kind of GAP_KINDS) out.push(`| \`${kind}\` | ${cell(gapTitle(kind))} | ${cell(EXAMPLES[kind]().text)} | ${cell(WHERE[kind])} |`);
  return out.join('\n') + '\n';
}

export function renderReasons(): string {
  const out = ['| id | in the chain: "not counted: …" |', '|---|---|'];
  for (const r of NOT_COUNTED) out.push(`| \`${r}\` | ${cell(reasonPhrase(r, { scope: '{system}' }))} |`);
  return out.join('\n') + '\n';
}

/** docs/binder.md with its generated sections rewritten. */
export function renderBinderDoc(current: string): string {
  return between(between(between(current, 'columns', renderColumns()), 'gaps', renderGaps()), 'reasons', renderReasons());
}
