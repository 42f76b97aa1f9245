/**
 * A review campaign as a pull request: its branch, the file edits it proposes, and its body.
 * Approving the PR recertifies every grant in it; deleting lines or files in it revokes.
 */
import { isMap, isNode, isScalar, parseDocument } from 'yaml';
import { isIsoDate } from '../dates.ts';
import type { IsoDate } from '../model/types.ts';
import type { ReviewFlag } from '../ledger/kinds.ts';
import type { DueSystem } from './due.ts';
import type { CampaignListing, ListedAccount } from './listing.ts';
import { inlineCode, mdCode, mdText, mention, plainLine, urlPath } from '../text/escape.ts';

export const DEFAULT_BRANCH_PREFIX = 'access-review/';
export const DEFAULT_REVIEW_LABELS = ['access-review'];
/** GitHub refuses bodies over 65,536 characters. */
const MAX_BODY = 60_000;

export interface CampaignRef {
  system: string;
  date: IsoDate;
}

/** `access-review/<system>/<date>`: one branch per campaign, so a second replica's attempt collides. */
export function campaignBranch(ref: CampaignRef, prefix = DEFAULT_BRANCH_PREFIX): string {
  return `${prefix.endsWith('/') ? prefix : prefix + '/'}${ref.system}/${ref.date}`;
}

export function parseCampaignBranch(branch: string, prefix = DEFAULT_BRANCH_PREFIX): CampaignRef | undefined {
  const p = prefix.endsWith('/') ? prefix : prefix + '/';
  if (!branch.startsWith(p)) return undefined;
  const rest = branch.slice(p.length);
  const slash = rest.lastIndexOf('/');
  if (slash <= 0) return undefined;
  const system = rest.slice(0, slash);
  const date = rest.slice(slash + 1);
  if (!/^[a-z0-9][a-z0-9._-]{0,99}$/.test(system) || !isIsoDate(date)) return undefined;
  return { system, date };
}

/** The id written into `review.campaign` of every grant in the campaign. */
export function campaignId(ref: CampaignRef): string {
  return `${ref.system}/${ref.date}`;
}

export interface FileEdit {
  path: string;
  content: string;
}

/**
 * Sets `review.last_reviewed` to the campaign day, `review.reviewer` to null (the approvers of the
 * PR are the reviewers; the merge records who they were) and `review.campaign`, changing only
 * those values in the text: comments, order, quoting and flow style stay byte for byte, so the
 * pull request's diff shows the review and nothing else.
 * Returns undefined when the file is not a YAML mapping (the sweep only edits valid grants).
 */
export function reviewEdit(content: string, ref: CampaignRef): string | undefined {
  const doc = parseDocument(content);
  if (doc.errors.length > 0 || !isMap(doc.contents)) return undefined;
  const values: [string, string][] = [
    ['last_reviewed', ref.date],
    ['reviewer', 'null'],
    ['campaign', campaignId(ref)],
  ];
  const review = doc.contents.get('review', true);
  if (review === undefined || review === null || (isScalar(review) && review.value === null)) {
    if (doc.contents.has('review')) return undefined; // `review:` with no value: rare; let a person fix it
    const block = values.map(([k, v]) => `  ${k}: ${v}`).join('\n');
    return `${content}${content.endsWith('\n') ? '' : '\n'}review:\n${block}\n`;
  }
  if (!isMap(review) || !review.range) return undefined;
  const splices: { at: number; end: number; text: string }[] = [];
  const missing: [string, string][] = [];
  let lastEnd = -1;
  let keyColumn = -1;
  for (const item of review.items) {
    const valueEnd = (isNode(item.value) && item.value.range?.[1]) || (isNode(item.key) && item.key.range?.[1]) || -1;
    lastEnd = Math.max(lastEnd, valueEnd);
    if (keyColumn < 0 && isNode(item.key) && item.key.range) keyColumn = item.key.range[0] - content.lastIndexOf('\n', item.key.range[0] - 1) - 1;
  }
  for (const [key, text] of values) {
    const pair = review.items.find((p) => isScalar(p.key) && p.key.value === key);
    const node = pair?.value;
    if (pair && isScalar(node) && node.range) {
      const [a, b] = node.range;
      splices.push({ at: a, end: b, text: a === b ? ` ${text}` : text });
    } else if (pair) {
      return undefined; // a non-scalar review value: not ours to rewrite
    } else {
      missing.push([key, text]);
    }
  }
  if (missing.length) {
    if (review.flow) {
      const at = lastEnd >= 0 ? lastEnd : content.indexOf('{', review.range[0]) + 1;
      splices.push({ at, end: at, text: missing.map(([k, v], i) => `${lastEnd >= 0 || i > 0 ? ', ' : ' '}${k}: ${v}`).join('') + (lastEnd >= 0 ? '' : ' ') });
    } else {
      const lineEnd = content.indexOf('\n', lastEnd);
      const at = lineEnd < 0 ? content.length : lineEnd;
      const indent = ' '.repeat(Math.max(keyColumn, 2));
      splices.push({ at, end: at, text: missing.map(([k, v]) => `\n${indent}${k}: ${v}`).join('') });
    }
  }
  let out = content;
  // From the end backwards; at one offset, what was pushed later (appended keys) goes in first.
  const ordered = splices.map((s, i) => ({ ...s, i })).sort((x, y) => y.at - x.at || y.i - x.i);
  for (const s of ordered) out = out.slice(0, s.at) + s.text + out.slice(s.end);
  // Prove the edit: the result must parse and carry exactly the new values.
  const check = parseDocument(out);
  const r = check.errors.length === 0 ? (check.toJS() as { review?: Record<string, unknown> } | null)?.review : undefined;
  if (!r || r.last_reviewed !== ref.date || r.reviewer !== null || r.campaign !== campaignId(ref)) return undefined;
  return out;
}

export function campaignEdits(files: ReadonlyMap<string, string>, due: DueSystem, ref: CampaignRef): FileEdit[] {
  const edits: FileEdit[] = [];
  for (const g of due.grants) {
    const content = files.get(g.path);
    if (content === undefined) continue;
    const next = reviewEdit(content, ref);
    if (next !== undefined && next !== content) edits.push({ path: g.path, content: next });
  }
  return edits;
}

export interface CampaignText {
  title: string;
  body: string;
}

// Values from grant and system files go through the escaping module (no link, HTML, marker or
// stray mention; secrets masked); the approvers are mentioned on purpose, as reviewers.
/** Values a user wrote (job ids, environment names, paths) are inert inline code: one escaper for every report. */
const code = inlineCode;
const cellCode = (s: string) => mdCode(s, 300, { inTable: true });

export interface CampaignBodyContext {
  repository: string;
  webUrl: string;
  configPath: string;
  branch: string;
  /** Identity id → last day the access was used, where an adapter knows it. */
  lastUsed?: ReadonlyMap<string, IsoDate>;
  /** Lower-case login → member of the organization, as the sweep read it (false: has left). */
  membership?: Readonly<Record<string, boolean>>;
  /** The day the review opens: an entry that expired before it is flagged. */
  today?: IsoDate;
  /** The system's latest recorded listing, when it has one: each entry is shown beside what it lists. */
  listing?: CampaignListing;
  /** The ledger branch (links to the listing's raw export). */
  ledgerBranch?: string;
}

/** Why a reviewer must not keep an entry blindly: someone it names has left, or it has expired. */
export type EntryFlag = ReviewFlag;

/**
 * The flags of one entry of a grant: its grantee, a holder or its owner is no member of the
 * organization (as `membership` says; an unknown login is not flagged here), or it expired before
 * `today`. The review pull request and the `review-campaign` record mark the same things.
 */
export function entryFlags(
  grant: { owner: string | null; github: string | null; holders: readonly string[] },
  entry: { expires: IsoDate | null },
  membership: Readonly<Record<string, boolean>> | undefined,
  today: IsoDate | undefined,
): EntryFlag[] {
  const flags: EntryFlag[] = [];
  const seen = new Set<string>();
  const left = (login: string | null, as: 'owner' | 'grantee' | 'holder') => {
    if (!login || !membership) return;
    const key = login.replace(/^@/, '').toLowerCase();
    if (membership[key] !== false || seen.has(key)) return;
    seen.add(key);
    flags.push({ kind: 'left-org', login, as });
  };
  left(grant.github, 'grantee');
  for (const h of grant.holders) left(h, 'holder');
  left(grant.owner, 'owner');
  if (entry.expires && today && entry.expires < today) flags.push({ kind: 'expired', on: entry.expires });
  return flags;
}

/** A flag in words, as the pull request, the record's readers and the binder say it. */
export function flagWords(f: EntryFlag): string {
  return f.kind === 'left-org' ? `${f.as} ${f.login} left the organization` : `expired on ${f.on}`;
}

export function formatCampaignMarker(ref: CampaignRef): string {
  return `<!-- access-ledger:review system=${ref.system} date=${ref.date} -->`;
}

/** A marker alone on its line, as `formatCampaignMarker` writes it: never one inside other text. */
const CAMPAIGN_MARKER_RE = /^[ \t]*<!-- access-ledger:review system=([a-z0-9][a-z0-9._-]{0,99}) date=(\d{4}-\d{2}-\d{2}) -->[ \t]*\r?$/m;

export function parseCampaignMarker(body: string | null | undefined): CampaignRef | undefined {
  const m = body ? CAMPAIGN_MARKER_RE.exec(body) : null;
  return m && isIsoDate(m[2]) ? { system: m[1]!, date: m[2]! } : undefined;
}

const used = (a: ListedAccount): string => (!a.lastUsedReported ? 'not reported' : a.last_used ? a.last_used.slice(0, 10) : 'never');
const mfa = (a: ListedAccount): string => (a.mfa === null ? 'not reported' : a.mfa ? 'yes' : '**no**');

export function campaignText(due: DueSystem, ref: CampaignRef, ctx: CampaignBodyContext): CampaignText {
  const base = `${ctx.webUrl.replace(/\/$/, '')}/${urlPath(ctx.repository)}/blob/${encodeURIComponent(ctx.branch)}/`;
  const listing = ctx.listing;
  const showUsed = !listing && Boolean(ctx.lastUsed?.size);
  const flagsOf = due.grants.map((g) => g.entries.map((e) => entryFlags(g, e, ctx.membership, ctx.today)));
  const flagged = flagsOf.flat().filter((f) => f.length > 0).length;
  const rows: string[] = [];
  let entries = 0;
  let privileged = 0;
  let unlisted = 0;
  due.grants.forEach((g, gi) => {
    const accounts = listing?.byGrant.get(g.path) ?? [];
    if (listing && accounts.length === 0) unlisted++;
    g.entries.forEach((e, ei) => {
      entries++;
      if (e.privileged) privileged++;
      let extra = '';
      if (listing) {
        extra = accounts.length
          ? ` ${accounts.map((a) => mdCode(a.principal, 120, { inTable: true })).join(', ')} | ${accounts.map((a) => mdText(used(a), 40)).join(', ')} | ${accounts.map(mfa).join(', ')} |`
          : ' _not listed_ | | |';
      } else if (showUsed) {
        extra = ` ${mdText(ctx.lastUsed!.get(g.identity) ?? 'unknown', 40)} |`;
      }
      // A leaver is named, never mentioned: the flag is for the reviewers.
      const flags = flagsOf[gi]![ei]!;
      const check =
        flagged > 0
          ? ` ${flags.length ? `⚠️ ${flags.map((f) => (f.kind === 'left-org' ? `${f.as} ${cellCode(f.login)} left the organization` : `expired on ${mdText(f.on, 40)}`)).join('; ')}` : ''} |`
          : '';
      rows.push(
        `| [${cellCode(g.identity)}](${base}${urlPath(g.path)}) | ${mdText(g.kind, 40)} | ${cellCode(e.role)} | ${e.privileged ? '**yes**' : 'no'} | ${g.owner ? (flags.some((f) => f.kind === 'left-org' && f.as === 'owner') ? cellCode(g.owner) : mention(g.owner)) : '_none_'} | ${e.expires ? mdText(e.expires, 40) : '_none_'} |${extra}${check}`,
      );
    });
  });
  const approvers = due.approvers.length ? due.approvers.map(mention).join(', ') : '_none listed: the admins_';
  const ledger = ctx.ledgerBranch ?? 'access-ledger';
  const listingLines = listing
    ? [
        '',
        `**What ${code(due.system)} itself lists:** its listing taken ${mdText(listing.taken_at, 40)} ([raw export](${ctx.webUrl.replace(/\/$/, '')}/${urlPath(ctx.repository)}/blob/${urlPath(ledger)}/${urlPath(listing.raw_path)}), SHA-256 ${mdCode(listing.raw_sha256, 64)}; ledger record ${mdCode(listing.key, 200)}, seq ${listing.seq}). Each entry below shows the account the system lists for it, its last use and MFA where the system reports them; ${unlisted === 0 ? 'every grant has its account' : `${unlisted} grant${unlisted === 1 ? ' has' : 's have'} no account there (_not listed_: never provisioned, or removed there: revoke the entry, or provision it)`}; ${listing.undeclared.length === 0 ? 'it lists no account that no grant declares' : `it lists ${listing.undeclared.length} account${listing.undeclared.length === 1 ? '' : 's'} that no grant declares (below)`}.${listing.gaps.length ? ` The listing could not cover: ${listing.gaps.map((g) => mdText(g, 300)).join('; ')}.` : ''}`,
      ]
    : [];
  const head = [
    formatCampaignMarker(ref),
    `### Access review of ${code(due.system)} (${mdText(due.name, 200)}), ${ref.date}`,
    '',
    `Every identity with access to ${code(due.system)} is listed below: ${due.grants.length} grant file${due.grants.length === 1 ? '' : 's'}, ${entries} access entr${entries === 1 ? 'y' : 'ies'}, ${privileged} privileged. ${mdText(due.system, 100)} is reviewed every ${due.cadenceDays} days; ${due.due ? `this review is due by ${due.due}` : 'it has no review on record'}.`,
    ...listingLines,
    '',
    `This pull request sets ${code('review.last_reviewed')} to ${ref.date} in each file (and ${code('review.reviewer')} to null: the approvers of this pull request are the reviewers, and the evidence ledger records who they were when it merges).`,
    '',
    `**Reviewers** (${mdText(due.system, 100)}'s approvers): ${approvers}`,
    '',
    '**How to review:**',
    '- **Keep** access that is still needed: leave it as it is.',
    "- **Revoke** access that is not: in this pull request, delete the entry's lines from the file, or delete the whole file to revoke the identity, after removing the access in the system itself.",
    `- **Narrow** access: change its ${code('role')}, ${code('privileged')} or ${code('expires')} in this pull request.`,
    ...(listing?.undeclared.length
      ? [
          '- **Resolve** each account the system lists that no grant declares: declare it (a pull request adding a grant for it, approved like any other), or remove it in the system.',
        ]
      : []),
    '- **Approve** the pull request to sign off, then merge it. The merge is recorded as a `review-campaign` record with what was kept, changed and removed' +
      (listing ? `, and the listing it was shown (${code(listing.key)})` : '') +
      '.',
    '',
    ...(flagged > 0
      ? [
          `**${flagged} entr${flagged === 1 ? 'y needs' : 'ies need'} a decision, not a keep** (marked ⚠️ below): the grantee, a holder or the owner has left the organization, or the access has expired. Revoke it, hand a non-human identity to a new owner, or renew it with a new justification in this pull request; the record of this review marks each one with what was decided.`,
          '',
        ]
      : []),
    `| identity | kind | role | privileged | owner | expires |${listing ? ' listed as | last used | MFA |' : showUsed ? ' last used |' : ''}${flagged > 0 ? ' check |' : ''}`,
    `|---|---|---|---|---|---|${listing ? '---|---|---|' : showUsed ? '---|' : ''}${flagged > 0 ? '---|' : ''}`,
  ];
  const undeclaredRows = (listing?.undeclared ?? []).map(
    (a) =>
      `| ${mdCode(a.principal, 120, { inTable: true })} | ${mdText(a.kind, 20)} | ${a.roles.length ? a.roles.map((r) => mdCode(r, 100, { inTable: true })).join(', ') : '_none reported_'} | ${mdText(used(a), 40)} | ${mfa(a)} | ${mdText(a.why, 400)} |`,
  );
  const undeclaredHead = [
    '',
    `#### Accounts ${code(due.system)} lists that no grant declares (${undeclaredRows.length})`,
    '',
    'Resolve each in this review: declare it by a pull request adding a grant (approved like any other), or remove it in the system. The sweep keeps an issue open for them until then.',
    '',
    '| account | kind | roles | last used | MFA | why |',
    '|---|---|---|---|---|---|',
  ];
  const foot = [
    '',
    '---',
    `<sub>Opened by the access-ledger review campaign for ${code(ctx.repository)} under ${code(ctx.configPath)} (${code('reviews')}: labels, branch prefix; ${code(`systems/${due.system}.yaml`)}: ${code('review_cadence_days')}). No second review of ${code(due.system)} opens while this one is open.</sub>`,
  ];
  let size = head.join('\n').length + foot.join('\n').length + (undeclaredRows.length ? undeclaredHead.join('\n').length : 0) + 400;
  const shown: string[] = [];
  for (const r of rows) {
    if (size + r.length + 1 > MAX_BODY) break;
    shown.push(r);
    size += r.length + 1;
  }
  const shownUndeclared: string[] = [];
  for (const r of undeclaredRows) {
    if (size + r.length + 1 > MAX_BODY) break;
    shownUndeclared.push(r);
    size += r.length + 1;
  }
  const more = rows.length - shown.length;
  const moreUndeclared = undeclaredRows.length - shownUndeclared.length;
  const body =
    [
      ...head,
      ...shown,
      ...(more > 0 ? ['', `…and ${more} more entries: see the files changed in this pull request.`] : []),
      ...(undeclaredRows.length
        ? [
            ...undeclaredHead,
            ...shownUndeclared,
            ...(moreUndeclared > 0
              ? ['', `…and ${moreUndeclared} more accounts: see the drift issue of ${code(due.system)}, or run ${code('access-ledger drift')} on the listing.`]
              : []),
          ]
        : []),
      ...foot,
    ].join('\n') + '\n';
  return { title: `Access review: ${plainLine(due.name, 200)} (${plainLine(due.system, 100)}), ${ref.date}`, body };
}
