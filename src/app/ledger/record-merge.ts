/**
 * Recording one merged pull request on the ledger: the use case behind `pull_request.closed`,
 * reconcile and the provisioned handler's backfill. Generic over the Octokit (Probot's, the
 * CLI's), so the same steps run from a webhook and from `access-ledger reconcile`.
 *
 * 1. Gather the PR's facts with the gate's own gatherer, its reads folded (gatherMergeReads: one
 *    GraphQL query for the files, reviews, commits, the PR's comments and the base config; one
 *    for the files' contents, with the ledger branch's tip, head.json and this merge's record
 *    paths), and stop unless it touched grants/, systems/ or the config.
 * 2. From that read: does the ledger already hold this merge's record (a redelivery: then nothing is
 *    written, only the sticky comment is completed if an earlier attempt stopped before it). A
 *    record found there counts only if the App wrote it (src/adapters/github/ledger-trust.ts);
 *    one it did not write is tampering: the merge is recorded under the next alternate key
 *    (`pr-<n>-merged-2`, …) with an `anomaly` record beside it, the admins get an issue, and the
 *    foreign record's hash is never anchored in the App's comment.
 * 3. Judge the facts with the gate's judge and the BASE branch's policy, as of the merge day.
 * 4. When the policy would have refused the merge: find or open the admins' issue (by marker).
 * 5. Append grant-change (and unapproved-merge) in ONE append: one commit, never half a record.
 * 6. Upsert the sticky PR comment with each record's path, seq and hash.
 *
 * Every step can run again: a failure at any point throws (GitHub may redeliver, reconcile will
 * find the gap) and the next attempt skips what was done.
 */
import { utcDay } from '../../core/dates.ts';
import {
  DEFAULT_LEDGER_BRANCH,
  HEAD_PATH,
  alternateKey,
  grantChangeKey,
  dayFoldersFrom,
  inspectRecord,
  monthRecordPath,
  parseHead,
  recordPath,
  recordPathCandidates,
  reviewCampaignKey,
  toTimestamp,
  unapprovedMergeKey,
  type LedgerHead,
  type RecordDraft,
  type SealedRecord,
} from '../../core/ledger/index.ts';
import { buildAnomalyDraft, type ForeignRecord } from '../../core/records/anomaly.ts';
import type { GateResult } from '../../core/pull/judge.ts';
import { pullChanges } from '../../core/pull/changes.ts';
import { isIsoDate } from '../../core/dates.ts';
import type { Grant } from '../../core/model/types.ts';
import { DEFAULT_BRANCH_PREFIX, campaignRecordDraft, parseCampaignMarker, type CampaignSnapshotRef } from '../../core/reviews/index.ts';
import { findSnapshotRecord } from '../../adapters/github/ledger-snapshots.ts';
import type { PullFacts } from '../../core/pull/facts.ts';
import { fileJudgements, touchesAccess } from '../../core/records/changes.ts';
import { roleOf } from '../../core/model/snapshot.ts';
import { buildGrantChangeDraft } from '../../core/records/grant-change.ts';
import { isRecordableMerge, pullRequestRef, type MergedPull } from '../../core/records/pull.ts';
import { buildUnapprovedMergeDraft, classifyCause, unapprovedIssueBody, unapprovedIssueTitle } from '../../core/records/unapproved-merge.ts';
import { mergeVerdict } from '../../core/records/verdict.ts';
import { LedgerStateError } from '../../adapters/github/ledger-store.ts';
import type { RecordTrust } from '../../adapters/github/ledger-trust.ts';
import { gatherMergeReads, type OctokitLike, type RefRead } from '../../adapters/github/pull-facts.ts';
import { gatePullRequest, pullRefFromEvent } from '../../adapters/github/gate.ts';
import { commentWrite, createWaits, type AppDeps } from '../deps.ts';
import { call, callOrNull, type RepoRef } from '../github.ts';
import { upsertRecordComment, type AppCommentContext, type CommentResult, type ListedComments } from './comment.ts';
import { observeGateCheck } from './gate-check.ts';
import { ensureAnomalyIssue, ensureUnapprovedIssue, type IssueRef } from './issue.ts';
import { appLoginFor, ledgerStoreFor, trustFor } from './trust.ts';

/** Probot's context.log, pino, or anything with these two methods. */
export interface Log {
  info(message: string): void;
  warn(message: string): void;
}

export const silentLog: Log = { info: () => undefined, warn: () => undefined };

/** A merged PR as the webhook or the pulls API gives it (author's account type included when known). */
export type PullPayload = MergedPull & { user: { login: string; type?: string } | null; merged?: boolean | null; body?: string | null };

export interface RecordMergeInput {
  octokit: OctokitLike;
  repo: RepoRef;
  /** The repository's web URL (`html_url`), for links to the records. */
  repositoryUrl: string;
  /** Only merges into the default branch change access. */
  defaultBranch: string;
  pull: PullPayload;
  deps: AppDeps;
  log?: Log;
  /**
   * Called once the PR is known to change access, to fill in what a listing omits (the pulls
   * list has no `merged_by`); reconcile passes a read of the full PR.
   */
  complete?: (pull: PullPayload) => Promise<PullPayload>;
  /**
   * For callers recording several merges at once (reconcile): the append waits for this turn and
   * releases it as soon as its records are queued, so records queue, and are sealed, in the
   * callers' order while the reads before them run concurrently.
   */
  appendTurn?: AppendTurn;
}

/** A place in line for the ledger append (see `RecordMergeInput.appendTurn`). */
export interface AppendTurn {
  /** Resolves when every earlier turn is released. */
  wait(): Promise<void>;
  /** Lets the next turn go; idempotent. */
  release(): void;
}

export type RecordMergeOutcome =
  | { status: 'not-merged' | 'not-default-branch' | 'not-access'; pr: number }
  | {
      status: 'recorded' | 'already-recorded';
      pr: number;
      branch: string;
      records: SealedRecord[];
      verdict: 'pass' | 'fail';
      issue: IssueRef | null;
      comment: CommentResult;
    };

/** The ledger branch named by the base config (`ledger.branch`), else the default. */
export function ledgerBranchOf(facts: Pick<PullFacts, 'base'>): string {
  return facts.base.config?.data?.ledger?.branch ?? DEFAULT_LEDGER_BRANCH;
}

interface ContentFile {
  type?: string;
  encoding?: string;
  content?: string;
  sha?: string;
  size?: number;
}

/**
 * A file of the ledger branch (null when it or the branch does not exist), by one REST read (the
 * merge handler reads its own record paths with its facts; this is for every other path).
 */
export async function readLedgerFile(octokit: OctokitLike, repo: RepoRef, branch: string, path: string): Promise<string | null> {
  return readLedgerFileRest(octokit, repo, branch, path);
}

async function readLedgerFileRest(octokit: OctokitLike, repo: RepoRef, branch: string, path: string): Promise<string | null> {
  const what = { action: `checking whether ${path} is on the ledger branch ${branch}`, permission: 'contents: read', repo };
  const file = await callOrNull<ContentFile>(octokit, 'GET /repos/{owner}/{repo}/contents/{path}', { path, ref: branch }, what);
  if (file === null) return null;
  if (Array.isArray(file) || file.type !== 'file')
    throw new LedgerStateError(`${path} on the ledger branch ${branch} of ${repo.owner}/${repo.repo} is not a file`);
  if (typeof file.content === 'string' && (file.content.length > 0 || file.size === 0)) return Buffer.from(file.content, 'base64').toString('utf8');
  // Files over 1 MB come without content from the contents API: read the blob.
  const blob = await call<{ content: string; encoding: string }>(octokit, 'GET /repos/{owner}/{repo}/git/blobs/{file_sha}', { file_sha: file.sha }, what);
  return Buffer.from(blob.content, blob.encoding === 'base64' ? 'base64' : 'utf8').toString('utf8');
}

/** Alternate keys tried for one merge before giving up (each taken by a record the App did not write). */
const MAX_MERGE_KEYS = 10;

/** Where this merge's records go, and whether the App recorded it there already. */
interface MergeClaim {
  gcKey: string;
  umKey: string;
  /** The App's own records of this merge when it is recorded already (grant-change, then unapproved-merge). */
  recorded: SealedRecord[] | null;
  /** Records at this merge's paths that the App did not write, in the order they were met. */
  foreign: ForeignRecord[];
}

/**
 * The keys this merge is recorded under: `pr-<n>-merged` (and `pr-<n>-unapproved`), or the first
 * alternate pair (`pr-<n>-merged-2`, …) whose grant-change path is free or holds the App's own
 * record. Every record met on the way that the App did not write is returned as foreign.
 */
async function claimMergeKeys(input: RecordMergeInput, branch: string, mergedAt: string, trust: RecordTrust, seen: RefRead | null): Promise<MergeClaim> {
  const { octokit, repo } = input;
  // What the folded query read of the branch answers without a request.
  const readLedgerFile = (o: OctokitLike, r: RepoRef, b: string, path: string): Promise<string | null> => {
    if (seen && seen.branch === b) {
      if (seen.tip === null) return Promise.resolve(null);
      const text = seen.files.get(path);
      if (text !== undefined) return Promise.resolve(text);
    }
    return readLedgerFileRest(o, r, b, path);
  };
  // The head the folded query read says whether this merge could be stored in a month folder
  // (a ledger from before day folders); without it, both folders are looked at.
  const head = headOf(seen);
  const stored = async (key: string): Promise<{ path: string; text: string } | null> => {
    const event = { key, occurred_at: mergedAt };
    for (const path of recordPathCandidates(head, event)) {
      const text = await readLedgerFile(octokit, repo, branch, path);
      if (text !== null) return { path, text };
    }
    return null;
  };
  const n = input.pull.number;
  const foreign: ForeignRecord[] = [];
  for (let k = 1; k <= MAX_MERGE_KEYS; k++) {
    const gcKey = k === 1 ? grantChangeKey(n) : alternateKey(grantChangeKey(n), k);
    const umKey = k === 1 ? unapprovedMergeKey(n) : alternateKey(unapprovedMergeKey(n), k);
    const gc = await stored(gcKey);
    if (gc !== null) {
      const { path: gcPath, text: gcText } = gc;
      const origin = await trust.check(gcPath, gcText, branch);
      if (!origin.own) {
        foreign.push(origin);
        continue;
      }
      // Recorded before (a redelivery, or a retry after the comment failed): write no record.
      const records = [storedRecord(gcPath, gcText, branch)];
      if ((records[0]!.subject as { verdict?: { result?: string } }).verdict?.result === 'fail') {
        const um = await stored(umKey);
        if (um !== null && (await trust.check(um.path, um.text, branch)).own) records.push(storedRecord(um.path, um.text, branch));
      }
      return { gcKey, umKey, recorded: records, foreign };
    }
    // The grant-change path is free. (Should the unapproved-merge path be taken by someone else,
    // the store moves that record to an alternate key with an anomaly of its own.)
    return { gcKey, umKey, recorded: null, foreign };
  }
  throw new LedgerStateError(
    `The paths of ${MAX_MERGE_KEYS} keys for PR #${n} on branch ${branch} of ${repo.owner}/${repo.repo} hold records the App did not write; refusing to go on. Run \`access-ledger verify\`.`,
  );
}

/** head.json as the folded query read it, or null (not read, or unreadable: then both folders are looked at). */
function headOf(seen: RefRead | null): LedgerHead | null {
  const text = seen?.files.get(HEAD_PATH);
  if (typeof text !== 'string') return null;
  try {
    return parseHead(text);
  } catch {
    return null;
  }
}

/** A stored record read back: it must pass its own checks before the App builds on it. */
function storedRecord(path: string, text: string, branch: string): SealedRecord {
  const { problem } = inspectRecord(path, text);
  if (problem) {
    throw new LedgerStateError(
      `The record at ${path} on branch ${branch} fails verification (${problem.problem}); refusing to build on it. Run \`access-ledger verify\` on a clone.`,
    );
  }
  return JSON.parse(text) as SealedRecord;
}

function withKey<D extends RecordDraft>(draft: D, key: string): D {
  return draft.key === key ? draft : { ...draft, key };
}

export async function recordMerge(input: RecordMergeInput): Promise<RecordMergeOutcome> {
  const { repo, deps } = input;
  let pull = input.pull;
  const log = input.log ?? silentLog;
  if (pull.merged === false || !isRecordableMerge(pull)) return { status: 'not-merged', pr: pull.number };
  if (pull.base.ref !== input.defaultBranch) {
    log.info(`PR #${pull.number} was merged into ${pull.base.ref}, not ${input.defaultBranch}: access changes only on the default branch, nothing to record`);
    return { status: 'not-default-branch', pr: pull.number };
  }

  // This merge's record paths under its first keys: read with the files, so the redelivery check
  // and the append need no read of their own.
  const listedMergedAt = pull.merged_at;
  // The month folders' paths too, where a ledger from before day folders holds a merge recorded then.
  const firstEvents = listedMergedAt
    ? [grantChangeKey(pull.number), unapprovedMergeKey(pull.number)].map((key) => ({ key, occurred_at: toTimestamp(new Date(listedMergedAt)) }))
    : [];
  const firstPaths = [...firstEvents.map(recordPath), ...firstEvents.map(monthRecordPath)];
  const writesBefore = deps.commentTurns.writes(repo, pull.number);
  // The same reference the gate Action builds from its event, in the repository the webhook names.
  const ref = pullRefFromEvent({ pull_request: pull, repository: { name: repo.repo, owner: { login: repo.owner } } });
  const reads = await gatherMergeReads(input.octokit, ref, {
    ...(deps.configPath ? { configPath: deps.configPath } : {}),
    ...(pull.merge_commit_sha ? { mergeSha: pull.merge_commit_sha } : {}),
    fold: { comments: true, ref: (config) => ({ branch: config?.ledger?.branch ?? DEFAULT_LEDGER_BRANCH, paths: [HEAD_PATH, ...firstPaths] }) },
  });
  const facts = reads.facts;
  const listed: ListedComments | undefined = reads.comments ? { comments: reads.comments, writesBefore } : undefined;
  if (!touchesAccess(facts.files)) return { status: 'not-access', pr: pull.number };
  // Not an access repo (no config on the base, and this PR does not add one): nothing to record.
  if (!facts.base.config && !facts.files.some((f) => roleOf(f.path) === 'config')) {
    log.info(`PR #${pull.number}: the base branch has no access-ledger.yaml, so this is not an access repo; nothing recorded`);
    return { status: 'not-access', pr: pull.number };
  }
  if (input.complete) {
    pull = await input.complete(pull);
    if (!isRecordableMerge(pull)) return { status: 'not-merged', pr: pull.number };
  }

  const branch = ledgerBranchOf(facts);
  const mergedAt = toTimestamp(new Date(pull.merged_at));
  const config = facts.base.config?.data ?? null;
  const trust = await trustFor(input.octokit, repo, deps, config);
  const store = await ledgerStoreFor(input.octokit, repo, branch, deps, config, trust);
  const commentCtx: AppCommentContext = { branch, repositoryUrl: input.repositoryUrl, appLogin: await appLoginFor(deps, config) };
  const repository = `${repo.owner}/${repo.repo}`;
  const prRef = { number: pull.number, url: pull.html_url };

  // The read is of the merged PR as listed; `complete` may only fill in fields, never the merge time.
  const seen =
    reads.ref && reads.ref.branch === branch && recordPath({ key: grantChangeKey(pull.number), occurred_at: mergedAt }) === firstPaths[0] ? reads.ref : null;
  const claim = await claimMergeKeys(input, branch, mergedAt, trust, seen);
  // Links in the comment follow the ledger's layout: a merge recorded before day folders is in its month folder.
  const seenHead = headOf(seen);
  if (seenHead) commentCtx.dayFoldersFrom = dayFoldersFrom(seenHead);
  // The day folder, then (for a merge from before day folders) the month folder.
  const storedOwn = async (event: { key: string; occurred_at: string }): Promise<SealedRecord | null> => {
    for (const path of recordPathCandidates(seenHead, event)) {
      const text = await readLedgerFile(input.octokit, repo, branch, path);
      if (text !== null) return (await trust.check(path, text, branch)).own ? storedRecord(path, text, branch) : null;
    }
    return null;
  };
  const gcPath = recordPath({ key: claim.gcKey, occurred_at: mergedAt });
  const anomalyDrafts = claim.foreign.map((f) => buildAnomalyDraft({ repository, foreign: f, occurredAt: mergedAt, recordedAs: claim.gcKey, pr: prRef }));
  if (claim.recorded) {
    const records = claim.recorded;
    // The anomalies went into the same commit as the records: anchor them too, and see their issues exist.
    const anomalies: SealedRecord[] = [];
    for (const d of anomalyDrafts) {
      const anomaly = await storedOwn(d);
      if (anomaly) anomalies.push(anomaly);
    }
    if (pullChanges(facts).campaign) {
      const rc = await storedOwn({ key: reviewCampaignKey(pull.number), occurred_at: mergedAt });
      if (rc) records.push(rc);
    }
    for (const a of anomalies)
      await ensureAnomalyIssue(
        input.octokit,
        repo,
        { anomaly: a as SealedRecord<'anomaly'>, branch, admins: facts.base.config?.data?.admins },
        createWaits(deps),
      );
    const verdict = (records[0]!.subject as { verdict?: { result?: 'pass' | 'fail' } }).verdict?.result ?? 'pass';
    const comment = await upsertRecordComment(input.octokit, repo, pull.number, [...records, ...anomalies], commentCtx, commentWrite(deps), listed);
    log.info(`PR #${pull.number} is already recorded (seq ${records[0]!.seq}); nothing appended, comment ${comment.action}`);
    return { status: 'already-recorded', pr: pull.number, branch, records, verdict, issue: null, comment };
  }
  for (const f of claim.foreign)
    log.warn(
      `PR #${pull.number}: ${f.path} on ${branch} was not written by the App (${f.reason}); recording the merge as ${claim.gcKey} with an anomaly record`,
    );

  // The gate's own entry, on the facts read above: the verdict the Action would have given.
  const { result } = await gatePullRequest(input.octokit, ref, {
    ...(deps.configPath ? { configPath: deps.configPath } : {}),
    packs: deps.packs(),
    today: utcDay(new Date(mergedAt)),
    facts,
  });
  const verdict = mergeVerdict(result, deps.clock());
  const judged = pullChanges(facts);
  const judgement = fileJudgements(judged.grants, judged.access);
  const drafts: RecordDraft[] = [withKey(buildGrantChangeDraft({ repository, pull, facts, verdict, judgement, reviewers: result.reviewers }), claim.gcKey)];

  // A review campaign is known by its content and the gate's verdict, never by its branch or marker.
  const review = reviewOfMerge(pull, facts, result);
  if (review.draft) {
    // The listing the review was shown: the system's latest recorded listing taken before the
    // review was opened, from the ledger (never from the pull request's text).
    const listed = await findSnapshotRecord({
      octokit: input.octokit,
      repo,
      branch,
      trust,
      system: review.system!,
      atOrBefore: toTimestamp(new Date(pull.created_at)),
    });
    drafts.push(
      review.draft(
        repository,
        pullRequestRef(pull),
        listed ? { key: listed.record.key, raw_sha256: listed.subject.raw_sha256, taken_at: listed.subject.taken_at } : null,
      ),
    );
  }

  let issue: IssueRef | null = null;
  if (verdict.result === 'fail' || review.falseClaim) {
    const gate = await observeGateCheck(input.octokit, repo, pull.head.sha, deps.gateCheckName, deps.gateStatusContext, (m) => log.warn(m));
    const cause = facts.gaps?.length ? 'too-large' : review.falseClaim ? 'not-a-review' : classifyCause(gate);
    const detail = facts.gaps?.length
      ? `Pull request #${pull.number} is too large to evaluate: ${facts.gaps.join('; ')}. The grant-change record holds the access files the merge changed as far as they could be read.`
      : review.falseClaim;
    issue = await ensureUnapprovedIssue(
      input.octokit,
      repo,
      {
        pr: pull.number,
        mergedAt,
        title: unapprovedIssueTitle(pull),
        body: unapprovedIssueBody({
          pull,
          verdict,
          cause,
          ...(detail ? { detail } : {}),
          admins: facts.base.config?.data?.admins,
          branch,
          recordPath: gcPath,
          nextStep: result.nextStep,
        }),
      },
      createWaits(deps),
    );
    const um = buildUnapprovedMergeDraft({ repository, pull, verdict, cause, ...(detail ? { detail } : {}), issue: { number: issue.number, url: issue.url } });
    drafts.push(withKey({ ...um, subject: { ...um.subject, grant_change_key: claim.gcKey } }, claim.umKey));
    log.warn(`PR #${pull.number} was merged although the base policy refuses it (${cause}); issue #${issue.number}`);
  }

  drafts.push(...anomalyDrafts);

  await input.appendTurn?.wait();
  // append() queues the drafts at once: the next merge in line may queue behind them now.
  const appending = store.appendDetailed(drafts, seen?.tip ? { seen: { ...seen.tip, files: seen.files } } : {});
  input.appendTurn?.release();
  const appended = await appending;
  const records = appended.records.filter((r) => r.kind !== 'anomaly');
  const anomalies = [...appended.records.filter((r) => r.kind === 'anomaly'), ...appended.anomalies];
  for (const a of anomalies)
    await ensureAnomalyIssue(
      input.octokit,
      repo,
      { anomaly: a as SealedRecord<'anomaly'>, branch, admins: facts.base.config?.data?.admins },
      createWaits(deps),
    );
  const comment = await upsertRecordComment(input.octokit, repo, pull.number, [...records, ...anomalies], commentCtx, commentWrite(deps), listed);
  if (comment.conflicts.length > 0) {
    log.warn(
      `the sticky comment on PR #${pull.number} anchors another hash for ${comment.conflicts.join(', ')}: left as it was; run access-ledger verify --online`,
    );
  }
  log.info(`PR #${pull.number} recorded: ${records.map((r) => `seq ${r.seq} ${r.key}`).join(', ')} on ${branch}`);
  return { status: 'recorded', pr: pull.number, branch, records, verdict: verdict.result, issue, comment };
}

/**
 * Whether a merge is a review campaign: by content (the gate's judgement, src/core/pull/changes.ts)
 * and passed by the gate. A pull request marked as one (the hidden marker in its body, or a branch
 * under `reviews.branch_prefix`) that is not gets `falseClaim`: its review blocks certify nothing,
 * and it is recorded as an unapproved merge with that cause.
 */
function reviewOfMerge(
  pull: PullPayload,
  facts: PullFacts,
  result: GateResult,
): {
  draft?: (repository: string, pr: ReturnType<typeof pullRequestRef>, snapshot: CampaignSnapshotRef | null) => RecordDraft;
  system?: string;
  falseClaim?: string;
} {
  const changes = pullChanges(facts);
  const prefix = facts.base.config?.data?.reviews?.branch_prefix ?? DEFAULT_BRANCH_PREFIX;
  const marker = parseCampaignMarker(pull.body);
  const claimed = marker !== undefined || pull.head.ref.startsWith(prefix.endsWith('/') ? prefix : `${prefix}/`);
  const campaign = changes.campaign;
  if (campaign && result.verdict === 'pass') {
    const before = new Map<string, Grant | undefined>();
    const after = new Map<string, Grant | undefined>();
    const heads = new Map(facts.head.grants.map((g) => [g.path, g.data]));
    for (const g of changes.grants) {
      if (!g.before?.data?.access.some((e) => e.system === campaign.system)) continue;
      before.set(g.path, g.before.data);
      after.set(g.path, g.after ? heads.get(g.after.path) : undefined);
    }
    const day = campaign.campaign?.slice(campaign.campaign.lastIndexOf('/') + 1);
    const reviewedOn = day && isIsoDate(day) ? day : (marker?.date ?? utcDay(new Date(pull.merged_at!)));
    return {
      system: campaign.system,
      draft: (repository, pr, snapshot) =>
        campaignRecordDraft({
          repository,
          system: campaign.system,
          ...(campaign.campaign ? { campaign: campaign.campaign } : {}),
          pr,
          reviewedOn,
          before,
          after,
          rows: result.rows,
          membership: facts.orgMembership,
          mergedOn: utcDay(new Date(pull.merged_at!)),
          snapshot,
        }),
    };
  }
  if (!claimed) return {};
  const what = marker ? `marked as an access review of ${marker.system}` : `opened from the review branch ${pull.head.ref}`;
  if (!campaign) {
    return {
      falseClaim: `Pull request #${pull.number} was ${what}, but it changes more than the review blocks of grants to one system (or certifies no review), so it is not an access review.`,
    };
  }
  return { falseClaim: `Pull request #${pull.number} was ${what}, but the gate refused it at merge time: ${result.nextStep}.` };
}
