/**
 * The access-ledger GitHub App (Probot v14). Each feature lives in its own module and registers
 * its webhook handlers with one call here; they share the dependencies in deps.ts.
 *
 * To add a feature: export `registerX(app: Probot, deps: AppDeps, options?: ApplicationFunctionOptions)`
 * from its module and add one import and one call below (`options.addHandler` mounts extra HTTP
 * routes on the App's server).
 */
import type { ApplicationFunction, ApplicationFunctionOptions, Probot } from 'probot';
import { defaultDeps, type AppDeps } from './deps.ts';
import { registerLedger } from './ledger/register.ts';
import { RedisLedgerQueues, redactRedisUrl } from '../adapters/redis/ledger-queue.ts';
import { createSweepFeature, registerSweep } from './sweep/index.ts';
import { sweepSettings } from './sweep/settings.ts';

export type { AppDeps } from './deps.ts';

export interface CreateAppOptions {
  /** Read the App's settings (ACCESS_LEDGER_*) from this environment instead of the process's. */
  env?: NodeJS.ProcessEnv;
}

export function createApp(overrides: Partial<AppDeps> = {}, options: CreateAppOptions = {}): ApplicationFunction & { deps: AppDeps } {
  const deps: AppDeps = { ...defaultDeps(options.env, { app: !overrides.ledgerQueues }), ...overrides };
  // Each App has its own concurrency (queues, pacer, comment turns): nothing is shared through a module.
  const sweep = options.env ? createSweepFeature({ settings: sweepSettings(options.env) }) : registerSweep;
  const app = (probot: Probot, appOptions?: ApplicationFunctionOptions): void => {
    deps.appLogin ??= appLoginFromGitHub(probot);
    if (!deps.signer) probot.log.warn(`${deps.signingKeyProblem ?? 'no ledger signing key'}: every ledger append will be refused`);
    else probot.log.info(`signing ledger records with key ${deps.signer.keyId}`);
    if (deps.ledgerQueues instanceof RedisLedgerQueues) {
      deps.ledgerQueues.log = probot.log;
      probot.log.info(`ledger appends go through the queue shared with the App's other replicas in Redis at ${redactRedisUrl(deps.ledgerQueues.url)}`);
    }
    registerLedger(probot, deps);
    sweep(probot, deps, appOptions);
  };
  return Object.assign(app, { deps });
}

/**
 * The App's bot login, `<slug>[bot]`, asked of GitHub once (`GET /app` with the App's own
 * credentials) and remembered; a failed ask is asked again next time.
 */
function appLoginFromGitHub(probot: Probot): () => Promise<string> {
  let login: Promise<string> | null = null;
  return () => {
    login ??= (async () => {
      const octokit = await probot.auth();
      const { data } = (await octokit.request('GET /app')) as { data: { slug?: string } | null };
      if (!data?.slug) throw new Error("GitHub did not say the App's slug (GET /app): its bot account, whose commits and comments are the App's, is unknown");
      return `${data.slug}[bot]`;
    })();
    login.catch(() => (login = null));
    return login;
  };
}

/** The App as Probot loads it (`probot run`, `createNodeMiddleware`, src/app/server.ts). */
const app: ApplicationFunction = createApp();
export default app;
