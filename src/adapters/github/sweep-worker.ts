/**
 * The sweep's heavy half, in a worker thread (src/adapters/github/branch-session.ts runs it): the
 * repository archive is inflated and read entry by entry, each file parsed and checked against
 * its schema, and the rules evaluated, all here, so the App's event loop stays free to answer
 * webhooks while a large repo is swept. The parsed repo stays here too: the main thread asks
 * questions about it over a message port (membership comes from GitHub in between) and receives
 * plain data (problems, issue texts, the plan, the systems due for review), never the snapshot.
 *
 * One task is one session: it reads the archive, reports what the main thread needs to go on,
 * answers requests until `close`, and then lets the snapshot go.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { MessagePort } from 'node:worker_threads';
import type { Pack } from '../../core/engine/policy.ts';
import { resolvePolicy } from '../../core/engine/policy.ts';
import { SnapshotBuilder, roleOf, type RepoFile, type Snapshot } from '../../core/model/snapshot.ts';
import { MAX_FILE_BYTES } from '../../core/model/yaml-file.ts';
import type { IsoDate } from '../../core/model/types.ts';
import { desiredIssues, evaluateStale, planIssues, type DesiredIssue, type ManagedIssue, type RenderContext } from '../../core/stale/index.ts';
import { campaignListing, dueSystems, type CampaignListing } from '../../core/reviews/index.ts';
import type { RecordedSnapshot } from '../../core/observe/record.ts';
import type { Problem } from '../../core/stale/index.ts';
import { judgeDrift, observedSystems } from './sweep-drift.ts';
import { grantsNaming, leaverProblem } from '../../core/leavers.ts';
import type { Policy } from '../../core/engine/policy.ts';
import { builtinRegistry } from '../../core/validate.ts';
import { readArchive, type ArchiveSource } from './sweep-archive.ts';
import type { BranchSummary, SessionReply, SessionRequest } from './branch-protocol.ts';

export interface SessionTask {
  port: MessagePort;
  archive: ArchiveSource;
  /** A progress message every this many files read (0: none). */
  progressEvery: number;
}

/** What the session ends with: the files it read and parsed, in this thread. */
export interface SessionEnd {
  files: number;
}

const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

function loginsNamed(snapshot: Snapshot): string[] {
  const out = new Set<string>();
  for (const f of snapshot.grants) {
    const g = f.data;
    if (!g) continue;
    if (g.identity.owner) out.add(g.identity.owner.toLowerCase());
    if (g.identity.kind === 'human' && g.identity.github) out.add(g.identity.github.toLowerCase());
    for (const h of g.shared?.holders ?? []) out.add(h.toLowerCase());
  }
  return [...out];
}

class Branch {
  readonly snapshot: Snapshot;
  policy: Policy | undefined;
  desired: DesiredIssue[] = [];
  problems: Problem[] = [];
  defaultCadenceDays = 365;

  constructor(snapshot: Snapshot) {
    this.snapshot = snapshot;
  }

  summary(files: number): BranchSummary {
    const config = this.snapshot.config;
    return {
      files,
      grants: this.snapshot.grants.length,
      systems: this.snapshot.systems.length,
      config: config ? { path: config.path, ...(config.data ? { data: config.data } : {}) } : null,
      logins: loginsNamed(this.snapshot),
    };
  }

  evaluate(a: { packs: ReadonlyMap<string, Pack>; today: IsoDate; membership?: Record<string, boolean>; render: RenderContext }) {
    const evaluation = evaluateStale(this.snapshot, { packs: a.packs, today: a.today, ...(a.membership ? { membership: a.membership } : {}) });
    this.policy = evaluation.policy;
    this.problems = evaluation.problems;
    this.desired = desiredIssues(this.problems, a.render);
    this.defaultCadenceDays = Number(evaluation.policy.rules.get('review-overdue')?.options.default_cadence_days ?? 365);
    return { problems: this.problems, desired: this.desired, defaultCadenceDays: this.defaultCadenceDays };
  }

  addProblems(a: { problems: Problem[]; render: RenderContext }) {
    this.problems = [...this.problems, ...a.problems];
    this.desired = desiredIssues(this.problems, a.render);
    return { problems: this.problems, desired: this.desired, defaultCadenceDays: this.defaultCadenceDays };
  }

  observedSystems() {
    return observedSystems(this.snapshot);
  }

  judgeDrift(a: Parameters<typeof judgeDrift>[1]) {
    return judgeDrift(this.snapshot, a);
  }

  campaignListings(a: { listed: RecordedSnapshot[] }) {
    const out = new Map<string, CampaignListing>();
    for (const l of a.listed) out.set(l.snapshot.system, campaignListing(this.snapshot, l));
    return out;
  }

  plan(a: { existing: ManagedIssue[]; today: IsoDate; reminderDays: number; branch: string; observedSystems?: string[] }) {
    const grantIds = new Set(this.snapshot.grants.flatMap((g) => (g.data ? [g.data.identity.id] : [])));
    return planIssues({
      desired: this.desired,
      existing: a.existing,
      today: a.today,
      reminderDays: a.reminderDays,
      grantIds,
      branch: a.branch,
      ...(a.observedSystems ? { observedSystems: new Set(a.observedSystems) } : {}),
    });
  }

  due(a: { today: IsoDate; leadDays: number; defaultCadenceDays: number; openCampaigns: string[]; lastCampaign?: ReadonlyMap<string, IsoDate> }) {
    const due = dueSystems({
      snapshot: this.snapshot,
      today: a.today,
      leadDays: a.leadDays,
      defaultCadenceDays: a.defaultCadenceDays,
      openCampaigns: new Set(a.openCampaigns),
      ...(a.lastCampaign ? { lastCampaign: a.lastCampaign } : {}),
    });
    // The texts of the grant files those reviews edit, and no others (as parsed: a grant a review
    // edits parsed cleanly, so its text is the file's, whole).
    const edited = new Set(due.flatMap((d) => d.grants.map((g) => g.path)));
    const files = new Map<string, string>();
    for (const g of this.snapshot.grants) if (edited.has(g.path) && g.source.text !== undefined) files.set(g.path, g.source.text);
    return { due, files };
  }

  naming(a: { logins: string[] }) {
    return Object.fromEntries(a.logins.map((login) => [login, grantsNaming(this.snapshot, login)]));
  }

  leaver(a: { login: string; packs: ReadonlyMap<string, Pack> }) {
    const { policy } = resolvePolicy(this.snapshot.config, a.packs, builtinRegistry());
    return { affected: grantsNaming(this.snapshot, a.login), problem: leaverProblem(this.snapshot, policy, a.login) ?? null };
  }
}

/** Reads the archive: every config, system and grant file, each parsed as it arrives and its bytes let go. */
async function load(task: SessionTask): Promise<{ branch: Branch; files: number }> {
  // Held for the whole sweep: equal short strings shared between files (a seventh less memory).
  const builder = new SnapshotBuilder({ shareStrings: true });
  let read = 0;
  await readArchive(
    task.archive,
    (f) => {
      const file: RepoFile = { path: f.path, content: f.content, blobSha: f.blobSha, size: f.size };
      // Decoded once, here: the parser keeps the text (to place a finding later, and for the review
      // pull requests). Bytes that are not UTF-8 stay bytes, for the parser to report.
      if (f.size <= MAX_FILE_BYTES) {
        try {
          file.content = UTF8.decode(f.content);
        } catch {
          /* reported by the parser */
        }
      }
      builder.add(file);
      read++;
      if (task.progressEvery > 0 && read % task.progressEvery === 0) task.port.postMessage({ progress: read } satisfies SessionReply);
    },
    { wanted: (path) => roleOf(path) !== 'other', keepBytes: MAX_FILE_BYTES },
  );
  return { branch: new Branch(builder.finish()), files: read };
}

/**
 * A full garbage collection once the session's repo is unreachable (after the task returns). An
 * idle worker allocates nothing, so V8 would never collect the parsed repo, and the main thread's
 * writes that follow a sweep would add to its hundreds of megabytes instead of reusing them. `gc`
 * is exposed for contexts made after the flag is set (as Jest's leak detector does); where that
 * fails, the worker just keeps the memory until it ends.
 */
function collectWhenIdle(): void {
  if (collect === undefined) {
    try {
      setFlagsFromString('--expose-gc');
      collect = runInNewContext('gc') as () => void;
    } catch {
      // No collection: the memory goes when the idle worker ends.
      collect = null;
    }
  }
  const gc = collect;
  if (gc) setTimeout(() => gc(), 0);
}
let collect: (() => void) | null | undefined;

export default async function session(task: SessionTask): Promise<SessionEnd> {
  const { port } = task;
  let loaded: { branch: Branch; files: number };
  try {
    loaded = await load(task);
  } catch (err) {
    port.close();
    throw err;
  }
  const { branch, files } = loaded;
  port.postMessage({ loaded: branch.summary(files) } satisfies SessionReply);
  await new Promise<void>((resolve) => {
    port.on('message', (req: SessionRequest) => {
      if (req.op === 'close') {
        port.close();
        resolve();
        return;
      }
      let reply: SessionReply;
      try {
        const value = (branch[req.op] as (args: unknown) => unknown)(req.args);
        reply = { id: req.id, ok: true, value };
      } catch (err) {
        reply = { id: req.id, ok: false, error: err instanceof Error ? err.message : String(err) };
      }
      port.postMessage(reply);
    });
    port.on('close', () => resolve());
  });
  collectWhenIdle();
  return { files };
}
