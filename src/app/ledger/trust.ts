/**
 * What the App's ledger writers share: who the App is, which keys it trusts, and a LedgerStore
 * that signs every record and never adopts a record the App did not write (docs/ledger.md).
 */
import { parseLedgerPublicKeys, publicKeyOf, type LedgerPublicKey, type RecordDraft, type SealedRecord } from '../../core/ledger/index.ts';
import type { RepoConfig } from '../../core/model/types.ts';
import { LedgerStore, SigningKeyMissingError, type AppendResult, type LedgerOctokit } from '../../adapters/github/ledger-store.ts';
import { LedgerTrustChecker } from '../../adapters/github/ledger-trust.ts';
import { createWaits, type AppDeps } from '../deps.ts';
import { call, type RepoRef, type Requester } from '../github.ts';
import { readRepoConfig } from './config.ts';
import { ensureAnomalyIssue } from './issue.ts';

/**
 * The App's bot login: from GitHub (the App asks `GET /app` once), else `ledger.app_login` of the
 * access repo's config. Throws, naming the fix, when neither is known.
 */
export async function appLoginFor(deps: AppDeps, config?: RepoConfig | null): Promise<string> {
  if (deps.appLogin) return deps.appLogin();
  const configured = config?.ledger?.app_login;
  if (configured) return configured;
  throw new Error(
    "The App's bot account is not known, so its own ledger commits and comments cannot be told from anyone else's: " +
      'set ledger.app_login in access-ledger.yaml (e.g. access-ledger[bot]) or pass --app-login',
  );
}

/** The App's own public key and the keys access-ledger.yaml lists (those that parse). */
export function trustedKeys(deps: AppDeps, config?: RepoConfig | null): LedgerPublicKey[] {
  const listed = parseLedgerPublicKeys(config?.ledger?.public_keys).keys;
  const own = deps.signer ? [publicKeyOf(deps.signer)] : [];
  return [...own, ...listed.filter((k) => k.id !== deps.signer?.keyId)];
}

export async function trustFor(octokit: LedgerOctokit, repo: RepoRef, deps: AppDeps, config?: RepoConfig | null): Promise<LedgerTrustChecker> {
  return new LedgerTrustChecker({ octokit, owner: repo.owner, repo: repo.repo, appLogin: await appLoginFor(deps, config), keys: trustedKeys(deps, config) });
}

/**
 * A store for the repo's ledger branch that signs with the App's key and checks a record found
 * at a path before treating it as recorded. Refuses at once when the App has no signing key.
 */
export async function ledgerStoreFor(
  octokit: LedgerOctokit,
  repo: RepoRef,
  branch: string,
  deps: AppDeps,
  config?: RepoConfig | null,
  trust?: LedgerTrustChecker,
): Promise<LedgerStore> {
  if (!deps.signer) throw new SigningKeyMissingError();
  return new LedgerStore({
    octokit,
    owner: repo.owner,
    repo: repo.repo,
    branch,
    clock: deps.clock,
    signer: deps.signer,
    trust: trust ?? (await trustFor(octokit, repo, deps, config)),
    queues: deps.ledgerQueues,
    ...deps.store,
  });
}

/**
 * Appends and, for every `anomaly` record the append added (a path held a record the App did not
 * write), sees that the admins have an issue about it.
 */
export async function appendWithAnomalyIssues(
  store: LedgerStore,
  drafts: readonly RecordDraft[],
  ctx: { octokit: Requester; repo: RepoRef; deps: AppDeps; admins?: readonly string[] | undefined },
): Promise<AppendResult> {
  const result = await store.appendDetailed(drafts);
  for (const a of result.anomalies) {
    await ensureAnomalyIssue(ctx.octokit, ctx.repo, { anomaly: a as SealedRecord<'anomaly'>, branch: store.branch, admins: ctx.admins }, createWaits(ctx.deps));
  }
  return result;
}

/**
 * For the CLI's writers (reconcile, sweep), run with a token rather than as the App: the App's
 * bot account from `--app-login`, else read once from `ledger.app_login` of the access repo's
 * config on its default branch.
 */
export function cliAppLogin(octokit: Requester, repo: RepoRef, flag: string | undefined): () => Promise<string> {
  let resolved: Promise<string> | null = null;
  return () => {
    resolved ??= (async () => {
      if (flag) return flag;
      const info = await call<{ default_branch: string }>(
        octokit,
        'GET /repos/{owner}/{repo}',
        {},
        { action: 'reading the repository', permission: 'metadata: read', repo },
      );
      const config = await readRepoConfig(octokit, repo, info.default_branch);
      const login = config?.data?.ledger?.app_login;
      if (!login) {
        throw new Error(
          `access-ledger.yaml of ${repo.owner}/${repo.repo} names no ledger.app_login, so the App's own ledger commits and comments cannot be told from anyone else's: ` +
            "set it to the App's bot account (e.g. access-ledger[bot]) or pass --app-login",
        );
      }
      return login;
    })();
    resolved.catch(() => (resolved = null));
    return resolved;
  };
}
