/**
 * The package as a user gets it: `npm pack` of this checkout (prepack compiles build/, since Node
 * does not strip types inside node_modules), and the tarball installed in a clean folder, offline,
 * from the npm cache that `npm ci` of this repository filled.
 *
 * An install needs, for every production dependency, where its tarball comes from. This
 * repository's lockfile does not always record that (`resolved`), and npm would then ask the
 * registry; so the lockfile written for the install names each tarball's registry URL, which the
 * npm cache holds under that URL and the lockfile's integrity. Nothing reaches the network.
 *
 * `npm pack` rebuilds build/ in this checkout, so two test files packing at once would write the
 * same files together: packing holds a lock (a directory, which the OS creates atomically) shared
 * by every test process of this checkout.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const PACKAGE_ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface PackageJson {
  name: string;
  version: string;
  license: string;
  dependencies: Record<string, string>;
  bin: Record<string, string>;
  engines: Record<string, string>;
}

export const PKG = JSON.parse(readFileSync(join(PACKAGE_ROOT, 'package.json'), 'utf8')) as PackageJson;

/** The file `npm pack` writes: `access-ledger-0.1.0.tgz`. */
export const TARBALL_NAME = `${PKG.name}-${PKG.version}.tgz`;

const REGISTRY = 'https://registry.npmjs.org';

function sleep(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Runs `fn` while no other process of this checkout packs. */
function withPackLock<T>(fn: () => T, timeoutMs = 300_000): T {
  const lock = join(tmpdir(), `access-ledger-pack-${createHash('sha256').update(PACKAGE_ROOT).digest('hex').slice(0, 12)}.lock`);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const owner = Number(existsSync(join(lock, 'pid')) ? readFileSync(join(lock, 'pid'), 'utf8') : NaN);
      // A lock left by a process that died is taken over.
      if (Number.isInteger(owner) && !alive(owner)) rmSync(lock, { recursive: true, force: true });
      else if (Date.now() > deadline) throw new Error(`another test process has held ${lock} for ${timeoutMs} ms`);
      else sleep(200);
    }
  }
  try {
    writeFileSync(join(lock, 'pid'), String(process.pid));
    return fn();
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

/** `npm pack` of this checkout into `dest`; returns the tarball's path. */
export function packTarball(dest: string): string {
  mkdirSync(dest, { recursive: true });
  const name = withPackLock(
    () => execFileSync('npm', ['pack', '--silent', '--pack-destination', dest], { cwd: PACKAGE_ROOT, encoding: 'utf8' }).trim().split('\n').pop()!,
  );
  return join(dest, name);
}

interface LockEntry {
  name?: string;
  version?: string;
  resolved?: string;
  dev?: boolean;
  link?: boolean;
  [key: string]: unknown;
}

/**
 * Writes what an online `npm install <spec>` would leave in `project`: its package.json depending on
 * the package by `spec` (e.g. `file:../access-ledger-0.1.0.tgz`), and a lockfile of the package's
 * production dependency tree as this repository's lockfile resolves it, each with its tarball's URL.
 * A package.json already there keeps its other fields.
 */
export function seedLockfile(project: string, spec: string): void {
  const lock = JSON.parse(readFileSync(join(PACKAGE_ROOT, 'package-lock.json'), 'utf8')) as { packages: Record<string, LockEntry> };
  const manifestPath = join(project, 'package.json');
  const manifest = (existsSync(manifestPath) ? JSON.parse(readFileSync(manifestPath, 'utf8')) : { name: 'access-repo-tools', private: true }) as Record<
    string,
    unknown
  >;
  manifest.dependencies = { ...(manifest.dependencies as Record<string, string> | undefined), [PKG.name]: spec };
  const root: Record<string, unknown> = { name: manifest.name, dependencies: manifest.dependencies };
  if (typeof manifest.version === 'string') root.version = manifest.version;
  const packages: Record<string, unknown> = {
    '': root,
    [`node_modules/${PKG.name}`]: {
      version: PKG.version,
      resolved: spec,
      license: PKG.license,
      dependencies: PKG.dependencies,
      bin: PKG.bin,
      engines: PKG.engines,
    },
  };
  for (const [path, entry] of Object.entries(lock.packages)) {
    if (!path || entry.dev || entry.link) continue;
    const name = entry.name ?? path.slice(path.lastIndexOf('node_modules/') + 'node_modules/'.length);
    packages[path] = entry.resolved ? entry : { ...entry, resolved: `${REGISTRY}/${name}/-/${name.split('/').pop()}-${entry.version}.tgz` };
  }
  mkdirSync(project, { recursive: true });
  writeFileSync(manifestPath, JSON.stringify(manifest, null, 2) + '\n');
  writeFileSync(join(project, 'package-lock.json'), JSON.stringify({ name: manifest.name, lockfileVersion: 3, requires: true, packages }, null, 2) + '\n');
}

/** The environment for npm in tests: offline, quiet, no audit or funding calls. */
export function offlineNpmEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return { ...process.env, npm_config_offline: 'true', npm_config_audit: 'false', npm_config_fund: 'false', npm_config_update_notifier: 'false', ...extra };
}

/** `npm ci` of a project `seedLockfile` wrote; throws with npm's own words when it fails. */
export function installSeeded(project: string): void {
  const install = spawnSync('npm', ['ci', '--offline', '--ignore-scripts', '--no-audit', '--no-fund'], {
    cwd: project,
    encoding: 'utf8',
    env: offlineNpmEnv(),
  });
  if (install.status !== 0)
    throw new Error(
      `npm ci of the tarball failed (run \`npm ci\` in the repository first: it fills the npm cache this install reads offline):\n${install.stderr}`,
    );
}
