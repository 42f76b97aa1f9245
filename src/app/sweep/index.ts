/**
 * The App's stale-grant and review features:
 * - the sweep of every access repo, on an in-process daily schedule (off with
 *   ACCESS_LEDGER_SCHEDULE=off) and on `POST /api/access-ledger/sweep` for an external cron
 *   (only when ACCESS_LEDGER_CRON_SECRET is set);
 * - `organization.member_removed`: the `identity-left-org` record and the urgent leaver issue;
 * - `pull_request.closed` (merged): a review campaign becomes a `review-campaign` record, and any
 *   merge into the default branch settles open leaver issues (closed once no grant names the login).
 */
import type { ApplicationFunctionOptions, Probot } from 'probot';
import { resolvePolicy } from '../../core/engine/policy.ts';
import { builtinRegistry } from '../../core/validate.ts';
import { leaverProblem } from '../../core/leavers.ts';
import { keyOf, planIssues, renderIssue, staleSettings, type DesiredIssue } from '../../core/stale/index.ts';
import { utcDay } from '../../core/dates.ts';
import { Pacer, executeIssuePlan, listOpenManagedIssues, type RepoRef, type SweepOctokit } from '../../adapters/github/issues.ts';
import { MembershipReader, loadDefaultBranch, renderContextFor } from '../../adapters/github/sweep.ts';
import type { AppDeps } from '../deps.ts';
import { recordCampaignMerge, type CampaignPull } from './campaign-merged.ts';
import { handleMemberRemoved } from './leaver.ts';
import { createSweepRunner, type Log, type SweepFeature } from './run.ts';
import { sweepSettings, type SweepSettings } from './settings.ts';
import { cronHandler, startSchedule, type Timers } from './trigger.ts';

export interface SweepFeatureOptions {
  settings?: SweepSettings;
  pacing?: SweepFeature['pacing'];
  discover?: SweepFeature['discover'];
  reconcile?: SweepFeature['reconcile'];
  timers?: Timers;
  random?: () => number;
}

/**
 * Closes (or updates) the open leaver issues of a repo once a merge changed which grants name the
 * login. Costs one listing per merge, and the branch read only when a leaver issue is open.
 */
export async function settleLeaverIssues(octokit: SweepOctokit, repo: RepoRef, deps: AppDeps, feature: SweepFeature, log: Log): Promise<number[]> {
  const open = (await listOpenManagedIssues(octokit, repo)).filter((i) => i.kind === 'left-org');
  if (open.length === 0) return [];
  const loaded = await loadDefaultBranch(octokit, repo);
  const config = loaded.snapshot.config?.data;
  if (!config) return [];
  const { policy } = resolvePolicy(loaded.snapshot.config, deps.packs(), builtinRegistry());
  const gone = Object.fromEntries(open.map((i) => [i.id, false]));
  const desired: DesiredIssue[] = [];
  for (const i of open) {
    const p = leaverProblem(loaded.snapshot, policy, i.id);
    if (p) desired.push(renderIssue(p, renderContextFor(loaded, gone)));
  }
  const settings = staleSettings(config);
  const today = utcDay(deps.clock());
  const keys = new Set(open.map(keyOf));
  const plan = planIssues({ desired, existing: open, today, reminderDays: settings.reminderDays, grantIds: new Set(), branch: loaded.branch }).filter((a) => a.type !== 'remind' && keys.has('desired' in a ? a.desired.key : keyOf(a.issue)));
  const pacer = new Pacer({ maxWrites: settings.maxWritesPerRun, ...feature.pacing });
  const done = await executeIssuePlan(plan, { octokit, repo, pacer, today, reminderDays: settings.reminderDays, branch: loaded.branch, log });
  return done.results.filter((r) => r.outcome === 'done' && r.action.type === 'close').map((r) => r.number!);
}

export function createSweepFeature(options: SweepFeatureOptions = {}) {
  return function registerSweep(app: Probot, deps: AppDeps, appOptions?: Partial<ApplicationFunctionOptions>): ReturnType<typeof createSweepRunner> {
    const settings = options.settings ?? sweepSettings();
    const feature: SweepFeature = {
      settings,
      membership: new MembershipReader({ now: () => deps.clock().getTime() }),
      ...(options.pacing ? { pacing: options.pacing } : {}),
      ...(options.discover ? { discover: options.discover } : {}),
      ...(options.reconcile ? { reconcile: options.reconcile } : {}),
    };
    const log: Log = {
      info: (m) => app.log.info(m),
      warn: (m) => app.log.warn(m),
      error: (m) => app.log.error(m),
    };
    const runner = createSweepRunner(app, deps, feature, log);

    if (settings.schedule === 'daily') {
      startSchedule(() => runner.trigger().done, {
        intervalMs: settings.intervalMs,
        firstDelayMs: settings.firstDelayMs,
        ...(options.timers ? { timers: options.timers } : {}),
        ...(options.random ? { random: options.random } : {}),
        onError: (err) => log.error(`scheduled sweep failed: ${err instanceof Error ? err.message : String(err)}`),
      });
    }
    if (settings.cronSecret) {
      if (typeof appOptions?.addHandler !== 'function') {
        log.warn(`ACCESS_LEDGER_CRON_SECRET is set but the App runs without its HTTP server here: ${settings.cronPath} is not served`);
      } else {
        try {
          appOptions.addHandler(cronHandler({ path: settings.cronPath, secret: settings.cronSecret, trigger: () => runner.trigger() }));
        } catch (err) {
          log.warn(`could not mount ${settings.cronPath}: ${err instanceof Error ? err.message : String(err)}`);
        }
      }
    }

    // A webhook can be retried by GitHub or delivered twice; handle each delivery once per process.
    const seen = new Set<string>();
    const once = (id: string): boolean => {
      if (seen.has(id)) return false;
      seen.add(id);
      if (seen.size > 1000) seen.delete(seen.values().next().value!);
      return true;
    };

    app.on(['organization.member_added', 'organization.member_removed'], async (context) => {
      const org = context.payload.organization.login;
      feature.membership.invalidate(org);
      if (context.payload.action !== 'member_removed' || !once(context.id)) return;
      const installationId = context.payload.installation?.id;
      if (!installationId) return;
      await deps.work.track(
        handleMemberRemoved({ octokit: context.octokit as unknown as SweepOctokit, installationId, org, login: context.payload.membership.user!.login, deps, feature, log }),
      );
    });

    app.on('pull_request.closed', async (context) => {
      const { pull_request: pull, repository } = context.payload;
      if (!pull.merged || pull.base.ref !== repository.default_branch) return;
      const octokit = context.octokit as unknown as SweepOctokit;
      const repo = context.repo();
      await deps.work.track(
        (async () => {
          await recordCampaignMerge({ octokit, repo, pull: pull as unknown as CampaignPull, defaultBranch: repository.default_branch, deps, log });
          // Settling leaver issues early is a courtesy (the sweep does it too): never fail the delivery over it.
          if (repository.has_issues) {
            await settleLeaverIssues(octokit, repo, deps, feature, log).catch((err: unknown) => log.warn(`could not settle leaver issues of ${repo.owner}/${repo.repo} after #${pull.number}: ${err instanceof Error ? err.message : String(err)}`));
          }
        })(),
      );
    });

    return runner;
  };
}

/** The feature as the App registers it, configured from the environment. */
export const registerSweep = createSweepFeature();
