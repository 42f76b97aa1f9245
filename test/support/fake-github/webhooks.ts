/**
 * Webhook deliveries to an App, signed like GitHub's (`x-hub-signature-256` over the exact body),
 * and payload builders filled from the fake's state in the shapes of the `x-webhooks` schemas of
 * @octokit/openapi (the contract test validates them). Redelivery keeps the delivery id, as
 * GitHub's "Redeliver" does, so idempotency can be tested; batches can arrive out of order.
 */
import { createHmac, randomUUID } from 'node:crypto';
import * as shape from './shapes.ts';
import type { Urls } from './shapes.ts';
import type { Repo, State, User } from './state.ts';

export interface DeliveryTarget {
  url: string;
  /** The App's webhook secret; without it no signature headers are sent. */
  secret?: string;
}

export interface Delivery {
  id: string;
  event: string;
  /** The exact bytes that were signed and sent. */
  body: string;
  url: string;
  status: number;
  response: string;
}

export function sign(secret: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

export class Webhooks {
  private readonly state: State;
  private readonly urls: () => Urls;
  private readonly random: () => number;
  /** Every delivery attempt, in the order they were sent. */
  readonly deliveries: Delivery[] = [];

  constructor(state: State, urls: () => Urls, random: () => number) {
    this.state = state;
    this.urls = urls;
    this.random = random;
  }

  async deliver(event: string, payload: unknown, target: DeliveryTarget & { deliveryId?: string; redeliver?: boolean }): Promise<Delivery> {
    const first = await this.send(event, JSON.stringify(payload), target, target.deliveryId ?? randomUUID());
    if (target.redeliver) await this.redeliver(first, target);
    return first;
  }

  /** Sends the same body under the same delivery id again. */
  redeliver(d: Delivery, target: DeliveryTarget = { url: d.url }): Promise<Delivery> {
    return this.send(d.event, d.body, target, d.id);
  }

  /**
   * Delivers a batch: `reverse` or `shuffled` (seeded) order models GitHub's lack of ordering
   * guarantees; `concurrent` sends all at once, as parallel webhook workers would.
   */
  async deliverAll(
    events: Array<{ event: string; payload: unknown }>,
    target: DeliveryTarget & { order?: 'in-order' | 'reverse' | 'shuffled'; concurrent?: boolean },
  ): Promise<Delivery[]> {
    const items = [...events];
    if (target.order === 'reverse') items.reverse();
    if (target.order === 'shuffled') {
      for (let i = items.length - 1; i > 0; i--) {
        const j = Math.floor(this.random() * (i + 1));
        [items[i], items[j]] = [items[j] as (typeof items)[number], items[i] as (typeof items)[number]];
      }
    }
    if (target.concurrent) return Promise.all(items.map((e) => this.deliver(e.event, e.payload, target)));
    const out: Delivery[] = [];
    for (const e of items) out.push(await this.deliver(e.event, e.payload, target));
    return out;
  }

  private async send(event: string, body: string, target: DeliveryTarget, id: string): Promise<Delivery> {
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      'user-agent': 'GitHub-Hookshot/fake',
      'x-github-event': event,
      'x-github-delivery': id,
      'x-github-hook-id': '1',
      'x-github-hook-installation-target-type': 'integration',
      'x-github-hook-installation-target-id': String(this.state.app.id),
    };
    if (target.secret !== undefined) {
      headers['x-hub-signature-256'] = sign(target.secret, body);
      headers['x-hub-signature'] = `sha1=${createHmac('sha1', target.secret).update(body).digest('hex')}`;
    }
    const res = await fetch(target.url, { method: 'POST', headers, body });
    const delivery: Delivery = { id, event, body, url: target.url, status: res.status, response: await res.text() };
    this.deliveries.push(delivery);
    return delivery;
  }

  // ---- payload builders -----------------------------------------------------------------------

  private envelope(repo: Repo, sender: User): Record<string, unknown> {
    const u = this.urls();
    const out: Record<string, unknown> = { repository: shape.repository(u, this.state, repo), sender: shape.user(u, sender) };
    const org = this.state.org(repo.owner.login);
    if (org) out.organization = shape.orgSimple(u, org);
    const inst = this.state.installationsOf().find((i) => this.state.installationCovers(i, repo));
    if (inst) out.installation = { id: inst.id, node_id: Buffer.from(`0:Installation${inst.id}`).toString('base64') };
    return out;
  }

  private pullRequestObject(fullName: string, number: number): Record<string, unknown> {
    const { repo, issue } = this.state.pullOf(fullName, number);
    return {
      ...shape.pull(this.urls(), this.state, repo, issue, true),
      allow_auto_merge: false,
      allow_update_branch: false,
      delete_branch_on_merge: false,
      merge_commit_message: 'PR_TITLE',
      merge_commit_title: 'MERGE_MESSAGE',
      squash_merge_commit_message: 'COMMIT_MESSAGES',
      squash_merge_commit_title: 'COMMIT_OR_PR_TITLE',
      use_squash_pr_title_as_default: false,
    };
  }

  /**
   * `pull_request` with the PR as it is now. For `closed` after a merge it carries `merged`,
   * `merged_at`, `merged_by` and `merge_commit_sha`; `synchronize` needs the previous head (`before`).
   */
  pullRequest(
    action: 'opened' | 'reopened' | 'synchronize' | 'closed' | 'edited' | 'ready_for_review',
    fullName: string,
    number: number,
    opts: { sender?: string; before?: string } = {},
  ): Record<string, unknown> {
    const { repo, issue, pull } = this.state.pullOf(fullName, number);
    const sender = opts.sender ? this.state.user(opts.sender) : action === 'closed' && pull.mergedBy ? pull.mergedBy : issue.user;
    const payload: Record<string, unknown> = { action, number, pull_request: this.pullRequestObject(fullName, number), ...this.envelope(repo, sender) };
    if (action === 'synchronize') {
      payload.before = opts.before ?? repo.git.commit(pull.headSha)?.parents[0] ?? pull.headSha;
      payload.after = pull.headSha;
    }
    return payload;
  }

  /** `pull_request_review` for a review already in state; webhook review states are lower-case, as on GitHub. */
  pullRequestReview(action: 'submitted' | 'dismissed' | 'edited', fullName: string, number: number, reviewId: number): Record<string, unknown> {
    const { repo, pull } = this.state.pullOf(fullName, number);
    const review = pull.reviews.find((r) => r.id === reviewId);
    if (!review) throw new Error(`no review ${reviewId} on ${fullName}#${number}`);
    const u = this.urls();
    return {
      action,
      review: { ...shape.review(u, this.state, repo, number, review), state: review.state.toLowerCase(), submitted_at: review.submittedAt },
      pull_request: this.pullRequestObject(fullName, number),
      ...this.envelope(repo, review.user),
    };
  }

  /** `organization` member_removed; call after `state.removeOrgMember` to mirror GitHub's order. */
  organizationMemberRemoved(org: string, login: string, opts: { sender?: string; role?: 'admin' | 'member' } = {}): Record<string, unknown> {
    const o = this.state.org(org);
    if (!o) throw new Error(`no org ${org}`);
    const u = this.urls();
    const orgApi = `${u.api}/orgs/${o.account.login}`;
    const payload: Record<string, unknown> = {
      action: 'member_removed',
      membership: {
        url: `${orgApi}/memberships/${login}`,
        state: 'active',
        role: opts.role ?? 'member',
        organization_url: orgApi,
        user: shape.user(u, this.state.user(login)),
      },
      organization: shape.orgSimple(u, o),
      sender: shape.user(u, this.state.user(opts.sender ?? login)),
    };
    const inst = this.state.installationFor(o.account.login);
    if (inst) payload.installation = { id: inst.id, node_id: Buffer.from(`0:Installation${inst.id}`).toString('base64') };
    return payload;
  }

  /** `merge_group` for a queue entry in state (`checks_requested` when the queue built it, `destroyed` when it went). */
  mergeGroup(
    action: 'checks_requested' | 'destroyed',
    fullName: string,
    number: number,
    opts: { reason?: 'merged' | 'invalidated' | 'dequeued' } = {},
  ): Record<string, unknown> {
    const repo = this.state.repo(fullName);
    const entry = repo.mergeQueue.find((e) => e.number === number);
    if (!entry) throw new Error(`pull request ${number} is not queued in ${fullName}`);
    const c = repo.git.commit(entry.headCommit)!;
    return {
      action,
      ...(action === 'destroyed' ? { reason: opts.reason ?? 'dequeued' } : {}),
      merge_group: {
        head_sha: entry.headCommit,
        head_ref: `refs/heads/${entry.headRef}`,
        base_sha: entry.baseCommit,
        base_ref: `refs/heads/${entry.branch}`,
        head_commit: {
          id: entry.headCommit,
          tree_id: c.tree,
          message: c.message,
          timestamp: c.committer.date,
          author: { name: c.author.name, email: c.author.email },
          committer: { name: c.committer.name, email: c.committer.email },
        },
      },
      ...this.envelope(repo, entry.enqueuer),
    };
  }

  /** `workflow_run` completed for a run already in state. */
  workflowRunCompleted(fullName: string, runId: number): Record<string, unknown> {
    const repo = this.state.repo(fullName);
    const run = repo.runs.find((r) => r.id === runId);
    if (!run) throw new Error(`no run ${runId} in ${fullName}`);
    const u = this.urls();
    const wfApi = `${u.api}/repos/${repo.fullName}/actions/workflows/${run.workflowId}`;
    return {
      action: 'completed',
      workflow_run: shape.workflowRun(u, this.state, repo, run),
      workflow: {
        id: run.workflowId,
        node_id: Buffer.from(`0:Workflow${run.workflowId}`).toString('base64'),
        name: run.name,
        path: run.path,
        state: 'active',
        created_at: repo.createdAt,
        updated_at: repo.createdAt,
        url: wfApi,
        html_url: `${u.web}/${repo.fullName}/blob/${repo.defaultBranch}/${run.path}`,
        badge_url: `${u.web}/${repo.fullName}/workflows/${encodeURIComponent(run.name)}/badge.svg`,
      },
      ...this.envelope(repo, run.actor),
    };
  }
}
