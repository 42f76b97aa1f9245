/**
 * Is a record on the ledger branch the App's own? Asked before the App treats a record path as
 * already recorded (a redelivery, a retry, reconcile, the provisioned handler's link): a record
 * someone else pushed must never be adopted, anchored or built upon as evidence.
 *
 * A record is the App's when all of these hold:
 * - it passes its own checks (hash, path);
 * - its signature verifies with the App's own key or a key listed in access-ledger.yaml that was
 *   valid when it was sealed; an unsigned record (sealed before records were signed) only when
 *   GitHub verified the commit that added it;
 * - exactly one commit on the branch touched its path (records are added once, never changed),
 *   and GitHub reports that commit as the App's (src/core/ledger/authorship.ts).
 *
 * One request: `GET /repos/{owner}/{repo}/commits?sha=<tip>&path=<path>`.
 */
import { apiCommitProblem, checkRecordSignature, commitFacts, inspectRecord, type ApiCommit, type LedgerPublicKey } from '../../core/ledger/index.ts';
import { describeFound, type ForeignRecord } from '../../core/records/anomaly.ts';
import { explainGitHubError } from './errors.ts';
import type { LedgerOctokit } from './ledger-store.ts';

export type RecordOrigin = { own: true } | ({ own: false } & ForeignRecord);

/** What the store and the handlers ask: is the record at `path` (with this content, at commit `ref`) the App's? */
export interface RecordTrust {
  check(path: string, content: string, ref: string): Promise<RecordOrigin>;
}

export interface LedgerTrustOptions {
  octokit: LedgerOctokit;
  owner: string;
  repo: string;
  /** The App's bot account, e.g. `access-ledger[bot]`. */
  appLogin: string;
  /** The App's own public key and those listed in access-ledger.yaml. */
  keys: readonly LedgerPublicKey[];
}

export class LedgerTrustChecker implements RecordTrust {
  private readonly options: LedgerTrustOptions;
  private readonly cache = new Map<string, Promise<RecordOrigin>>();

  constructor(options: LedgerTrustOptions) {
    this.options = options;
  }

  check(path: string, content: string, ref: string): Promise<RecordOrigin> {
    const id = `${ref}\0${path}\0${content}`;
    let found = this.cache.get(id);
    if (!found) {
      found = this.judge(path, content, ref);
      this.cache.set(id, found);
      found.catch(() => this.cache.delete(id));
    }
    return found;
  }

  private async judge(path: string, content: string, ref: string): Promise<RecordOrigin> {
    const foreign = (reason: string, commit: ApiCommit | null = null): RecordOrigin => ({
      own: false,
      path,
      found: describeFound(path, content),
      commit: commit ? commitFacts(commit) : null,
      reason,
    });
    const { problem } = inspectRecord(path, content);
    if (problem) return foreign(`it fails its own checks: ${problem.problem}`);
    const record = JSON.parse(content) as Record<string, unknown>;
    const signature = checkRecordSignature(record, this.options.keys);
    if (signature.status === 'invalid') return foreign(signature.problem);

    const commits = await this.commitsTouching(path, ref);
    if (commits.length === 0) return foreign('GitHub lists no commit on the ledger branch that added it');
    if (commits.length > 1) {
      return foreign(
        `${commits.length} commits on the ledger branch touched it (newest ${commits[0]!.sha.slice(0, 12)}): the App adds a record once and never changes it`,
        commits[commits.length - 1]!,
      );
    }
    const commit = commits[0]!;
    const who = apiCommitProblem(commit, this.options.appLogin);
    if (who) return foreign(who, commit);
    if (signature.status === 'unsigned' && commit.commit.verification?.verified !== true) {
      return foreign(
        `it is not signed, and GitHub does not report the commit that added it (${commit.sha.slice(0, 12)}) as verified: an unsigned record is the App's only when it predates signing and GitHub signed its commit`,
        commit,
      );
    }
    return { own: true };
  }

  private async commitsTouching(path: string, ref: string): Promise<ApiCommit[]> {
    const route = 'GET /repos/{owner}/{repo}/commits';
    const { owner, repo } = this.options;
    try {
      const res = await this.options.octokit.request(route, { owner, repo, sha: ref, path, per_page: 100 });
      return res.data as ApiCommit[];
    } catch (err) {
      throw explainGitHubError(err, { action: `reading who committed ${path} on the ledger branch`, route, owner, repo, permission: 'contents: read' });
    }
  }
}
