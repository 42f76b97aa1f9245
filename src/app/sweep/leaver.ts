/**
 * `organization.member_removed`: for each access repo of the organization, record
 * `identity-left-org` on the ledger (with the time the App heard of it) and open or update the one
 * urgent issue that lists every grant naming the login. The revocation pull request closes the
 * issue (its `Closes #n`, or the next merge/sweep once no grant names the login).
 *
 * Redelivery: an open leaver issue for the login means the departure is already being handled, so
 * no second record is written; the issue is only brought up to date.
 */
import { toTimestamp, type SealedRecord } from '../../core/ledger/index.ts';
import type { AffectedGrant } from '../../core/ledger/kinds.ts';
import { leaverRecordDraft } from '../../core/leavers.ts';
import { keyOf, planIssues, renderIssue, staleSettings, type LeaverProblem } from '../../core/stale/index.ts';
import { utcDay } from '../../core/dates.ts';
import {
  WriteBudget,
  executeIssuePlan,
  listOpenManagedIssues,
  listRecentlyClosedManagedIssues,
  type RepoRef,
  type SweepOctokit,
} from '../../adapters/github/issues.ts';
import { loadDefaultBranch, renderContextFor } from '../../adapters/github/sweep.ts';
import type { AppDeps } from '../deps.ts';
import { discoverAccessRepos, sweepLedgerStore, type Log, type SweepFeature } from './run.ts';
import { appendWithAnomalyIssues } from '../ledger/trust.ts';
import { WritePacer, withWritePacing } from '../../adapters/github/pacing.ts';

export interface LeaverOutcome {
  repo: RepoRef;
  record: SealedRecord | null;
  /** The urgent issue's number, when one is open for the login after handling. */
  issue: number | null;
  grants: number;
}

export async function handleMemberRemoved(input: {
  octokit: SweepOctokit;
  installationId: number;
  org: string;
  login: string;
  deps: AppDeps;
  feature: SweepFeature;
  log: Log;
}): Promise<LeaverOutcome[]> {
  const { org, deps, feature, log } = input;
  // Every write of the handler, the ledger's and the issue's, is paced with the App's others.
  const octokit = withWritePacing(input.octokit, feature.pacing ? new WritePacer(feature.pacing) : deps.writePacer);
  const login = input.login.toLowerCase();
  feature.membership.invalidate(org);
  const outcomes: LeaverOutcome[] = [];
  for (const repo of await discoverAccessRepos(octokit, feature, input.installationId)) {
    const loaded = await loadDefaultBranch(octokit, repo);
    const config = loaded.summary.config?.data;
    // The grants naming the login, and its problem under the repo's policy, from the worker that
    // parsed the branch; then the worker is let go, before any write.
    let leaver: { affected: AffectedGrant[]; problem: LeaverProblem | null } | null = null;
    try {
      if (config && (config.organization ?? repo.owner).toLowerCase() === org.toLowerCase()) leaver = await loaded.session.leaver(login, deps.packs());
    } finally {
      await loaded.session.close();
    }
    if (!config || !leaver) continue;
    const { affected, problem } = leaver;
    const key = keyOf({ kind: 'left-org', id: login });
    const open = loaded.hasIssues ? (await listOpenManagedIssues(octokit, repo)).filter((i) => keyOf(i) === key) : [];

    let record: SealedRecord | null = null;
    if (open.length === 0) {
      const draft = leaverRecordDraft({
        repository: loaded.repository,
        organization: org,
        login,
        leftAt: toTimestamp(deps.clock()),
        source: 'member_removed',
        affected,
      });
      const store = await sweepLedgerStore(octokit, repo, config.ledger?.branch, deps, config);
      [record] = (await appendWithAnomalyIssues(store, [draft], { octokit: octokit, repo, deps, admins: config.admins })).records as [SealedRecord];
      log.info(`@${login} left ${org}: recorded ${draft.key} in ${loaded.repository} (${affected.length} grant reference(s))`);
    }

    let issue: number | null = open[0]?.number ?? null;
    if (problem && loaded.hasIssues) {
      const settings = staleSettings(config);
      const today = utcDay(deps.clock());
      const desired = renderIssue(problem, renderContextFor(loaded, { [login]: false }));
      const existing = open.length ? open : (await listRecentlyClosedManagedIssues(octokit, repo, today, 90)).filter((i) => keyOf(i) === key);
      const plan = planIssues({ desired: [desired], existing, today, reminderDays: settings.reminderDays, grantIds: new Set(), branch: loaded.branch }).filter(
        (a) => a.type !== 'remind' && ('desired' in a ? a.desired.key : keyOf(a.issue)) === key,
      );
      const budget = new WriteBudget({ maxWrites: settings.maxWritesPerRun });
      const done = await executeIssuePlan(plan, { octokit, repo, budget, today, reminderDays: settings.reminderDays, branch: loaded.branch, log });
      issue =
        done.created[0] ??
        (plan.find((a) => 'issue' in a && a.type !== 'close-duplicate') as { issue?: { number: number } } | undefined)?.issue?.number ??
        issue;
    } else if (!loaded.hasIssues) {
      log.warn(
        `Issues are disabled in ${loaded.repository}: the leaver @${login} is recorded, but no issue lists their ${affected.length} grant reference(s). Turn Issues on to get it.`,
      );
    }
    outcomes.push({ repo, record, issue, grants: new Set(affected.map((a) => a.path)).size });
  }
  return outcomes;
}
