/**
 * The sweep against GitHub: read the access repo's default branch, evaluate every grant against
 * the clock and organization membership, keep one issue per stale (grant, problem) in step, and
 * open an access-review pull request for each system that is due.
 *
 * The branch is read, parsed and judged in a worker thread (branch-session.ts), so the App keeps
 * answering webhooks during a sweep; this module does the requests and the writes.
 *
 * Read cost is a constant plus one request per 100 open managed issues (and per 100 org members):
 * - the whole branch in one request: the repository archive (`tarball`), whatever its size. A
 *   recursive tree plus batched blob reads would cost at least two requests, and GitHub truncates
 *   recursive trees past 100,000 entries, exactly where an access repo is large;
 * - the open managed issues by label; closed ones (to reopen) only when a problem has no open issue;
 * - organization members in pages of 100, cached in-process; a login missing from the list is
 *   checked once (404: left; 302: the token cannot see private membership, so fail closed).
 * Writes are only for issues whose state must change, paced and capped (see issues.ts).
 */
import type { Pack } from '../../core/engine/policy.ts';
import { daysBetween, utcDay } from '../../core/dates.ts';
import type { IsoDate } from '../../core/model/types.ts';
import {
  staleSettings,
  summarizePlan,
  type DesiredIssue,
  type IssueAction,
  type ManagedIssue,
  type Problem,
  type RenderContext,
} from '../../core/stale/index.ts';
import { DEFAULT_REVIEW_LABELS, campaignBranch, type CampaignListing, type DueSystem } from '../../core/reviews/index.ts';
import { errorStatus, explainGitHubError } from './errors.ts';
import { gitHubPort, portClient } from './port.ts';
import {
  WriteBudget,
  deferredWithin,
  executeIssuePlan,
  listAll,
  listOpenManagedIssues,
  listRecentlyClosedManagedIssues,
  silentLogger,
  type ExecutionReport,
  type Logger,
  type RepoRef,
  type SweepOctokit,
} from './issues.ts';
import { CAMPAIGN_WRITES, latestCampaignDay, listOpenCampaigns, openCampaign, type CampaignResult } from './campaigns.ts';
import type { ArchiveSource } from './sweep-archive.ts';
import { BranchSession, type BranchSessionOptions, type BranchSummary, type Evaluation } from './branch-session.ts';
import { WritePacer, entryWritePacer, isContentCreating, withWritePacing, type WritePacerOptions } from './pacing.ts';
import { runDoctor, type DoctorReadOptions } from './doctor.ts';
import { keepDoctorIssue, type DoctorIssueResult } from './doctor-issue.ts';
import type { AffectedGrant } from '../../core/ledger/kinds.ts';
import { DEFAULT_LEDGER_BRANCH } from '../../core/ledger/record.ts';
import { driftIssueJudged, sweepDrift, type SweepDriftResult, type SweepObservedOptions } from './sweep-drift.ts';

export type { Logger, RepoRef, SweepOctokit } from './issues.ts';
export type { SweepDriftResult, SweepObservedOptions } from './sweep-drift.ts';

// ---- counting requests ---------------------------------------------------------------------------

export interface RequestCounts {
  reads: number;
  writes: number;
  byRoute: Record<string, number>;
}

/**
 * Wraps an Octokit so every request is counted: GETs and GraphQL queries as reads, the rest as
 * writes. Whatever else the Octokit offers stays reachable (the wrapper inherits from it), and its
 * `graphql`, when it has one, is counted too (a query as a read, a mutation as a write).
 */
export function countingOctokit<T extends SweepOctokit>(octokit: T): { octokit: T; counts: RequestCounts } {
  const counts: RequestCounts = { reads: 0, writes: 0, byRoute: {} };
  const count = (route: string, write: boolean) => {
    if (write) counts.writes++;
    else counts.reads++;
    counts.byRoute[route] = (counts.byRoute[route] ?? 0) + 1;
  };
  // The client beneath a port is wrapped, and a port rebuilt over it, so the requests the port's
  // own `call`s make are counted too (the ledger's writes for a leaver among them).
  const base = portClient(octokit) as T;
  const wrapped = Object.create(base) as T & { graphql?: (query: string, variables?: Record<string, unknown>) => Promise<unknown> };
  // Routes are counted by their template, so listings go page by page through this `request`
  // (it carries no endpoint parser for the paginate plugin, which would send URLs instead).
  wrapped.request = (route: string, parameters?: Record<string, unknown>) => {
    const [method = 'GET', url = ''] = route.split(' ');
    count(route, route === 'POST /graphql' ? isContentCreating(method, url, parameters?.query) : method !== 'GET');
    return base.request(route, parameters);
  };
  const graphql = (base as { graphql?: (query: string, variables?: Record<string, unknown>) => Promise<unknown> }).graphql;
  if (typeof graphql === 'function') {
    wrapped.graphql = (query, variables) => {
      count('POST /graphql', isContentCreating('POST', '/graphql', query));
      return graphql(query, variables);
    };
  }
  return { counts, octokit: base === (octokit as object) ? wrapped : (gitHubPort(wrapped) as unknown as T) };
}

// ---- reading the branch --------------------------------------------------------------------------

interface RepoData {
  default_branch: string;
  has_issues: boolean;
  html_url: string;
  archived?: boolean;
  owner?: { type?: string };
}

async function get<T>(
  octokit: SweepOctokit,
  route: string,
  params: Record<string, unknown>,
  repo: RepoRef,
  action: string,
  permission = 'contents: read',
): Promise<T> {
  try {
    return (await octokit.request(route, { owner: repo.owner, repo: repo.repo, ...params })).data as T;
  } catch (err) {
    throw explainGitHubError(err, { action, route, owner: repo.owner, repo: repo.repo, permission });
  }
}

/**
 * The archive of `sha` (every file at that commit, in one request), as it downloads: a stream
 * from Octokit (its body is not read into memory), or bytes from a client that has them whole.
 */
export async function downloadArchive(octokit: SweepOctokit, repo: RepoRef, sha: string): Promise<ArchiveSource> {
  const data = await get<unknown>(
    octokit,
    'GET /repos/{owner}/{repo}/tarball/{ref}',
    { ref: sha, request: { parseSuccessResponseBody: false } },
    repo,
    `downloading the archive of ${sha.slice(0, 12)}`,
  );
  if (data instanceof Uint8Array) return data;
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  if (data && typeof (data as { getReader?: unknown }).getReader === 'function') return ownedBody(data as ReadableStream<Uint8Array>);
  throw new Error(
    `GitHub answered the archive of ${repo.owner}/${repo.repo}@${sha.slice(0, 12)} with ${typeof data === 'string' ? 'text' : 'something'} instead of a gzip archive`,
  );
}

/**
 * The download's body behind a stream of our own, for the worker it is handed to. The worker's
 * end of a transferred stream is closed when that worker collects it or ends, possibly long after
 * the download finished; a close then cancels the body, and cancelling a body that already ended
 * could break the connection it came on, which by then carries another download (the next
 * archive arrived truncated). This stream passes a cancel on only while the body is still being
 * read.
 * @internal exported for its test
 */
export function ownedBody(body: ReadableStream<Uint8Array>): ReadableStream<Uint8Array> {
  const reader = body.getReader();
  let ended = false;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const next = await reader.read();
      if (next.done) {
        ended = true;
        reader.releaseLock();
        controller.close();
      } else controller.enqueue(next.value);
    },
    cancel(reason) {
      if (!ended) return reader.cancel(reason);
    },
  });
}

// ---- membership --------------------------------------------------------------------------------

/** Membership of some logins could not be determined: the leaver check fails closed. */
export class MembershipUnknownError extends Error {
  override name = 'MembershipUnknownError';
}

export interface MembershipReaderOptions {
  /** How long a listing of members is reused (default 10 minutes: one sweep, not one day). */
  ttlMs?: number;
  now?: () => number;
}

/**
 * Organization membership for the logins the grants name, with an in-process cache per org.
 * The App invalidates an org's entry on `organization` member events.
 */
export class MembershipReader {
  private readonly cache = new Map<string, { at: number; members: Set<string>; checked: Map<string, boolean> }>();
  private readonly ttlMs: number;
  private readonly now: () => number;

  constructor(o: MembershipReaderOptions = {}) {
    this.ttlMs = o.ttlMs ?? 10 * 60_000;
    this.now = o.now ?? Date.now;
  }

  invalidate(org: string): void {
    this.cache.delete(org.toLowerCase());
  }

  async read(octokit: SweepOctokit, org: string, logins: Iterable<string>, repo: RepoRef): Promise<Record<string, boolean>> {
    const key = org.toLowerCase();
    let entry = this.cache.get(key);
    if (!entry || this.now() - entry.at > this.ttlMs) {
      const members = await listAll<{ login: string }>(
        octokit,
        'GET /orgs/{org}/members',
        { org },
        repo,
        `listing the members of ${org}`,
        1000,
        'members: read',
      );
      entry = { at: this.now(), members: new Set(members.map((m) => m.login.toLowerCase())), checked: new Map() };
      this.cache.set(key, entry);
    }
    const out: Record<string, boolean> = {};
    for (const raw of logins) {
      const login = raw.toLowerCase();
      if (login in out) continue;
      if (entry.members.has(login)) {
        out[login] = true;
        continue;
      }
      let known = entry.checked.get(login);
      if (known === undefined) {
        known = await this.check(octokit, org, login, repo);
        entry.checked.set(login, known);
      }
      out[login] = known;
    }
    return out;
  }

  /** A login absent from the listing: confirm it, because the listing hides private members from some tokens. */
  private async check(octokit: SweepOctokit, org: string, login: string, repo: RepoRef): Promise<boolean> {
    const route = 'GET /orgs/{org}/members/{username}';
    let status: number | null;
    try {
      status = (await octokit.request(route, { org, username: login, request: { redirect: 'manual' } })).status;
    } catch (err) {
      status = errorStatus(err);
      if (status !== 404 && status !== 302)
        throw explainGitHubError(err, {
          action: `checking whether @${login} is a member of ${org}`,
          route,
          owner: repo.owner,
          repo: repo.repo,
          permission: 'members: read',
        });
    }
    if (status === 204) return true;
    if (status === 404) return false;
    throw new MembershipUnknownError(
      `Cannot tell whether @${login} is still a member of ${org}: the token sees only public members (GitHub redirects the membership check). ` +
        'Run the sweep with the App\'s installation token (it has "members: read"), or a token of an organization member with read:org; ' +
        'or pass --no-membership to skip the leaver check.',
    );
  }
}

// ---- the sweep ---------------------------------------------------------------------------------

export interface SweepOptions {
  octokit: SweepOctokit;
  repo: RepoRef;
  packs: ReadonlyMap<string, Pack>;
  now: () => Date;
  /** Evaluate as of this UTC day instead of today. */
  today?: IsoDate;
  /** Plan only: read, evaluate and report; write nothing. */
  dryRun?: boolean;
  log?: Logger;
  /** Membership source; `false` skips the leaver check (open leaver issues are then left as they are). */
  membership?: MembershipReader | false;
  /**
   * Pacing of writes, for an Octokit that does not pace its own (one built without `writePacing`,
   * a test double): its writes then take turns with a pacer of these settings (tests inject a
   * clock and a sleep so they do not wait); without it, with `pacer`.
   */
  pacing?: WritePacerOptions;
  /**
   * The entry's pacer (the App's `deps.writePacer`, the CLI command's), for an Octokit that does
   * not pace its own writes; without it, a pacer of this run's own.
   */
  pacer?: WritePacer;
  /** Override `stale.max_writes_per_run`. */
  maxWrites?: number;
  /** Closed managed issues younger than this are reopened when their problem returns (default 90 days). */
  reopenWindowDays?: number;
  /** System id → day of its latest `review-campaign` record, when the caller read the ledger. */
  lastCampaign?: ReadonlyMap<string, IsoDate>;
  /**
   * Runs after the issues and reviews (the App passes the ledger's reconcile), with the sweep's
   * Octokit: its requests are paced and counted with the sweep's.
   */
  afterSweep?: (octokit: SweepOctokit) => Promise<void>;
  /**
   * Called for a departed login the sweep is about to open the first leaver issue for (the
   * `member_removed` event was missed): the caller records `identity-left-org` (source `sweep`).
   * Runs before the issue is written, so evidence never trails the issue. The ledger writes go
   * through `octokit`, the sweep's own: paced with its other writes and counted in its requests.
   */
  onNewLeaver?: (leaver: {
    login: string;
    organization: string;
    affected: AffectedGrant[];
    ledgerBranch: string | undefined;
    octokit: SweepOctokit;
  }) => Promise<void>;
  /**
   * Runs the doctor's checks on the repository's setup and keeps one issue open while a check
   * fails (src/adapters/github/doctor-issue.ts). Off unless given.
   */
  doctor?: DoctorReadOptions;
  /** Called as the worker reads the branch, every thousand files. */
  onProgress?: (files: number) => void;
  /**
   * Compares each observed system's latest recorded listing with the grants and keeps one issue
   * per system and kind of difference (src/adapters/github/sweep-drift.ts); with `organization`,
   * first lists and records the GitHub organization, at most once a day. Off unless given: drift
   * issues are then left as they are.
   */
  observed?: SweepObservedOptions;
}

/** The doctor's part of a sweep: its report and the issue kept for it, or why it could not run. */
export type SweepDoctor = DoctorIssueResult | { error: string };

export interface SweepReport {
  repository: string;
  branch: string;
  sha: string;
  today: IsoDate;
  grants: number;
  problems: Problem[];
  desired: DesiredIssue[];
  /** The full plan (no-ops included), in execution order. */
  plan: IssueAction[];
  /** What the write budget leaves for the next run. */
  deferred: IssueAction[];
  executed: ExecutionReport | null;
  campaigns: CampaignResult[];
  dueSystems: DueSystem[];
  membership: 'checked' | 'skipped' | 'no-organization';
  issuesDisabled: boolean;
  requests: RequestCounts;
  /** Null when the sweep ran without the doctor. */
  doctor: SweepDoctor | null;
  /** Files read and parsed by the sweep's worker thread (none on the main thread). */
  parsedInWorker: number;
  /** The listings compared and what came of the organization's; null when drift was not asked for. */
  drift: SweepDriftResult | { error: string } | null;
}

/**
 * The default branch as the sweep sees it: one commit, every access-repo file at it, read and
 * parsed by a worker thread that holds the parsed repo (`session`) until it is closed.
 */
export interface LoadedBranch {
  repository: string;
  branch: string;
  sha: string;
  hasIssues: boolean;
  /** Web root of the GitHub server (`https://github.com`, or the GHES host). */
  webUrl: string;
  /** The config, counts and named logins of the branch. */
  summary: BranchSummary;
  /** The parsed branch, in its worker: close it when done (`finally`). */
  session: BranchSession;
}

/**
 * Reads: the repository, the branch ref, the archive. Three requests whatever the size of the
 * repo; the archive streams to a worker thread that parses it (branch-session.ts).
 */
export async function loadDefaultBranch(octokit: SweepOctokit, repo: RepoRef, options: BranchSessionOptions = {}): Promise<LoadedBranch> {
  const repository = `${repo.owner}/${repo.repo}`;
  const info = await get<RepoData>(octokit, 'GET /repos/{owner}/{repo}', {}, repo, 'reading the repository', 'metadata: read');
  const branch = info.default_branch;
  const ref = await get<{ object: { sha: string } }>(
    octokit,
    'GET /repos/{owner}/{repo}/git/ref/{ref}',
    { ref: `heads/${branch}` },
    repo,
    `reading branch ${branch}`,
  );
  const sha = ref.object.sha;
  const archive = await downloadArchive(octokit, repo, sha);
  let session: BranchSession;
  try {
    session = await BranchSession.open(archive, options);
  } catch (err) {
    throw new Error(`reading the archive of ${repository}@${sha.slice(0, 12)} failed: ${err instanceof Error ? err.message : String(err)}`);
  }
  const webUrl = info.html_url.slice(0, info.html_url.length - repository.length - 1);
  return { repository, branch, sha, hasIssues: info.has_issues, webUrl, summary: session.summary, session };
}

/** What the issue texts need to know about the repo and its config. */
export function renderContextFor(
  loaded: Pick<LoadedBranch, 'repository' | 'branch' | 'webUrl' | 'summary'>,
  membership?: Readonly<Record<string, boolean>>,
): RenderContext {
  const config = loaded.summary.config?.data;
  const settings = staleSettings(config);
  return {
    repository: loaded.repository,
    branch: loaded.branch,
    webUrl: loaded.webUrl,
    configPath: loaded.summary.config?.path ?? 'access-ledger.yaml',
    labels: settings.labels,
    assignOwner: settings.assignOwner,
    reminderDays: settings.reminderDays,
    admins: config?.admins ?? [],
    ...(membership ? { membership } : {}),
    reviewLabel: (config?.reviews?.labels ?? DEFAULT_REVIEW_LABELS)[0] ?? 'access-review',
    ledgerBranch: config?.ledger?.branch ?? DEFAULT_LEDGER_BRANCH,
  };
}

/** Leaver issues and duplicates go before everything else, review campaigns included. */
function isUrgent(a: IssueAction): boolean {
  return a.type === 'close-duplicate' || ('desired' in a ? a.desired.urgent : a.issue.kind === 'left-org');
}

/** What the sweep learns from the branch before it writes anything. */
interface Judged {
  evaluation: Evaluation;
  plan: IssueAction[];
  listedAt: Date | undefined;
  openCampaigns: Map<string, { number: number; url: string }>;
  due: DueSystem[];
  /** The grant files the due reviews edit (path → text). */
  reviewFiles: Map<string, string>;
  /** The grants naming each departed login. */
  naming: Record<string, AffectedGrant[]>;
  /** Who of the logins the grants name is still in the organization, when it was checked. */
  membership: Record<string, boolean> | undefined;
  /** What drift found, or why it could not run; null when not asked for. */
  drifted: SweepDriftResult | null;
  driftReport: SweepReport['drift'];
  /** Each due system's latest listing, shown in its review. */
  listings: Map<string, CampaignListing>;
}

export async function runSweep(options: SweepOptions): Promise<SweepReport> {
  const log = options.log ?? silentLogger;
  const { octokit, counts } = countingOctokit(
    withWritePacing(options.octokit, options.pacing ? new WritePacer(options.pacing) : (options.pacer ?? entryWritePacer())),
  );
  const repo = options.repo;
  const loaded = await loadDefaultBranch(octokit, repo, options.onProgress ? { onProgress: options.onProgress } : {});
  const { repository, branch, sha, summary, webUrl, session } = loaded;
  const info = { has_issues: loaded.hasIssues };
  const config = summary.config?.data;
  const configPath = summary.config?.path ?? 'access-ledger.yaml';
  const settings = staleSettings(config);
  const today = options.today ?? utcDay(options.now());
  const maxWrites = options.maxWrites ?? settings.maxWritesPerRun;
  const budget = new WriteBudget({ maxWrites: options.dryRun ? 0 : maxWrites });
  const reviewLabels = config?.reviews?.labels ?? DEFAULT_REVIEW_LABELS;
  const reviewsOn = config?.reviews?.enabled ?? true;
  let membershipState: SweepReport['membership'] = 'skipped';
  let judged: Judged;
  let parsed = 0;

  // Everything that needs the parsed branch, with the reads it depends on; then the worker is let go.
  try {
    if (!config) {
      throw new Error(
        `${repository} has no valid access-ledger.yaml on ${branch}: run \`access-ledger validate\` on it (the sweep needs the config to know the organization and the stale settings)`,
      );
    }
    // Membership: fail closed, before any write.
    let membership: Record<string, boolean> | undefined;
    if (options.membership !== false) {
      if (!config.organization) {
        membershipState = 'no-organization';
        log.warn(`${repository}: access-ledger.yaml names no organization, so leavers are not checked (set \`organization\`)`);
      } else {
        const reader = options.membership ?? new MembershipReader();
        membership = await reader.read(octokit, config.organization, summary.logins, repo);
        membershipState = 'checked';
      }
    }
    let evaluation = await session.evaluate({
      packs: options.packs,
      today,
      ...(membership ? { membership } : {}),
      render: renderContextFor(loaded, membership),
    });

    // Drift: the systems' latest listings against the grants. A failure to read them is logged and
    // leaves every drift issue as it is; the rest of the sweep goes on.
    let drifted: SweepDriftResult | null = null;
    let driftReport: SweepReport['drift'] = null;
    if (options.observed) {
      try {
        drifted = await sweepDrift({
          octokit,
          repo,
          repository,
          judge: session,
          config,
          packs: options.packs,
          today,
          now: options.now,
          ledgerBranch: config.ledger?.branch ?? DEFAULT_LEDGER_BRANCH,
          options: options.observed,
          dryRun: Boolean(options.dryRun),
          log,
        });
        driftReport = drifted;
      } catch (err) {
        const message = err instanceof Error ? err.message : String(err);
        log.warn(`${repository}: the systems' listings could not be compared with the grants: ${message}`);
        driftReport = { error: message };
      }
      if (drifted?.problemsFound.length)
        evaluation = await session.addProblems({ problems: drifted.problemsFound, render: renderContextFor(loaded, membership) });
    }

    // ---- issues: plan ----
    let plan: IssueAction[] = [];
    let listedAt: Date | undefined;
    if (!info.has_issues) {
      log.warn(
        `Issues are disabled in ${repository}: no stale-grant issues are opened (${evaluation.desired.length} problems found). Turn Issues on in the repository's settings to get them.`,
      );
    } else {
      listedAt = options.now();
      let existing: ManagedIssue[] = await listOpenManagedIssues(octokit, repo);
      const openKeys = new Set(existing.map((i) => `${i.kind}:${i.id}`));
      if (evaluation.desired.some((d) => !openKeys.has(d.key))) {
        existing = existing.concat(await listRecentlyClosedManagedIssues(octokit, repo, today, options.reopenWindowDays ?? 90));
      }
      // Without membership the leaver issues cannot be judged: leave them exactly as they are.
      if (membershipState !== 'checked') existing = existing.filter((i) => i.kind !== 'left-org');
      // Nor drift issues of a system whose listing was not read.
      existing = existing.filter((i) => driftIssueJudged(i, drifted));
      plan = await session.plan({
        existing,
        today,
        reminderDays: settings.reminderDays,
        branch,
        ...(drifted ? { observedSystems: [...drifted.observed] } : {}),
      });
    }

    // ---- reviews: which systems are due ----
    let openCampaigns = new Map<string, { number: number; url: string }>();
    let due: DueSystem[] = [];
    let reviewFiles = new Map<string, string>();
    if (reviewsOn) {
      openCampaigns = await listOpenCampaigns(octokit, repo, config.reviews?.branch_prefix);
      ({ due, files: reviewFiles } = await session.due({
        today,
        leadDays: config.stale?.expiring_within_days ?? 14,
        defaultCadenceDays: evaluation.defaultCadenceDays,
        openCampaigns: [...openCampaigns.keys()],
        ...(options.lastCampaign ? { lastCampaign: options.lastCampaign } : {}),
      }));
    }
    const departed = evaluation.desired.filter((d) => d.kind === 'left-org').map((d) => d.id);
    const naming = departed.length && options.onNewLeaver && !options.dryRun ? await session.naming(departed) : {};
    // A review is shown the system's latest listing, when the sweep read one.
    const listed = due.flatMap((d) => {
      const l = drifted?.observed.has(d.system) ? drifted.listings.get(d.system) : undefined;
      return l ? [l] : [];
    });
    const listings = listed.length ? await session.campaignListings({ listed }) : new Map<string, CampaignListing>();
    judged = { evaluation, plan, listedAt, openCampaigns, due, reviewFiles, naming, membership, drifted, driftReport, listings };
  } finally {
    parsed = (await session.close())?.files ?? 0;
  }
  const { evaluation, plan, listedAt } = judged;
  const desired = evaluation.desired;

  const report: SweepReport = {
    repository,
    branch,
    sha,
    today,
    grants: summary.grants,
    problems: evaluation.problems,
    desired,
    plan,
    deferred: [],
    executed: null,
    campaigns: [],
    dueSystems: judged.due,
    membership: membershipState,
    issuesDisabled: !info.has_issues,
    requests: counts,
    doctor: null,
    parsedInWorker: parsed,
    drift: judged.driftReport,
  };

  // The doctor reads the setup and keeps its one issue; a failure to read is logged, never the end of the sweep.
  const doctor = async (budgetFor: WriteBudget, dryRun: boolean): Promise<void> => {
    if (!options.doctor) return;
    try {
      const run = await runDoctor(octokit, repo, options.doctor);
      if (!info.has_issues) {
        report.doctor = { report: run.report, plan: [], done: [], issuesDisabled: true };
        return;
      }
      report.doctor = await keepDoctorIssue({ octokit, repo, budget: budgetFor, report: run.report, admins: run.admins, labels: settings.labels, dryRun, log });
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      log.warn(`the doctor could not check ${repository}: ${message}`);
      report.doctor = { error: message };
    }
  };

  if (options.dryRun) {
    await doctor(budget, true);
    // What this budget would leave for the next run, spent in the order a real run spends it.
    const urgentFirst = deferredWithin(plan.filter(isUrgent), maxWrites);
    const afterReviews = Math.max(0, urgentFirst.left - report.dueSystems.length * CAMPAIGN_WRITES);
    report.deferred = [
      ...urgentFirst.deferred,
      ...deferredWithin(
        plan.filter((a) => !isUrgent(a)),
        afterReviews,
      ).deferred,
    ];
    log.info(`dry run of ${repository}@${branch}: ${JSON.stringify(summarizePlan(plan))}, ${report.dueSystems.length} review campaign(s) due`);
    return report;
  }

  // ---- writes: urgent issues, then review campaigns, then the rest ----
  const organization = config!.organization;
  const onNewLeaver = options.onNewLeaver;
  const exec = {
    octokit,
    repo,
    budget,
    today,
    reminderDays: settings.reminderDays,
    branch,
    log,
    ...(listedAt ? { listedAt } : {}),
    ...(onNewLeaver && organization
      ? {
          beforeCreate: async (d: DesiredIssue) =>
            d.kind === 'left-org'
              ? onNewLeaver({ login: d.id, organization, affected: judged.naming[d.id] ?? [], ledgerBranch: config!.ledger?.branch, octokit })
              : undefined,
        }
      : {}),
  };
  const urgent = plan.filter(isUrgent);
  const rest = plan.filter((a) => !isUrgent(a));
  const executed: ExecutionReport = { results: [], created: [], duplicatesClosed: [], disabled: false };
  const merge = (r: ExecutionReport) => {
    executed.results.push(...r.results);
    executed.created.push(...r.created);
    executed.duplicatesClosed.push(...r.duplicatesClosed);
    executed.disabled ||= r.disabled;
  };
  if (info.has_issues) merge(await executeIssuePlan(urgent, exec));
  // An unsafe setup is as urgent as a leaver: its issue goes before the review campaigns.
  await doctor(budget, false);
  if (reviewsOn) {
    for (const due of report.dueSystems) {
      // A campaign closed without merging is a decision too: the next one waits reminder_days.
      const last = await latestCampaignDay(octokit, repo, due.system, config!.reviews?.branch_prefix);
      if (last && last < today && daysBetween(last, today) < settings.reminderDays) {
        report.campaigns.push({
          system: due.system,
          branch: campaignBranch({ system: due.system, date: last }, config!.reviews?.branch_prefix),
          status: 'waiting',
          files: 0,
        });
        continue;
      }
      report.campaigns.push(
        await openCampaign({
          octokit,
          repo,
          budget,
          due,
          today,
          baseSha: sha,
          defaultBranch: branch,
          files: judged.reviewFiles,
          webUrl,
          configPath,
          ...(config!.reviews?.branch_prefix ? { branchPrefix: config!.reviews.branch_prefix } : {}),
          labels: reviewLabels,
          log,
          ...(judged.membership ? { membership: judged.membership } : {}),
          ...(judged.listings.has(due.system) ? { listing: judged.listings.get(due.system)! } : {}),
          ledgerBranch: config!.ledger?.branch ?? DEFAULT_LEDGER_BRANCH,
        }),
      );
    }
  }
  if (info.has_issues && !executed.disabled) merge(await executeIssuePlan(rest, exec));
  report.executed = executed;
  report.issuesDisabled ||= executed.disabled;
  report.deferred = executed.results.filter((r) => r.outcome === 'deferred').map((r) => r.action);
  if (options.afterSweep) await options.afterSweep(octokit);
  log.info(
    `swept ${repository}@${branch} as of ${today}: ${evaluation.problems.length} problems, ${executed.results.filter((r) => r.outcome === 'done').length} issue actions done, ` +
      `${report.deferred.length} left for the next run, ${report.campaigns.filter((c) => c.status === 'opened').length} review campaign(s) opened; ${counts.reads} reads, ${counts.writes} writes`,
  );
  return report;
}
