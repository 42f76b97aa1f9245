/**
 * Merge queues: which pull requests a merge group's commit holds, and the gate's verdict on the
 * group. GitHub builds a commit for each queue entry on top of the entries ahead of it and waits
 * for the required status on that commit; when it is green, GitHub may merge that entry and every
 * entry under it. So the gate judges every pull request in the group, each as it judges a pull
 * request (its files, its reviews on its head commit, the policy of the branch the queue builds
 * on), and the group passes only when every one does. Pure: the queue as GitHub lists it in,
 * the group or why there is none out.
 */

/** One entry of a merge queue, as the GraphQL API lists it (`mergeQueue.entries`). */
export interface QueueEntry {
  /** The pull request's number. */
  number: number;
  /** The pull request's head commit now. */
  headRefOid: string;
  /** The branch the pull request merges into. */
  baseRefName: string;
  /** The pull request's author; null for a deleted account. */
  author: string | null;
  authorIsBot: boolean;
  /** The commit the queue built for this entry (the group's commit); null before it is built. */
  headCommit: string | null;
  /** The commit the entry was built on: the branch, or the entry ahead of it. */
  baseCommit: string | null;
  position: number;
  /** AWAITING_CHECKS, QUEUED, MERGEABLE, UNMERGEABLE, LOCKED. */
  state: string;
}

/** A merge group: its commit, and the branch the queue merges into. */
export interface GroupRef {
  owner: string;
  repo: string;
  /** The group's commit, where the queue looks for the required status. */
  headSha: string;
  /** `gh-readonly-queue/<branch>/pr-<n>-<sha>`, as GitHub names the group's branch. */
  headRef: string;
  /** The branch the queue merges into. */
  baseBranch: string;
}

const QUEUE_REF = /^(?:refs\/heads\/)?gh-readonly-queue\/(.+)\/pr-(\d+)-([0-9a-f]{40})$/;

/** The branch and the pull request a merge group's branch names; undefined when it is not one. */
export function parseQueueRef(ref: string): { baseBranch: string; number: number; baseSha: string } | undefined {
  const m = QUEUE_REF.exec(ref);
  if (!m) return undefined;
  return { baseBranch: m[1]!, number: Number(m[2]), baseSha: m[3]! };
}

export type Group = { ok: true; entries: QueueEntry[]; baseSha: string } | { ok: false; reason: string };

/**
 * The entries whose changes the group's commit holds, the one ahead of all first: the entry that
 * built `headSha`, then the entry it was built on, and so on down to the commit of the branch
 * (`baseSha`). An entry the queue lists twice, or a chain that loops, is no group.
 */
export function groupOf(entries: readonly QueueEntry[], headSha: string, baseBranch: string): Group {
  const byHead = new Map<string, QueueEntry>();
  for (const e of entries) {
    if (!e.headCommit) continue;
    if (byHead.has(e.headCommit)) return { ok: false, reason: `the merge queue of ${baseBranch} lists two entries built as ${e.headCommit}` };
    byHead.set(e.headCommit, e);
  }
  const own = byHead.get(headSha);
  if (!own) {
    return {
      ok: false,
      reason: `the merge queue of ${baseBranch} holds no entry built as ${headSha} (it was rebuilt or left the queue), so the gate cannot tell which pull requests it holds`,
    };
  }
  const chain: QueueEntry[] = [];
  const seen = new Set<number>();
  let at: QueueEntry | undefined = own;
  let base: string | null = null;
  while (at) {
    if (seen.has(at.number)) return { ok: false, reason: `the merge queue of ${baseBranch} builds pull request #${at.number} on itself` };
    if (at.baseRefName !== baseBranch)
      return { ok: false, reason: `pull request #${at.number} in the merge queue of ${baseBranch} merges into ${at.baseRefName}` };
    seen.add(at.number);
    chain.push(at);
    base = at.baseCommit;
    at = base ? byHead.get(base) : undefined;
  }
  if (!base)
    return { ok: false, reason: `the merge queue of ${baseBranch} does not say which commit pull request #${chain[chain.length - 1]!.number} was built on` };
  return { ok: true, entries: chain.reverse(), baseSha: base };
}

export interface MemberVerdict {
  number: number;
  verdict: 'pass' | 'fail';
  nextStep: string;
}

/** The group's verdict: pass when every pull request passes; else the first that fails, in queue order, says what to do. */
export function groupVerdict(members: readonly MemberVerdict[]): { verdict: 'pass' | 'fail'; nextStep: string } {
  const failing = members.filter((m) => m.verdict === 'fail');
  if (members.length === 0) return { verdict: 'fail', nextStep: 'the merge group holds no pull request to judge' };
  if (failing.length === 0) {
    const numbers = members.map((m) => `#${m.number}`).join(', ');
    return {
      verdict: 'pass',
      nextStep: members.length === 1 ? `pull request ${numbers}: ${members[0]!.nextStep}` : `every pull request in the merge group passes (${numbers})`,
    };
  }
  const first = failing[0]!;
  const more = failing.length - 1;
  return {
    verdict: 'fail',
    nextStep: `pull request #${first.number}: ${first.nextStep}${more > 0 ? `; and ${more} more pull request${more === 1 ? '' : 's'} in the merge group fail${more === 1 ? 's' : ''}` : ''}`,
  };
}
