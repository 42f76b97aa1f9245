/**
 * Problems → the issues the sweep wants to exist: title, body, labels, assignees and the marker.
 * The body says what is wrong, since when, which controls, and exactly what to do; it holds no
 * day count or other text that changes by itself, so an unchanged grant keeps an unchanged issue.
 */
import { addDays } from '../dates.ts';
import type { IsoDate } from '../model/types.ts';
import type { EntriesProblem, EntryFact, ExceptionProblem, GrantRef, LeaverProblem, Problem, ReviewProblem, RotationProblem } from './detect.ts';
import { problemKey } from './detect.ts';
import { driftParts } from './drift.ts';
import { KIND_INFO, isDriftKind, type ProblemKind } from './kinds.ts';
import { DEFAULT_LEDGER_BRANCH } from '../ledger/record.ts';
import { contentHash, formatStaleMarker } from './marker.ts';
import { inlineCode, mdCode, mdText, mention, plainLine, urlPath } from '../text/escape.ts';

/** The label every managed issue carries: the sweep lists its issues by it. */
export const MANAGED_LABEL = 'stale-grant';
export const DEFAULT_EXTRA_LABELS = ['access-ledger'];
export const URGENT_LABEL = 'urgent';
export const DEFAULT_REMINDER_DAYS = 7;
export const DEFAULT_MAX_WRITES = 100;
/** GitHub accepts at most 10 assignees on an issue. */
const MAX_ASSIGNEES = 10;
/** GitHub refuses issue bodies over 65,536 characters; leave room for the marker and footer. */
const MAX_TABLE_ROWS = 200;

export interface RenderContext {
  /** `owner/name` of the access repo. */
  repository: string;
  /** The default branch the sweep read. */
  branch: string;
  /** Web URL of the GitHub server, e.g. `https://github.com`. */
  webUrl: string;
  /** The config file that produced the issue (named in the footer). */
  configPath: string;
  /** Labels from `stale.labels` (the managed label is always added). */
  labels?: readonly string[];
  /** `stale.assign_owner` (default true). */
  assignOwner?: boolean;
  /** `stale.reminder_days`. */
  reminderDays?: number;
  /** `admins` from the config: copied on urgent issues. */
  admins?: readonly string[];
  /** Lower-cased login → member; leavers are never assigned. */
  membership?: Readonly<Record<string, boolean>>;
  /** Label of the access-review pull requests (linked from review-overdue issues). */
  reviewLabel?: string;
  /** The ledger branch (drift issues link the raw export of the listing they were found in). */
  ledgerBranch?: string;
}

export interface DesiredIssue {
  /** `<kind>:<id>`: one issue per key. */
  key: string;
  kind: ProblemKind;
  id: string;
  title: string;
  /** The full body, marker first. */
  body: string;
  /** Hash of the body below the marker (what the marker carries). */
  hash: string;
  labels: string[];
  assignees: string[];
  /** One line for comments: what the problem is now. */
  summary: string;
  urgent: boolean;
  priority: number;
  /** The grant file, when the subject is a grant (closing text says whether it still exists). */
  path: string | null;
}

// Every value from a grant file, the config or the repository goes through the escaping module:
// code spans and text that open no link, image, HTML or marker, mention nobody, and mask secrets.
/** Values a user wrote (job ids, environment names, paths) are inert inline code: one escaper for every report. */
const code = inlineCode;
const cellCode = (s: string) => mdCode(s, 300, { inTable: true });
const yesNo = (b: boolean) => (b ? 'yes' : 'no');

function fileLink(ctx: RenderContext, path: string, inTable = false): string {
  const url = `${ctx.webUrl.replace(/\/$/, '')}/${urlPath(ctx.repository)}/blob/${urlPath(ctx.branch)}/${urlPath(path)}`;
  return `[${inTable ? cellCode(path) : code(path)}](${url})`;
}

function people(g: GrantRef): string {
  const parts = [`**Owner:** ${g.owner ? mention(g.owner) : '_none named_'}`];
  if (g.github) parts.push(`**Grantee:** ${mention(g.github)}`);
  parts.push(`**Kind:** ${mdText(g.kind, 40)}`);
  return parts.join(' · ');
}

function entriesTable(entries: readonly EntryFact[], lastColumn: string, value: (e: EntryFact) => string): string[] {
  return [
    `| system | role | privileged | ${lastColumn} |`,
    '|---|---|---|---|',
    ...entries.map((e) => `| ${cellCode(e.system)} | ${cellCode(e.role)} | ${yesNo(e.privileged)} | ${mdText(value(e), 40)} |`),
  ];
}

function earliest(dates: readonly (IsoDate | null)[]): IsoDate | null {
  let min: IsoDate | null = null;
  for (const d of dates) if (d && (!min || d < min)) min = d;
  return min;
}

interface Parts {
  title: string;
  summary: string;
  lines: string[];
  assignees: string[];
  /** Shown after the first line but left out of the hash (drift: which listing found it). */
  note?: string[];
}

function expired(p: EntriesProblem, ctx: RenderContext): Parts {
  const last = earliest(p.entries.map((e) => e.expires));
  const systems = p.entries.map((e) => e.system).join(', ');
  return {
    title: `Access expired: ${plainLine(p.grant.identity, 100)}`,
    summary: `access of ${code(p.grant.identity)} to ${mdText(systems, 300)} is past its expiry`,
    assignees: p.grant.owner ? [p.grant.owner] : [],
    lines: [
      `### Access of ${code(p.grant.identity)} has expired`,
      '',
      `${fileLink(ctx, p.grant.path)} grants access whose last valid day has passed, but the grant is still on the default branch, so the access is probably still provisioned.`,
      '',
      ...entriesTable(p.entries, 'last valid day', (e) => e.expires ?? ''),
      '',
      `**Since:** ${last ? addDays(last, 1) : 'unknown'} · ${people(p.grant)}`,
      '',
      '**What to do** (one of):',
      `- **Revoke** (if the access is no longer needed): remove it in the system${p.grant.revocation ? ` (runbook: ${mdText(p.grant.revocation, 1000)})` : ''}, then open a pull request that deletes the entries above from ${code(p.grant.path)}, or deletes the whole file if no entry is left.`,
      `- **Renew** (if it is still needed): open a pull request that sets a new ${code('expires')} on each entry above, within the policy's maximum, and get the approvals the gate asks for.`,
    ],
  };
}

function expiring(p: EntriesProblem, ctx: RenderContext): Parts {
  const first = earliest(p.entries.map((e) => e.expires));
  return {
    title: `Access expiring soon: ${plainLine(p.grant.identity, 100)}`,
    summary: `access of ${code(p.grant.identity)} expires on ${first ?? 'a day soon'}`,
    assignees: p.grant.owner ? [p.grant.owner] : [],
    lines: [
      `### Access of ${code(p.grant.identity)} expires soon`,
      '',
      `${fileLink(ctx, p.grant.path)} has access that reaches its last valid day within the warning window (${code('stale.expiring_within_days')}):`,
      '',
      ...entriesTable(p.entries, 'last valid day', (e) => e.expires ?? ''),
      '',
      `**First expiry:** ${first ?? 'unknown'} · ${people(p.grant)}`,
      '',
      '**What to do** (one of):',
      `- **Renew** (if it is still needed): open a pull request that sets a new ${code('expires')} on each entry above, within the policy's maximum, and get the approvals the gate asks for.`,
      `- **Let it lapse** (if it is not): nothing to do now; after the last valid day this issue becomes an expiry issue asking for the revocation.`,
    ],
  };
}

function unknownSystem(p: EntriesProblem, ctx: RenderContext): Parts {
  const systems = p.entries.map((e) => e.system);
  return {
    title: `Access to a system that no longer exists: ${plainLine(p.grant.identity, 100)}`,
    summary: `${code(p.grant.identity)} has access to ${systems.map(code).join(', ')}, which ${systems.length === 1 ? 'has' : 'have'} no file under systems/`,
    assignees: p.grant.owner ? [p.grant.owner] : [],
    lines: [
      `### ${code(p.grant.identity)} has access to a system that is not defined`,
      '',
      `${fileLink(ctx, p.grant.path)} names systems that have no file under ${code('systems/')}: their owner, approvers and evidence sources are unknown, so nobody can approve or review this access.`,
      '',
      ...entriesTable(p.entries, 'last valid day', (e) => e.expires ?? ''),
      '',
      people(p.grant),
      '',
      '**What to do** (one of):',
      `- **Revoke** (if the system was decommissioned): make sure the access is gone, then open a pull request that deletes the entries above (or the whole file if no entry is left).`,
      `- **Fix the system id** in ${code(p.grant.path)}, or restore ${systems.map((s) => code(`systems/${s}.yaml`)).join(', ')} (changes under systems/ need the admins' approval).`,
    ],
  };
}

function reviewOverdue(p: ReviewProblem, ctx: RenderContext): Parts {
  const reviews = ctx.reviewLabel
    ? `[the open access review pull requests](${ctx.webUrl.replace(/\/$/, '')}/${ctx.repository}/pulls?q=${encodeURIComponent(`is:pr is:open label:${ctx.reviewLabel}`)})`
    : 'the open access review pull request';
  return {
    title: `Access review overdue: ${plainLine(p.grant.identity, 100)}`,
    summary: `the review of ${code(p.grant.identity)} was due by ${p.due}`,
    assignees: p.grant.owner ? [p.grant.owner] : [],
    lines: [
      `### The access of ${code(p.grant.identity)} is overdue for review`,
      '',
      `${fileLink(ctx, p.grant.path)} was last reviewed on ${mdText(p.lastReviewed, 40)}${p.lastReviewer ? ` by ${mention(p.lastReviewer)}` : ''}. ${code(p.system)} is reviewed every ${p.cadenceDays} days (${code(`systems/${p.system}.yaml`)} ${code('review_cadence_days')}), so the review was due by ${p.due}.`,
      '',
      `**Since:** ${addDays(p.due, 1)} · ${people(p.grant)}`,
      '',
      '**What to do** (one of):',
      `- **Recertify**: the system's approvers approve and merge ${reviews} for ${code(p.system)}; it sets ${code('review.last_reviewed')} on every grant to the system.`,
      `- **Revoke**: remove the access in the system, then open a pull request that deletes the entries (or the whole file).`,
    ],
  };
}

function rotationOverdue(p: RotationProblem, ctx: RenderContext): Parts {
  const what = p.lastRotated
    ? `is rotated every ${p.rotationDays} days and was last rotated on ${p.lastRotated}, so the rotation was due by ${p.due}.`
    : `must be rotated every ${p.rotationDays} days but has no rotation on record (${code('credential.last_rotated')} is missing).`;
  return {
    title: `Credential rotation overdue: ${plainLine(p.grant.identity, 100)}`,
    summary: p.due
      ? `the credential of ${code(p.grant.identity)} was due for rotation by ${p.due}`
      : `the credential of ${code(p.grant.identity)} has no rotation on record`,
    assignees: p.grant.owner ? [p.grant.owner] : [],
    lines: [
      `### The credential of ${code(p.grant.identity)} is overdue for rotation`,
      '',
      `The ${mdText(p.credentialType, 40)} credential in ${fileLink(ctx, p.grant.path)}${p.storage ? ` (stored at ${code(p.storage)})` : ''} ${what}`,
      '',
      `**Since:** ${p.due ? addDays(p.due, 1) : 'no rotation on record'} · ${people(p.grant)}`,
      '',
      '**What to do** (one of):',
      `- **Rotate** the credential, then open a pull request that sets ${code('credential.last_rotated')} to the day you rotated it.`,
      `- **Move to a federated credential** (${code('oidc-federated')}) so there is no secret to rotate.`,
      `- **Revoke** the identity${p.grant.revocation ? ` (runbook: ${mdText(p.grant.revocation, 1000)})` : ''} and delete ${code(p.grant.path)} by pull request.`,
    ],
  };
}

function exceptionExpired(p: ExceptionProblem, ctx: RenderContext): Parts {
  return {
    title: `Exception expired: ${plainLine(p.grant.identity, 100)}`,
    summary: `the exception for ${code(p.grant.identity)} ended on ${p.expires}`,
    assignees: p.grant.owner ? [p.grant.owner] : [],
    lines: [
      `### The exception for ${code(p.grant.identity)} has expired`,
      '',
      `${fileLink(ctx, p.grant.path)} deviates from the policy under an exception whose last valid day was ${p.expires}.`,
      '',
      `**Reason given:** ${mdText(p.reason, 2000)}`,
      `**Compensating controls:** ${p.compensatingControls.length ? p.compensatingControls.map(code).join(', ') : '_none_'}`,
      '',
      `**Since:** ${addDays(p.expires, 1)} · ${people(p.grant)}`,
      '',
      '**What to do** (one of):',
      `- **End the deviation**: bring the grant in line with the policy and remove the ${code('exception')} block by pull request.`,
      `- **Renew the exception**: set a new ${code('exception.expires')} by pull request; it needs the admins' approval.`,
      `- **Revoke** the access and delete ${code(p.grant.path)}.`,
    ],
  };
}

function leaver(p: LeaverProblem, ctx: RenderContext): Parts {
  const shown = p.grants.slice(0, MAX_TABLE_ROWS);
  const owners = [...new Set(p.grants.map((g) => g.owner).filter((o): o is string => o !== null && ctx.membership?.[o.toLowerCase()] !== false))].sort();
  const admins = (ctx.admins ?? []).map(mention);
  const org = p.organization ? ` of ${code(p.organization)}` : '';
  return {
    title: `Urgent: @${plainLine(p.login, 40)} left the organization: revoke or hand over their access`,
    summary: `${p.grants.length} grant${p.grants.length === 1 ? '' : 's'} still name ${mention(p.login)}`,
    assignees: owners,
    lines: [
      `### ${mention(p.login)} is no longer a member${org}`,
      '',
      `These grants still name ${mention(p.login)}. Access held by someone who left must be revoked now; non-human identities they owned need a new owner.`,
      '',
      '| grant | kind | how it names them | systems | other owner |',
      '|---|---|---|---|---|',
      ...shown.map(
        (g) =>
          `| ${fileLink(ctx, g.path, true)} | ${mdText(g.kind, 40)} | ${mdText(g.roles.join(', '), 100)} | ${g.systems.map(cellCode).join(', ')} | ${g.owner ? mention(g.owner) : '_none_'} |`,
      ),
      ...(p.grants.length > shown.length
        ? ['', `…and ${p.grants.length - shown.length} more grant files that name ${mention(p.login)} (search the repo for the login).`]
        : []),
      '',
      '**What to do:**',
      `- **Grantee or shared holder:** remove the access in each system, then open one pull request that deletes those files (or removes the login from ${code('shared.holders')} and rotates the shared secret).`,
      `- **Owner of a non-human identity:** open a pull request that sets ${code('identity.owner')} to someone who stays accountable, or revoke the identity if nobody needs it.`,
      `- Put ${code(`Closes #<this issue>`)} in the pull request's description. The sweep also closes this issue once no grant names ${mention(p.login)} any more, and reopens it if one comes back.`,
      ...(admins.length ? ['', `cc ${admins.join(' ')}`] : []),
    ],
  };
}

function parts(p: Problem, ctx: RenderContext): Parts {
  if (isDriftKind(p.kind)) {
    return driftParts(p as Extract<Problem, { system: string; rows: unknown }>, {
      repository: ctx.repository,
      branch: ctx.branch,
      webUrl: ctx.webUrl,
      ledgerBranch: ctx.ledgerBranch ?? DEFAULT_LEDGER_BRANCH,
    });
  }
  switch (p.kind) {
    case 'expired':
      return expired(p, ctx);
    case 'expiring-soon':
      return expiring(p, ctx);
    case 'unknown-system':
      return unknownSystem(p, ctx);
    case 'review-overdue':
      return reviewOverdue(p, ctx);
    case 'rotation-overdue':
      return rotationOverdue(p, ctx);
    case 'exception-expired':
      return exceptionExpired(p, ctx);
    case 'left-org':
      return leaver(p, ctx);
    default:
      throw new Error(`no issue text for the problem kind ${String((p as Problem).kind)}`);
  }
}

export function issueLabels(ctx: Pick<RenderContext, 'labels'>, urgent: boolean): string[] {
  const labels = [MANAGED_LABEL, ...(ctx.labels ?? DEFAULT_EXTRA_LABELS)];
  if (urgent) labels.push(URGENT_LABEL);
  return [...new Map(labels.map((l) => [l.toLowerCase(), l])).values()];
}

export function renderIssue(p: Problem, ctx: RenderContext): DesiredIssue {
  const info = KIND_INFO[p.kind];
  const x = parts(p, ctx);
  const reminder = ctx.reminderDays ?? DEFAULT_REMINDER_DAYS;
  const rest = [
    '',
    `**Controls:** ${p.controls.map(code).join(', ')} · **Rule:** ${code(info.rule)} (${p.severity})`,
    '',
    '---',
    `<sub>Opened by the access-ledger sweep of ${code(ctx.repository)} (branch ${code(ctx.branch)}) under ${code(ctx.configPath)}: labels from ${code('stale.labels')}, owner assignment from ${code('stale.assign_owner')}, a reminder at most every ${reminder} days (${code('stale.reminder_days')}). It closes itself when the problem is fixed. Keep the hidden marker at the top of this description: it is how the sweep finds this issue again.</sub>`,
  ];
  // The hash covers what the issue says, not the note of where it was found.
  const hash = contentHash([...x.lines, ...rest].join('\n'));
  const content = [...x.lines.slice(0, 1), ...(x.note ?? []), ...x.lines.slice(1), ...rest].join('\n');
  const assign = ctx.assignOwner ?? true;
  // Only people can be assigned (a system's owner may be a team).
  const assignees = assign
    ? [...new Set(x.assignees.filter((a) => !a.includes('/') && !a.startsWith('@') && ctx.membership?.[a.toLowerCase()] !== false))].slice(0, MAX_ASSIGNEES)
    : [];
  return {
    key: problemKey(p),
    kind: p.kind,
    id: p.id,
    title: x.title,
    body: `${formatStaleMarker({ id: p.id, kind: p.kind, hash })}\n${content}\n`,
    hash,
    labels: issueLabels(ctx, info.urgent),
    assignees,
    summary: x.summary,
    urgent: info.urgent,
    priority: info.priority,
    path: 'grant' in p ? p.grant.path : null,
  };
}
