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
import { createSweepFeature, registerSweep } from './sweep/index.ts';
import { sweepSettings } from './sweep/settings.ts';

export type { AppDeps } from './deps.ts';

export interface CreateAppOptions {
  /** Read the App's settings (ACCESS_LEDGER_*) from this environment instead of the process's. */
  env?: NodeJS.ProcessEnv;
}

export function createApp(overrides: Partial<AppDeps> = {}, options: CreateAppOptions = {}): ApplicationFunction & { deps: AppDeps } {
  const deps: AppDeps = { ...defaultDeps(options.env), ...overrides };
  const sweep = options.env ? createSweepFeature({ settings: sweepSettings(options.env) }) : registerSweep;
  const app = (probot: Probot, appOptions?: ApplicationFunctionOptions): void => {
    registerLedger(probot, deps);
    sweep(probot, deps, appOptions);
  };
  return Object.assign(app, { deps });
}

/** The App as Probot loads it (`probot run`, `createNodeMiddleware`, src/app/server.ts). */
const app: ApplicationFunction = createApp();
export default app;
