/**
 * The App's stale-grant and review features:
 * - the sweep of every access repo, on an in-process daily schedule (off with
 *   ACCESS_LEDGER_SCHEDULE=off) and on `POST /api/access-ledger/sweep` for an external cron
 *   (only when ACCESS_LEDGER_CRON_SECRET is set);
 * - `organization.member_removed`: the `identity-left-org` record and the urgent leaver issue;
 * Leaver issues close through the revocation pull request's `Closes #n`, and the sweep closes any
 * whose login no grant names any more (and reopens one closed too early).
 */
import type { ApplicationFunctionOptions, Probot } from 'probot';
import { MembershipReader } from '../../adapters/github/sweep.ts';
import { reconcile } from '../ledger/reconcile.ts';
import type { AppDeps } from '../deps.ts';
import { handleMemberRemoved } from './leaver.ts';
import { createSweepRunner, type Log, type SweepFeature } from './run.ts';
import { gitHubPort } from '../../adapters/github/port.ts';
import { sweepSettings, type SweepSettings } from './settings.ts';
import { cronHandler, startSchedule, type Timers } from './trigger.ts';

export interface SweepFeatureOptions {
  settings?: SweepSettings;
  pacing?: SweepFeature['pacing'];
  discover?: SweepFeature['discover'];
  reconcile?: SweepFeature['reconcile'];
  onProgress?: SweepFeature['onProgress'];
  timers?: Timers;
  random?: () => number;
}

export function createSweepFeature(options: SweepFeatureOptions = {}) {
  return function registerSweep(app: Probot, deps: AppDeps, appOptions?: Partial<ApplicationFunctionOptions>): ReturnType<typeof createSweepRunner> {
    const settings = options.settings ?? sweepSettings();
    const feature: SweepFeature = {
      settings,
      membership: new MembershipReader({ now: () => deps.clock().getTime() }),
      ...(options.pacing ? { pacing: options.pacing } : {}),
      ...(options.discover ? { discover: options.discover } : {}),
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    };
    const log: Log = {
      info: (m) => app.log.info(m),
      warn: (m) => app.log.warn(m),
      error: (m) => app.log.error(m),
    };
    // The sweep also backfills the ledger: merges whose webhook was missed get their records.
    feature.reconcile =
      options.reconcile ??
      (async (octokit, repo) => {
        try {
          // The sweep's client is the installation's Octokit: the port gives the reconcile its GraphQL.
          const r = await reconcile({ octokit: gitHubPort(octokit), repo, deps, log });
          if (r.failures.length) log.warn(`reconcile of ${repo.owner}/${repo.repo}: ${r.failures.map((f) => `#${f.pr}: ${f.error}`).join('; ')}`);
        } catch (err) {
          log.error(`reconcile of ${repo.owner}/${repo.repo} failed: ${err instanceof Error ? err.message : String(err)}`);
        }
      });
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
        handleMemberRemoved({ octokit: context.octokit, installationId, org, login: context.payload.membership.user!.login, deps, feature, log }),
      );
    });

    return runner;
  };
}

/** The feature as the App registers it, configured from the environment. */
export const registerSweep = createSweepFeature();
