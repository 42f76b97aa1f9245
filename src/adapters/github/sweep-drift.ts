/**
 * The sweep's drift: each observed system's latest recorded listing (read back from the ledger
 * branch and rebuilt as `observe --from` does) judged against the grants on the default branch by
 * `drift`, as problems the issue lifecycle keeps one issue for per system and kind. Before that,
 * when the App or `sweep --observe-org` asks, the GitHub organization of a system whose file says
 * `observe: { connector: github-org }` is listed and recorded (signed, with its raw export), at most
 * once a day.
 *
 * Fail closed: a system whose listing cannot be read or trusted is not judged, and its open drift
 * issues are left exactly as they are; nothing is closed for want of evidence.
 */
import type { Pack } from '../../core/engine/policy.ts';
import { recordPath, toTimestamp } from '../../core/ledger/index.ts';
import type { Snapshot } from '../../core/model/snapshot.ts';
import type { IsoDate, RepoConfig } from '../../core/model/types.ts';
import { drift } from '../../core/observe/drift.ts';
import type { ObserveConfig } from '../../core/observe/mapped.ts';
import type { RecordedSnapshot } from '../../core/observe/record.ts';
import { buildSnapshot, connectorOf, runConnector } from '../../core/observe/snapshot.ts';
import type { ConnectorId } from '../../core/observe/types.ts';
import { driftProblems, isDriftKind, type DriftProblem, type ManagedIssue } from '../../core/stale/index.ts';
import type { LedgerStore } from './ledger-store.ts';
import { readLatestSnapshots, recordSnapshot } from './ledger-snapshots.ts';
import type { RecordTrust } from './ledger-trust.ts';
import { observeOrganization } from './observe-org.ts';
import type { Logger, RepoRef, SweepOctokit } from './issues.ts';
import type { AccessSnapshotSubject } from '../../core/ledger/kinds.ts';

/** What the sweep needs to compare systems with their listings. */
export interface SweepObservedOptions {
  /** Decides whether a record on the ledger branch is the App's own. */
  trust(config: RepoConfig): Promise<RecordTrust>;
  /**
   * List and record the GitHub organization (systems whose file says `connector: github-org`),
   * at most once a day, through this store. Off unless given.
   */
  organization?: {
    store(config: RepoConfig): Promise<LedgerStore>;
    /** The API root recorded with the listing, e.g. https://api.github.com. */
    api: string;
  };
}

/** The organization's listing in this sweep. */
export type OrganizationOutcome =
  | { system: string; status: 'recorded'; key: string; seq: number }
  | { system: string; status: 'listed-today'; key: string }
  | { system: string; status: 'failed'; error: string };

export interface SweepDriftResult {
  /** Systems defined under systems/ that say how their listing is read. */
  observed: Set<string>;
  /** The latest usable listing of each system (the organization's too, without a file). */
  listings: Map<string, RecordedSnapshot>;
  /** System → why its listing could not be used. */
  problems: Map<string, string>;
  /** Records passed over for an older usable listing (someone else's, or broken), in words. */
  ignored: string[];
  /** The systems read that list the GitHub organization. */
  organizationSystems: Set<string>;
  organization: OrganizationOutcome[];
  problemsFound: DriftProblem[];
  /** API requests made reading the listings. */
  requests: number;
}

/** The system id of the organization when no system file defines one (`observe --system github`). */
export const ORGANIZATION_SYSTEM = 'github';

/**
 * Systems whose listings the sweep reads: each system file with an `observe:` block (or the file of
 * `github`, the organization), and `github` itself without a file (the organization's listing tells
 * who left, for observed-leaver-access, even when no system file defines it).
 */
export function observedSystems(repo: Snapshot): {
  withFile: Map<string, { connector: ConnectorId; config: ObserveConfig | undefined }>;
  read: Map<string, ObserveConfig | undefined>;
} {
  const withFile = new Map<string, { connector: ConnectorId; config: ObserveConfig | undefined }>();
  for (const f of repo.systems) {
    const s = f.data;
    if (!s) continue;
    const connector = connectorOf(s.observe) ?? (s.id === ORGANIZATION_SYSTEM ? 'github-org' : undefined);
    if (connector) withFile.set(s.id, { connector, config: s.observe });
  }
  const read = new Map<string, ObserveConfig | undefined>([...withFile].map(([id, v]) => [id, v.config]));
  if (!repo.systems.some((f) => f.data?.id === ORGANIZATION_SYSTEM)) read.set(ORGANIZATION_SYSTEM, undefined);
  return { withFile, read };
}

/**
 * What drift asks of the parsed repo. The sweep's worker holds the repo (branch-session.ts) and
 * answers these; a snapshot in hand answers them at once (`snapshotJudge`).
 */
export interface DriftJudge {
  observedSystems(): Promise<ReturnType<typeof observedSystems>>;
  /** The differences between the grants and these listings, as problems of the compared systems. */
  judgeDrift(args: { listings: Map<string, RecordedSnapshot>; systems: string[]; packs: ReadonlyMap<string, Pack>; today: IsoDate }): Promise<DriftProblem[]>;
}

/** `drift` and its problems over a parsed repo: what the worker runs, and what a snapshot in hand runs. */
export function judgeDrift(
  repo: Snapshot,
  args: { listings: Map<string, RecordedSnapshot>; systems: string[]; packs: ReadonlyMap<string, Pack>; today: IsoDate },
): DriftProblem[] {
  const { findings } = drift(
    repo,
    [...args.listings.values()].map((l) => l.snapshot),
    { packs: args.packs, today: args.today },
  );
  return driftProblems({ findings, listings: args.listings, repo, systems: new Set(args.systems) });
}

export interface SweepDriftInput {
  octokit: SweepOctokit;
  repo: RepoRef;
  repository: string;
  judge: DriftJudge;
  config: RepoConfig;
  packs: ReadonlyMap<string, Pack>;
  today: IsoDate;
  now: () => Date;
  ledgerBranch: string;
  options: SweepObservedOptions;
  dryRun: boolean;
  log: Logger;
}

export async function sweepDrift(input: SweepDriftInput): Promise<SweepDriftResult> {
  const { withFile, read } = await input.judge.observedSystems();
  const organizationSystems = new Set([...read.keys()].filter((id) => (withFile.get(id)?.connector ?? 'github-org') === 'github-org'));
  const result: SweepDriftResult = {
    observed: new Set(withFile.keys()),
    listings: new Map(),
    problems: new Map(),
    ignored: [],
    organizationSystems,
    organization: [],
    problemsFound: [],
    requests: 0,
  };
  if (read.size === 0) return result;
  const trust = await input.options.trust(input.config);
  const found = await readLatestSnapshots({ octokit: input.octokit, repo: input.repo, branch: input.ledgerBranch, trust, systems: read });
  result.requests = found.requests;
  result.listings = found.listings;
  result.problems = found.problems;
  result.ignored = found.ignored;
  for (const [system, problem] of found.problems) input.log.warn(`${input.repository}: the latest listing of ${system} is not used: ${problem}`);
  for (const why of found.ignored)
    if (![...found.problems.values()].includes(why)) input.log.warn(`${input.repository}: a snapshot record was passed over: ${why}`);

  // The organization, listed and recorded at most once a day.
  const org = input.options.organization;
  if (org && !input.dryRun) {
    const day = toTimestamp(input.now()).slice(0, 10);
    for (const [system, { connector, config }] of withFile) {
      if (connector !== 'github-org') continue;
      const latest = found.listings.get(system);
      if (latest && latest.subject.taken_at.slice(0, 10) === day) {
        result.organization.push({ system, status: 'listed-today', key: latest.record.key });
        continue;
      }
      try {
        const listed = await listAndRecord(input, org, system, config);
        result.listings.set(system, listed);
        result.problems.delete(system);
        result.organization.push({ system, status: 'recorded', key: listed.record.key, seq: listed.record.seq });
        input.log.info(
          `${input.repository}: listed the organization as ${system} (${listed.snapshot.accounts.length} accounts), recorded ${listed.record.key}`,
        );
      } catch (err) {
        const error = err instanceof Error ? err.message : String(err);
        result.organization.push({ system, status: 'failed', error });
        input.log.warn(`${input.repository}: could not list the organization for ${system}: ${error}`);
      }
    }
  }

  const compared = new Set([...withFile.keys()].filter((s) => result.listings.has(s)));
  if (compared.size === 0) return result;
  result.problemsFound = await input.judge.judgeDrift({ listings: result.listings, systems: [...compared], packs: input.packs, today: input.today });
  return result;
}

async function listAndRecord(
  input: SweepDriftInput,
  org: NonNullable<SweepObservedOptions['organization']>,
  system: string,
  config: ObserveConfig | undefined,
): Promise<RecordedSnapshot> {
  const organization = config?.organization ?? input.config.organization;
  if (!organization) throw new Error(`which organization? set organization in access-ledger.yaml, or observe.organization in systems/${system}.yaml`);
  const listed = await observeOrganization({ octokit: input.octokit, organization, api: org.api });
  const raw = Buffer.from(JSON.stringify(listed.export, null, 2) + '\n');
  const takenAt = toTimestamp(input.now());
  const snapshot = buildSnapshot({
    system,
    connector: 'github-org',
    takenAt,
    source: { type: 'api', file: null, command: `access-ledger observe --system ${system}`, api: org.api, calls: listed.calls },
    raw,
    rawFormat: 'json',
    result: runConnector('github-org', raw, `the ${organization} listing`, config, takenAt),
  });
  const store = await org.store(input.config);
  const { record } = await recordSnapshot(store, snapshot, raw, input.repository);
  return {
    record: { key: record.key, seq: record.seq, hash: record.hash, path: recordPath(record), occurred_at: record.occurred_at },
    subject: record.subject as AccessSnapshotSubject,
    snapshot,
  };
}

/**
 * Which open drift issues the plan may touch: those of systems compared in this sweep, and those
 * of systems no longer observed at all (they close). Issues of a system whose listing could not
 * be read, and leaver issues when the organization's listing could not be, are left as they are.
 */
export function driftIssueJudged(issue: Pick<ManagedIssue, 'kind' | 'id'>, d: SweepDriftResult | null): boolean {
  if (!isDriftKind(issue.kind)) return true;
  if (!d) return false;
  if (!d.observed.has(issue.id)) return true;
  if (!d.listings.has(issue.id) || d.problems.has(issue.id)) return false;
  if (issue.kind === 'observed-leaver-access') {
    // Who left is known from the organization's listing: without it, leaver issues stay as they are.
    const orgListed = [...d.listings.values()].some((l) => l.subject.connector === 'github-org');
    if (!orgListed && [...d.organizationSystems].some((s) => d.problems.has(s))) return false;
  }
  return true;
}
