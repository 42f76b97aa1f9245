/**
 * The App's sweep settings, from the environment:
 * - `ACCESS_LEDGER_SCHEDULE`: `daily` (default) runs the sweep in-process every 24 hours; `off`
 *   leaves it to the HTTP endpoint or a scheduled workflow running `access-ledger sweep`.
 * - `ACCESS_LEDGER_CRON_SECRET`: turns on `POST /api/access-ledger/sweep` for an external cron;
 *   callers send `Authorization: Bearer <secret>`. Unset: the endpoint does not exist (404).
 * - `ACCESS_LEDGER_CRON_PATH`: where that endpoint lives (default `/api/access-ledger/sweep`).
 * - `ACCESS_LEDGER_REPOSITORIES`: comma-separated `owner/name` of the access repos; unset, every
 *   repository of each installation that has an access-ledger.yaml is swept.
 * - `ACCESS_LEDGER_DOCTOR`: `on` (default) runs the doctor's checks on each repository's setup and
 *   keeps one issue open while one fails; `off` skips them.
 */
export interface SweepSettings {
  schedule: 'daily' | 'off';
  /** Time between scheduled sweeps. */
  intervalMs: number;
  /** The first scheduled sweep waits a random delay in this range, so replicas started together do not sweep together. */
  firstDelayMs: readonly [number, number];
  cronSecret: string | null;
  cronPath: string;
  repositories: string[] | null;
  /** Run the doctor's checks in each sweep (default true). */
  doctor?: boolean;
  /** The API root the organization is listed from, recorded with its listing (from GHE_HOST, else GitHub's). */
  apiUrl?: string;
}

export const DEFAULT_CRON_PATH = '/api/access-ledger/sweep';
const DAY_MS = 24 * 60 * 60 * 1000;

export function sweepSettings(env: NodeJS.ProcessEnv = process.env): SweepSettings {
  const schedule = (env.ACCESS_LEDGER_SCHEDULE ?? 'daily').trim().toLowerCase();
  if (schedule !== 'daily' && schedule !== 'off') {
    throw new Error(`ACCESS_LEDGER_SCHEDULE must be "daily" or "off", not ${JSON.stringify(env.ACCESS_LEDGER_SCHEDULE)}`);
  }
  const secret = env.ACCESS_LEDGER_CRON_SECRET?.trim() || null;
  if (secret !== null && secret.length < 16) {
    throw new Error('ACCESS_LEDGER_CRON_SECRET must be at least 16 characters: it is the only thing guarding the sweep endpoint (e.g. `openssl rand -hex 32`)');
  }
  const path = env.ACCESS_LEDGER_CRON_PATH?.trim() || DEFAULT_CRON_PATH;
  if (!path.startsWith('/')) throw new Error(`ACCESS_LEDGER_CRON_PATH must start with "/", not ${JSON.stringify(path)}`);
  const doctor = (env.ACCESS_LEDGER_DOCTOR ?? 'on').trim().toLowerCase();
  if (doctor !== 'on' && doctor !== 'off') throw new Error(`ACCESS_LEDGER_DOCTOR must be "on" or "off", not ${JSON.stringify(env.ACCESS_LEDGER_DOCTOR)}`);
  const repos =
    env.ACCESS_LEDGER_REPOSITORIES?.split(',')
      .map((r) => r.trim())
      .filter(Boolean) ?? null;
  for (const r of repos ?? []) {
    if (!/^[A-Za-z0-9-]+\/[A-Za-z0-9._-]+$/.test(r)) throw new Error(`ACCESS_LEDGER_REPOSITORIES: ${JSON.stringify(r)} is not owner/name`);
  }
  return {
    schedule,
    intervalMs: DAY_MS,
    firstDelayMs: [5 * 60_000, 20 * 60_000],
    cronSecret: secret,
    cronPath: path,
    repositories: repos?.length ? repos : null,
    doctor: doctor === 'on',
    apiUrl: env.GHE_HOST?.trim() ? `${env.GHE_PROTOCOL?.trim() || 'https'}://${env.GHE_HOST.trim()}/api/v3` : 'https://api.github.com',
  };
}
