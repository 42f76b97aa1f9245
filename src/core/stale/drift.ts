/**
 * Drift as sweep problems: the findings of `drift` over each system's latest recorded listing,
 * grouped into one problem per system and observed rule, and the issue text for each.
 *
 * The engine decides *whether* there is a difference (the policy's severities and options, the
 * exceptions that waive a rule); the rows keep the finding's own words, with what changes from
 * one listing to the next taken out (the day of the listing, ages in days), so a daily listing
 * that finds the same differences leaves the issue exactly as it is. Which listing found them is
 * shown but not hashed. Pure.
 */
import type { Finding } from '../findings.ts';
import type { Snapshot } from '../model/snapshot.ts';
import type { RecordedSnapshot } from '../observe/record.ts';
import { builtinRegistry } from '../validate.ts';
import { mdCode, mdText, plainLine, urlPath } from '../text/escape.ts';
import { isDriftKind, type DriftKind } from './kinds.ts';

/** One difference, as the issue lists it. */
export interface DriftRow {
  /** The account the system lists, when the difference is about one. */
  account: string | null;
  /** The grant it maps to, when it maps to one. */
  identity: string | null;
  file: string | null;
  line: number | null;
  severity: Finding['severity'];
  /** The finding's message without what changes from one listing to the next. */
  message: string;
}

/** The listing the differences were found in: shown in the issue, not part of its hash. */
export interface DriftListing {
  key: string;
  seq: number;
  taken_at: string;
  raw_sha256: string;
  raw_path: string;
  connector: string;
  scope: string | null;
  gaps: string[];
}

export interface DriftProblem {
  kind: DriftKind;
  /** The system id. */
  id: string;
  system: string;
  systemName: string | null;
  /** The system file's owner, assigned when they can be. */
  owner: string | null;
  controls: string[];
  severity: Finding['severity'];
  rows: DriftRow[];
  listing: DriftListing;
  /** The listing of the organization the leaver rule compared with, for observed-leaver-access. */
  membership: DriftListing | null;
}

/**
 * A finding's message as an issue keeps it: without the listing's day (`(listed 2026-11-20)`) and
 * the ages measured at it (`, 322 days before the listing`), which change with every listing while
 * the difference stays the same.
 */
export function steadyMessage(message: string): string {
  return message.replace(/ \(listed \d{4}-\d{2}-\d{2}\)/g, '').replace(/, \d+ days? before the listing/g, '');
}

function listingOf(r: RecordedSnapshot): DriftListing {
  return {
    key: r.record.key,
    seq: r.record.seq,
    taken_at: r.subject.taken_at,
    raw_sha256: r.subject.raw_sha256,
    raw_path: r.subject.raw_path,
    connector: r.subject.connector,
    scope: r.subject.scope,
    gaps: [...r.subject.gaps],
  };
}

const strongest = (a: Finding['severity'], b: Finding['severity']): Finding['severity'] => (a === 'error' || b === 'error' ? 'error' : 'warning');

/**
 * One problem per (system, observed rule) with findings, for the systems in `systems` (those
 * defined under systems/ whose latest listing was read). `listings` are the recorded listings the
 * findings were computed from, by system.
 */
export function driftProblems(input: {
  findings: readonly Finding[];
  listings: ReadonlyMap<string, RecordedSnapshot>;
  repo: Snapshot;
  systems: ReadonlySet<string>;
}): DriftProblem[] {
  const defs = new Map<string, { name: string | null; owner: string | null }>();
  for (const f of input.repo.systems) if (f.data) defs.set(f.data.id, { name: f.data.name ?? null, owner: f.data.owner ?? null });
  let membership: RecordedSnapshot | null = null;
  for (const r of input.listings.values())
    if (r.subject.connector === 'github-org' && (!membership || r.subject.taken_at > membership.subject.taken_at)) membership = r;
  const groups = new Map<string, DriftProblem>();
  for (const f of input.findings) {
    if (!isDriftKind(f.rule) || !f.system || !input.systems.has(f.system)) continue;
    const listing = input.listings.get(f.system);
    if (!listing) continue;
    const key = `${f.rule}\0${f.system}`;
    let p = groups.get(key);
    if (!p) {
      const def = defs.get(f.system);
      p = {
        kind: f.rule,
        id: f.system,
        system: f.system,
        systemName: def?.name ?? null,
        owner: def?.owner ?? null,
        controls: [...f.controls],
        severity: f.severity,
        rows: [],
        listing: listingOf(listing),
        membership: f.rule === 'observed-leaver-access' && membership ? listingOf(membership) : null,
      };
      groups.set(key, p);
    }
    p.severity = strongest(p.severity, f.severity);
    p.rows.push({
      account: f.account ?? null,
      identity: f.identity ?? null,
      file: f.file ?? null,
      line: f.line ?? null,
      severity: f.severity,
      message: steadyMessage(f.message),
    });
  }
  const out = [...groups.values()];
  for (const p of out) {
    p.rows.sort(
      (a, b) =>
        (a.file ?? '').localeCompare(b.file ?? '') ||
        (a.line ?? 0) - (b.line ?? 0) ||
        (a.account ?? '').localeCompare(b.account ?? '') ||
        a.message.localeCompare(b.message),
    );
  }
  return out.sort((a, b) => a.kind.localeCompare(b.kind) || a.id.localeCompare(b.id));
}

// ---- the issue -----------------------------------------------------------------------------------

/** GitHub refuses issue bodies over 65,536 characters: the table stops well before. */
const MAX_ROWS = 200;

const TITLES: Readonly<Record<DriftKind, (system: string) => string>> = {
  'observed-leaver-access': (s) => `Urgent: people who left the organization still have accounts on ${s}`,
  'observed-undeclared': (s) => `Accounts on ${s} that no grant declares`,
  'observed-excess-privilege': (s) => `Privilege on ${s} beyond what the grants declare`,
  'observed-mfa-missing': (s) => `Accounts on ${s} without MFA`,
  'observed-rotation-overdue': (s) => `Keys on ${s} overdue for rotation`,
  'observed-unprovisioned': (s) => `Grants to ${s} with no account there`,
  'observed-dormant': (s) => `Dormant accounts on ${s}`,
};

const HEADINGS: Readonly<Record<DriftKind, string>> = {
  'observed-leaver-access': 'still lists accounts of people who are no longer in the organization',
  'observed-undeclared': 'lists accounts that no grant declares',
  'observed-excess-privilege': 'gives accounts roles or privilege their grants do not declare',
  'observed-mfa-missing': 'lists accounts of people without MFA',
  'observed-rotation-overdue': 'reports keys older than their rotation period',
  'observed-unprovisioned': 'lists no account for some grants in force',
  'observed-dormant': 'lists accounts nobody has used for a long time',
};

export interface DriftRenderContext {
  repository: string;
  branch: string;
  webUrl: string;
  /** The ledger branch the listings are recorded on. */
  ledgerBranch: string;
}

export interface DriftParts {
  title: string;
  summary: string;
  assignees: string[];
  /** What the issue says: hashed. */
  lines: string[];
  /** Which listing found it, shown after the heading: not hashed. */
  note: string[];
}

function link(ctx: DriftRenderContext, ref: string, path: string, line: number | null, text: string): string {
  const url = `${ctx.webUrl.replace(/\/$/, '')}/${urlPath(ctx.repository)}/blob/${urlPath(ref)}/${urlPath(path)}${line ? `#L${line}` : ''}`;
  return `[${text}](${url})`;
}

function listingLine(ctx: DriftRenderContext, l: DriftListing, what: string): string {
  const gaps = l.gaps.length ? ` It could not cover: ${l.gaps.map((g) => mdText(g, 300)).join('; ')}.` : '';
  return `${what} ${mdText(l.taken_at, 40)} (${link(ctx, ctx.ledgerBranch, l.raw_path, null, 'raw export')}, SHA-256 ${mdCode(l.raw_sha256, 64)}; ledger record ${mdCode(l.key, 200)}, seq ${l.seq}).${gaps}`;
}

export function driftParts(p: DriftProblem, ctx: DriftRenderContext): DriftParts {
  const meta = builtinRegistry().get(p.kind)?.meta;
  const system = mdCode(p.system, 100);
  const named = p.systemName ? `${mdText(p.systemName, 200)} (${system})` : system;
  const shown = p.rows.slice(0, MAX_ROWS);
  const rows = shown.map((r) => {
    const account = r.account !== null ? mdCode(r.account, 200, { inTable: true }) : '_none_';
    const where = r.file ? link(ctx, ctx.branch, r.file, r.line, mdCode(`${r.file}${r.line ? `:${r.line}` : ''}`, 300, { inTable: true })) : '_none_';
    const grant = r.identity !== null ? `${mdCode(r.identity, 200, { inTable: true })} ${where}` : where;
    return `| ${account} | ${grant} | ${mdText(r.message, 1500)} |`;
  });
  const count = p.rows.length;
  const lines = [
    `### ${named} ${HEADINGS[p.kind]}`,
    '',
    meta ? mdText(meta.description, 1000) : '',
    '',
    '| account | grant (where the finding points) | what the listing shows |',
    '|---|---|---|',
    ...rows,
    ...(count > shown.length
      ? ['', `…and ${count - shown.length} more: run ${mdCode(`access-ledger drift --snapshot <the listing>`, 200)} on a clone to see them all.`]
      : []),
    '',
    `**What to do:** ${meta ? mdText(meta.fix, 1000) : 'see the rule in docs/rules.md'} Then the next sweep compares again (after the next listing, for what is fixed on ${system} itself) and closes this issue once nothing of this kind is left.`,
  ];
  const note = [
    listingLine(ctx, p.listing, `Found in the listing of ${system} taken`),
    ...(p.membership && p.membership.key !== p.listing.key ? [listingLine(ctx, p.membership, 'Compared with the listing of the organization taken')] : []),
    'A later listing that finds the same differences leaves this description as it is.',
  ];
  return {
    title: plainLine(TITLES[p.kind](p.systemName ? `${p.systemName} (${p.system})` : p.system), 200),
    summary: `${count} ${count === 1 ? 'difference' : 'differences'} of this kind between ${system}'s latest listing and the grants`,
    assignees: p.owner ? [p.owner] : [],
    lines,
    note: ['', ...note],
  };
}
