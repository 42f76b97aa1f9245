/**
 * The one gate entry: a pull request's facts gathered through the GitHub port and judged by the
 * core, for the gate Action (action/main.ts) and the App's merge recorder
 * (src/app/ledger/record-merge.ts) alike, and the one builder of the pull request's reference
 * from the event that names it (an Actions event payload or a webhook's `pull_request`).
 *
 * The App reads a merge's facts with its reads folded into fewer queries (`gatherMergeReads`) and
 * hands them in as `facts`; the judgement is the same call either way.
 */
import { judgePull, type GateResult } from '../../core/pull/judge.ts';
import type { PullFacts } from '../../core/pull/facts.ts';
import type { Pack } from '../../core/engine/policy.ts';
import type { IsoDate } from '../../core/model/types.ts';
import { gatherPullFacts, type PullRef } from './pull-facts.ts';
import type { GitHubApi } from './port.ts';

export interface GateOptions {
  /** The repo config's path, checked by `checkConfigPath` (src/core/model/snapshot.ts); default the root's. */
  configPath?: string;
  packs: ReadonlyMap<string, Pack>;
  /** The day the grants' expiries are judged on. */
  today: IsoDate;
  /** Fail on errors only (default), or on warnings too. */
  failOn?: 'error' | 'warning';
  /** Facts already gathered (the App's folded merge reads): judged as they are, nothing read again. */
  facts?: PullFacts;
}

export interface GateOutcome {
  facts: PullFacts;
  result: GateResult;
}

/** Gathers the pull request's facts (at its base and head) and judges them. Fails closed: a read that fails throws. */
export async function gatePullRequest(port: GitHubApi, ref: PullRef, options: GateOptions): Promise<GateOutcome> {
  const facts =
    options.facts ?? (await gatherPullFacts(port, ref, { ...(options.configPath ? { configPath: options.configPath } : {}), packs: options.packs }));
  const result = judgePull(facts, { packs: options.packs, today: options.today, ...(options.failOn ? { failOn: options.failOn } : {}) });
  return { facts, result };
}

/** The pull request as an event carries it (Actions' `pull_request` payload, a webhook's). */
export interface PullPayloadPart {
  number: number;
  head: { sha: string };
  base: { sha: string; repo?: { name: string; owner: { login: string } } };
  user: { login: string; type?: string } | null;
}

/** What an event says about the pull request and its repository. */
export interface PullEventPayload {
  pull_request?: PullPayloadPart;
  repository?: { name: string; owner: { login: string } };
}

/**
 * The pull request's reference from an event: its number, head and base commits and author, in
 * the BASE repository (where the policy lives, on pull_request_target from a fork too).
 * `repository` is `owner/name` (GITHUB_REPOSITORY) for an event that does not name it.
 */
export function pullRefFromEvent(payload: PullEventPayload, repository?: string): PullRef {
  const pr = payload.pull_request;
  if (!pr?.head?.sha || !pr.base?.sha || typeof pr.number !== 'number') {
    throw new Error('the event payload has no pull_request with head and base SHAs: run the gate on pull_request, pull_request_target or pull_request_review');
  }
  const [envOwner, envRepo] = (repository ?? '').split('/');
  const owner = payload.repository?.owner.login ?? pr.base.repo?.owner.login ?? envOwner;
  const repo = payload.repository?.name ?? pr.base.repo?.name ?? envRepo;
  if (!owner || !repo) throw new Error('cannot tell which repository this pull request belongs to: GITHUB_REPOSITORY is not set');
  const ref: PullRef = { owner, repo, number: pr.number, headSha: pr.head.sha, baseSha: pr.base.sha, author: pr.user?.login ?? 'ghost' };
  if (pr.user?.type === 'Bot') ref.authorIsBot = true;
  return ref;
}
