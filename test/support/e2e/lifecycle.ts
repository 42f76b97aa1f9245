/**
 * The whole lifecycle of access at Acme, step by step, with the product's real processes against
 * the fake GitHub: the gate (bundled Action), the App (its HTTP server), the CLI (sweep,
 * reconcile, export, verify). test/e2e/lifecycle.test.ts asserts on each step's result; the
 * story `npm run demo` tells (story.ts) is made of the same steps, on a story clock. Each step
 * returns what a person would look at on GitHub afterwards: the check's verdict and next step, the
 * ledger record, the issues.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { SealedRecord } from '../../../src/core/ledger/index.ts';
import type { FakeGitHub, Issue, Review } from '../fake-github/index.ts';
import { startFakeGitHub } from '../fake-github/index.ts';
import { cloneFromFake } from './clone.ts';
import { botComments, botPulls, issues, readLedger, recordsOf, tail, waitFor, type LedgerView } from './observe.ts';
import type { StoryClock } from './clock.ts';
import { runCli, runGate, startApp, tempDir, useClock, type AppProcess, type GateRun, type ProcessResult } from './processes.ts';
import { newGrantFile, PROVISIONING_WORKFLOW, seedAcme, type World } from './world.ts';

export interface LifecycleOptions {
  /** Work directory (App log, event files, the clone, the binder); default a new temp dir. */
  dir?: string;
  seed?: number;
  /** Bound on each wait for the App (default 60 s). */
  waitMs?: number;
  /** Seed the production AWS account too (its system file says how it is listed), and let the App list the organization. */
  aws?: boolean;
  /**
   * One clock for the fake and every process (clock.ts): the world is seeded on its day, and the
   * story moves it forward. Without it, the wall clock.
   */
  clock?: StoryClock;
  /** The story's repo (world.ts): no grant in its first commit, a provisioning workflow, more approvers. */
  story?: boolean;
}

export interface ObserveStep {
  cli: ProcessResult;
  /** The access-snapshot record the listing was recorded as. */
  record: SealedRecord;
}

export interface GateStep {
  pr: number;
  gate: GateRun;
}

export interface RecordStep {
  pr: number;
  record: SealedRecord;
  comment: string;
  /** Whether the App's comment on the PR names this record's hash (an anchor outside the ledger branch). */
  anchored: boolean;
  ledger: LedgerView;
}

export interface SweepStep {
  today: string;
  cli: ProcessResult;
  opened: Issue[];
  closed: Issue[];
  /** Pull requests the sweep opened (review campaigns). */
  campaigns: Issue[];
}

export interface ExportStep {
  clone: string;
  out: string;
  index: string;
  export: ProcessResult;
  verify: ProcessResult;
  verifyOnline: ProcessResult;
  manifest: { files?: Record<string, string> } & Record<string, unknown>;
}

export class Lifecycle {
  readonly fake: FakeGitHub;
  readonly world: World;
  readonly dir: string;
  app: AppProcess;
  readonly clock: StoryClock | undefined;
  private readonly waitMs: number;
  private issued: { token: string; until: number } | undefined;

  private constructor(fake: FakeGitHub, world: World, app: AppProcess, dir: string, waitMs: number, clock: StoryClock | undefined) {
    this.fake = fake;
    this.world = world;
    this.app = app;
    this.dir = dir;
    this.waitMs = waitMs;
    this.clock = clock;
  }

  /**
   * The installation token: what `actions/create-github-app-token` gives the gate and a scheduled
   * `sweep`. A workflow gets a fresh one each run; here a new one once the clock has moved past
   * most of its hour.
   */
  get token(): string {
    const now = this.fake.state.now().getTime();
    if (!this.issued || this.issued.until <= now)
      this.issued = { token: this.fake.createInstallationToken(this.world.installationId), until: now + 30 * 60_000 };
    return this.issued.token;
  }

  /** The fake with Acme's world, and the App's server pointed at it. */
  static async start(options: LifecycleOptions = {}): Promise<Lifecycle> {
    const dir = options.dir ?? tempDir('lifecycle');
    const fake = await startFakeGitHub({ seed: options.seed ?? 1 });
    const clock = options.clock;
    if (clock) {
      fake.state.now = () => clock.now();
      useClock(clock);
    }
    try {
      const world = seedAcme(fake, { aws: options.aws === true, story: options.story === true, ...(clock ? { today: clock.today() } : {}) });
      // The access repos are named, as a deployment may: the App then needs no repository listing
      // (test/e2e/app-discovery.test.ts runs the App without them, listing the installation).
      const app = await startApp({ fake, dir, env: { ACCESS_LEDGER_REPOSITORIES: world.repo } });
      return new Lifecycle(fake, world, app, dir, options.waitMs ?? 60_000, clock);
    } catch (err) {
      if (clock) useClock(null);
      await fake.close();
      throw err;
    }
  }

  async stop(opts: { removeDir?: boolean } = {}): Promise<void> {
    await this.app.stop().catch(() => undefined);
    await this.fake.close();
    if (this.clock) useClock(null);
    if (opts.removeDir) rmSync(this.dir, { recursive: true, force: true });
  }

  get repo(): string {
    return this.world.repo;
  }

  private gate(event: 'pull_request' | 'pull_request_review', payload: Record<string, unknown>): Promise<GateRun> {
    return runGate({ fake: this.fake, repo: this.repo, event, payload, token: this.token, dir: this.dir });
  }

  /**
   * A pull request adding `login`'s grant file, opened by `by` (the grantee, or a manager on the
   * new hire's behalf); the gate runs on `pull_request.opened`.
   */
  async openGrantPr(login = 'wzhang', opts: { by?: string; expires?: string; title?: string } = {}): Promise<GateStep> {
    const pr = this.fake.state.openPullRequest(this.repo, {
      author: opts.by ?? login,
      title: opts.title ?? `Grant ${login} read-only access to prod-postgres`,
      body: `${login} joins the data team and debugs the nightly billing pipeline (DATA-1001).`,
      head: `grant-${login}`,
      files: { [`grants/people/${login}.yaml`]: newGrantFile(login, opts.expires ?? this.world.day(30)) },
    });
    return { pr, gate: await this.gate('pull_request', this.fake.payloads.pullRequest('opened', this.repo, pr)) };
  }

  /**
   * A reviewer approves the PR's head commit; the gate runs again on `pull_request_review.submitted`.
   * Anyone may approve on GitHub: the gate decides whether the approval counts (an approver of the
   * system, not the grantee), and for one that does not, still names who may approve.
   */
  async approve(pr: number, reviewer: string): Promise<GateStep & { review: Review }> {
    const review = this.fake.state.submitReview(this.repo, pr, { user: reviewer, state: 'APPROVED', body: 'Looks right.' });
    return { pr, review, gate: await this.gate('pull_request_review', this.fake.payloads.pullRequestReview('submitted', this.repo, pr, review.id)) };
  }

  /**
   * Several reviewers approve the head commit, one after the other (`minutes` apart on a story
   * clock); the gate runs on the last review, as it does on each.
   */
  async approveAll(pr: number, reviewers: string[], minutes = 5): Promise<GateStep> {
    let last: Review | undefined;
    for (const reviewer of reviewers) {
      this.clock?.advance(minutes);
      last = this.fake.state.submitReview(this.repo, pr, { user: reviewer, state: 'APPROVED', body: 'Looks right.' });
    }
    if (!last) throw new Error('approveAll needs a reviewer');
    return { pr, gate: await this.gate('pull_request_review', this.fake.payloads.pullRequestReview('submitted', this.repo, pr, last.id)) };
  }

  /** Someone pushes a commit to the pull request; the gate runs again on `pull_request.synchronize`. */
  async push(pr: number, files: Record<string, string | null>, author: string, message: string): Promise<GateStep> {
    this.fake.state.pushToPullRequest(this.repo, pr, files, { author, message });
    return { pr, gate: await this.gate('pull_request', this.fake.payloads.pullRequest('synchronize', this.repo, pr)) };
  }

  /** Merges on GitHub, delivers the signed `pull_request.closed` webhook, and waits for the record and the App's comment. */
  async mergeAndRecord(pr: number, by: string, kind = 'grant-change'): Promise<RecordStep> {
    this.fake.state.mergePull(this.repo, pr, { by });
    return this.recordMerged(pr, kind);
  }

  /** Delivers the `pull_request.closed` webhook of a PR merged on GitHub, and waits for the record and the App's comment. */
  async recordMerged(pr: number, kind = 'grant-change'): Promise<RecordStep> {
    const delivery = await this.fake.deliver('pull_request', this.fake.payloads.pullRequest('closed', this.repo, pr), {
      url: this.app.webhookUrl,
      secret: this.app.secret,
    });
    if (delivery.status >= 400)
      throw new Error(`the App answered the merge of #${pr} with HTTP ${delivery.status}: ${delivery.response}\n${tail(this.app.log)}`);
    const record = await waitFor(() => recordsOf(readLedger(this.fake, this.repo), kind, pr)[0], {
      what: `a ${kind} record of #${pr}`,
      timeoutMs: this.waitMs,
      detail: () => tail(this.app.log),
    });
    // The sticky comment anchors the PR's grant-change record (and names every record it lists).
    const anchor =
      kind === 'grant-change'
        ? record
        : await waitFor(() => recordsOf(readLedger(this.fake, this.repo), 'grant-change', pr)[0], {
            what: `the grant-change record of #${pr}`,
            timeoutMs: this.waitMs,
            detail: () => tail(this.app.log),
          });
    const comment = await waitFor(() => botComments(this.fake, this.repo, pr).find((c) => c.body.includes(anchor.hash))?.body, {
      what: `the App's comment on #${pr} naming ${anchor.hash.slice(0, 12)}`,
      timeoutMs: this.waitMs,
      detail: () => tail(this.app.log),
    });
    return { pr, record, comment, anchored: comment.includes(record.hash), ledger: readLedger(this.fake, this.repo) };
  }

  /**
   * The provisioning workflow (`ledger.provisioning_workflow`) runs on the merge commit of `pr`
   * and completes; GitHub sends `workflow_run.completed` and the App records it as `provisioned`.
   */
  async provision(pr: number, conclusion: 'success' | 'failure' = 'success'): Promise<SealedRecord> {
    const merged = this.fake.state.pullOf(this.repo, pr).pull;
    if (!merged.mergeCommitSha) throw new Error(`#${pr} is not merged: nothing to provision`);
    const run = this.fake.state.addWorkflowRun(this.repo, {
      headSha: merged.mergeCommitSha,
      path: PROVISIONING_WORKFLOW,
      name: 'provision',
      event: 'push',
      conclusion,
      actor: merged.mergedBy?.login ?? 'mchen',
    });
    const delivery = await this.fake.deliver('workflow_run', this.fake.payloads.workflowRunCompleted(this.repo, run.id), {
      url: this.app.webhookUrl,
      secret: this.app.secret,
    });
    if (delivery.status >= 400)
      throw new Error(`the App answered workflow_run of #${pr} with HTTP ${delivery.status}: ${delivery.response}\n${tail(this.app.log)}`);
    return waitFor(() => recordsOf(readLedger(this.fake, this.repo), 'provisioned', pr)[0], {
      what: `the provisioned record of #${pr}`,
      timeoutMs: this.waitMs,
      detail: () => tail(this.app.log),
    });
  }

  /** A pull request changing `files`, opened by `author`; the gate runs on `pull_request.opened`. */
  async openPr(o: { author: string; title: string; body: string; head: string; files: Record<string, string | null> }): Promise<GateStep> {
    const pr = this.fake.state.openPullRequest(this.repo, o);
    return { pr, gate: await this.gate('pull_request', this.fake.payloads.pullRequest('opened', this.repo, pr)) };
  }

  /**
   * `access-ledger observe --record`, as a scheduled workflow in the access repo runs it: the
   * repo's config and systems checked out, the App's installation token and signing key. `from`
   * is the system's own export; without it the organization is listed live.
   */
  async observe(system: string, from?: { name: string; content: string }): Promise<ObserveStep> {
    const checkout = join(this.dir, 'checkout');
    rmSync(checkout, { recursive: true, force: true });
    for (const [path, content] of Object.entries(this.fake.state.readTree(this.repo, 'main') ?? {})) {
      if (path !== 'access-ledger.yaml' && !path.startsWith('systems/')) continue;
      mkdirSync(dirname(join(checkout, path)), { recursive: true });
      writeFileSync(join(checkout, path), content);
    }
    const args = ['observe', checkout, '--system', system, '--out', join(this.dir, `${system}.snapshot.json`), '--record', '--repo', this.repo];
    if (from) {
      writeFileSync(join(this.dir, from.name), from.content);
      args.push('--from', join(this.dir, from.name));
    }
    const before = new Set(recordsOf(readLedger(this.fake, this.repo), 'access-snapshot').map((r) => r.key));
    const cli = await runCli(args, { env: { GITHUB_TOKEN: this.token, GITHUB_API_URL: this.fake.url }, timeoutMs: this.waitMs });
    if (cli.code !== 0) throw new Error(`observe --system ${system} exited ${cli.code}: ${(cli.stderr || cli.stdout).trim()}`);
    const record = recordsOf(readLedger(this.fake, this.repo), 'access-snapshot').find(
      (r) => !before.has(r.key) && (r.subject as { system?: string }).system === system,
    );
    if (!record) throw new Error(`observe --system ${system} recorded nothing: ${cli.stdout.trim()}`);
    return { cli, record };
  }

  /** `access-ledger doctor` with the App's installation token: how the repository is set up. */
  doctor(): Promise<ProcessResult> {
    return runCli(['doctor', '--repo', this.repo], { env: { GITHUB_TOKEN: this.token, GITHUB_API_URL: this.fake.url }, timeoutMs: this.waitMs });
  }

  /** `access-ledger sweep` as a scheduled workflow runs it, with the clock moved to `today`. */
  async sweep(today: string): Promise<SweepStep> {
    const before = new Map(issues(this.fake, this.repo).map((i) => [i.number, i.state]));
    const pullsBefore = new Set(botPulls(this.fake, this.repo).map((p) => p.number));
    const cli = await runCli(['sweep', '--repo', this.repo, '--today', today], {
      env: { GITHUB_TOKEN: this.token, GITHUB_API_URL: this.fake.url },
      timeoutMs: this.waitMs * 2,
    });
    const after = issues(this.fake, this.repo);
    return {
      today,
      cli,
      opened: after.filter((i) => !before.has(i.number)),
      closed: after.filter((i) => i.state === 'closed' && before.get(i.number) === 'open'),
      campaigns: botPulls(this.fake, this.repo).filter((p) => !pullsBefore.has(p.number)),
    };
  }

  /** The owner revokes by deleting the grant file in a PR (removal-only: no approval needed), merged and recorded. */
  async revoke(login: string, by = 'sbrandt'): Promise<GateStep & RecordStep> {
    const pr = this.fake.state.openPullRequest(this.repo, {
      author: by,
      title: `Revoke ${login}'s access to prod-postgres`,
      body: 'The access expired and is no longer needed.',
      head: `revoke-${login}`,
      files: { [`grants/people/${login}.yaml`]: null },
    });
    const gate = await this.gate('pull_request', this.fake.payloads.pullRequest('opened', this.repo, pr));
    return { ...(await this.mergeAndRecord(pr, by)), gate };
  }

  /** GitHub removes the member and sends `organization.member_removed`; the App records it and opens the urgent issue. */
  async leaver(login: string, by = 'mchen'): Promise<{ record: SealedRecord; issue: Issue }> {
    this.fake.state.removeOrgMember(this.world.org, login);
    const delivery = await this.fake.deliver('organization', this.fake.payloads.organizationMemberRemoved(this.world.org, login, { sender: by }), {
      url: this.app.webhookUrl,
      secret: this.app.secret,
    });
    if (delivery.status >= 400) throw new Error(`the App answered member_removed with HTTP ${delivery.status}: ${delivery.response}\n${tail(this.app.log)}`);
    const record = await waitFor(
      () => recordsOf(readLedger(this.fake, this.repo), 'identity-left-org').find((r) => JSON.stringify(r.subject).includes(`"${login}"`)),
      { what: `the identity-left-org record of ${login}`, timeoutMs: this.waitMs, detail: () => tail(this.app.log) },
    );
    const issue = await waitFor(
      () =>
        issues(this.fake, this.repo, 'open').find(
          (i) => /<!--\s*access-ledger:stale\s+id=/.test(i.body ?? '') && (i.body ?? '').includes(`id=${login} kind=left-org`),
        ),
      { what: `the leaver issue of ${login}`, timeoutMs: this.waitMs, detail: () => tail(this.app.log) },
    );
    return { record, issue };
  }

  /** A local clone (the fake's commits, byte for byte), the binder, and `verify` offline and against the PR comments. */
  async exportAndVerify(from: string, to: string): Promise<ExportStep> {
    const clone = join(this.dir, 'clone');
    rmSync(clone, { recursive: true, force: true });
    cloneFromFake(this.fake, this.repo, clone);
    const out = join(this.dir, 'binder');
    rmSync(out, { recursive: true, force: true });
    const exported = await runCli(['export', '--repo', clone, '--from', from, '--to', to, '--out', out]);
    const verify = await runCli(['verify', '--repo', clone]);
    const verifyOnline = await runCli(['verify', '--repo', clone, '--online', '--api-url', this.fake.url], { env: { GITHUB_TOKEN: this.token } });
    let manifest: ExportStep['manifest'] = {};
    try {
      manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')) as ExportStep['manifest'];
    } catch {
      // reported by the caller through export's exit code
    }
    return { clone, out, index: join(out, 'index.html'), export: exported, verify, verifyOnline, manifest };
  }
}

export { readLedger, recordsOf };
