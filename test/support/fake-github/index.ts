/**
 * A stateful fake of the GitHub REST API (and the narrow GraphQL the blob reader uses), for
 * end-to-end tests and the demo:
 *
 *   const gh = await startFakeGitHub({ seed: 1 });
 *   gh.state.createOrg('acme', { members: ['alice', 'dave'] });
 *   gh.state.createRepo('acme/access', { files: { 'access-ledger.yaml': '...' } });
 *   const pr = gh.state.openPullRequest('acme/access', { author: 'alice', title: 'Grant', files: { 'grants/a.yaml': '...' } });
 *   gh.state.submitReview('acme/access', pr, { user: 'dave', state: 'APPROVED' });
 *   gh.state.mergePull('acme/access', pr, { by: 'dave' });
 *   await gh.deliver('pull_request', gh.payloads.pullRequest('closed', 'acme/access', pr), { url, secret });
 *   gh.state.ledger('acme/access');  // the evidence branch's files
 *   await gh.close();
 */
import { FakeServer, type RequestLog, type ServerOptions } from './server.ts';
import { Faults, prng } from './faults.ts';
import { routeTable } from './routes/index.ts';
import { State, type StateOptions } from './state.ts';
import { Webhooks, type Delivery, type DeliveryTarget } from './webhooks.ts';

export interface FakeGitHubOptions extends StateOptions, ServerOptions {
  /** Seeds fault injection and shuffled deliveries (default 1): same seed, same run. */
  seed?: number;
}

export class FakeGitHub {
  readonly state: State;
  readonly faults: Faults;
  /** Payload builders (`pullRequest`, `pullRequestReview`, `organizationMemberRemoved`, `workflowRunCompleted`). */
  readonly payloads: Webhooks;
  private readonly server: FakeServer;

  constructor(options: FakeGitHubOptions = {}) {
    const seed = options.seed ?? 1;
    this.state = new State(options);
    this.faults = new Faults(seed);
    this.server = new FakeServer(this.state, this.faults, options);
    this.payloads = new Webhooks(this.state, () => ({ api: this.url, web: options.webUrl ?? 'https://github.com' }), prng(seed ^ 0x5eed));
  }

  /** REST root (`https://api.github.com` equivalent). */
  get url(): string {
    return this.server.origin;
  }

  /** The same API under GitHub Enterprise's layout, for clients configured with a GHES base URL. */
  get gheUrl(): string {
    return `${this.server.origin}/api/v3`;
  }

  get graphqlUrl(): string {
    return `${this.server.origin}/graphql`;
  }

  async start(): Promise<this> {
    await this.server.listen();
    return this;
  }

  close(): Promise<void> {
    return this.server.close();
  }

  // ---- credentials ----------------------------------------------------------------------------

  /** A token that acts as `login` (e.g. a workflow's GITHUB_TOKEN, or a reviewer's own token). */
  createToken(login: string, token?: string): string {
    return this.server.credentials.createUserToken(login, token);
  }

  /**
   * A workflow's GITHUB_TOKEN: github-actions[bot], for `fullName` only, with the job's
   * `permissions:` in the API's spelling (`{ contents: 'read', pull_requests: 'read', statuses: 'write' }`).
   * Writes the fake models (commit statuses) need the scope at `write`.
   */
  createWorkflowToken(fullName: string, permissions: Record<string, string>): string {
    return this.server.credentials.createWorkflowToken(fullName, permissions);
  }

  /**
   * An installation token, as `POST /app/installations/{id}/access_tokens` would mint; `permissions`
   * narrows it as `actions/create-github-app-token`'s `permission-*` inputs do (`{ statuses: 'write' }`).
   */
  createInstallationToken(installationId: number, permissions?: Record<string, string>): string {
    return this.server.credentials.issueInstallationToken(installationId, permissions).token;
  }

  /** Expires every token so clients must re-authenticate. */
  expireTokens(): void {
    this.server.credentials.expireAll();
  }

  // ---- webhooks -------------------------------------------------------------------------------

  deliver(event: string, payload: unknown, target: DeliveryTarget & { deliveryId?: string; redeliver?: boolean }): Promise<Delivery> {
    return this.payloads.deliver(event, payload, target);
  }

  redeliver(delivery: Delivery, target?: DeliveryTarget): Promise<Delivery> {
    return this.payloads.redeliver(delivery, target);
  }

  deliverAll(
    events: Array<{ event: string; payload: unknown }>,
    target: DeliveryTarget & { order?: 'in-order' | 'reverse' | 'shuffled'; concurrent?: boolean },
  ): Promise<Delivery[]> {
    return this.payloads.deliverAll(events, target);
  }

  get deliveries(): readonly Delivery[] {
    return this.payloads.deliveries;
  }

  // ---- observation ----------------------------------------------------------------------------

  /** Calls per route, keyed `"METHOD /template"` (e.g. `"PATCH /repos/{owner}/{repo}/git/refs/{ref}"`). */
  calls(): Record<string, number> {
    return Object.fromEntries(this.server.calls);
  }

  callCount(route: string): number {
    return this.server.calls.get(route) ?? 0;
  }

  get requests(): readonly RequestLog[] {
    return this.server.requests;
  }

  /** Handler exceptions answered with 500: a bug in the fake or an input it does not model. */
  get errors(): readonly Error[] {
    return this.server.errors;
  }

  resetCalls(): void {
    this.server.calls.clear();
    this.server.requests.length = 0;
  }

  /** The REST route table: method, GitHub path template, operationId. */
  static routes = routeTable;
}

export async function startFakeGitHub(options: FakeGitHubOptions = {}): Promise<FakeGitHub> {
  return new FakeGitHub(options).start();
}

export { State } from './state.ts';
export type { AppInfo, Files, Issue, Repo, Review } from './state.ts';
export type { FaultKind } from './faults.ts';
export type { Delivery, DeliveryTarget } from './webhooks.ts';
export type { RequestLog } from './server.ts';
export { routeTable } from './routes/index.ts';
