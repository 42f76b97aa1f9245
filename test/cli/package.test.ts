import { TEST_SIGNING_KEY } from '../support/ledger-keys.ts';
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildFixture, type Fixture } from '../binder/fixture.ts';
import { appPrivateKey, freePort } from '../support/e2e/processes.ts';
import { installSeeded, packTarball, seedLockfile } from '../support/package.ts';
import { ROOT } from './run-cli.ts';

/**
 * The package as a user gets it: `npm pack` (prepack compiles build/, since Node does not strip
 * types inside node_modules), then `npm ci` of the tarball in a clean folder, offline, from the
 * npm cache `npm ci` of this repository filled: the package's production dependencies only, as
 * its package.json and this repository's lockfile resolve them. Every command runs from there.
 */

const work = mkdtempSync(join(tmpdir(), 'al-pack-'));
const project = join(work, 'project');
const installed = join(project, 'node_modules', 'access-ledger');
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  name: string;
  version: string;
  license: string;
  dependencies: Record<string, string>;
  bin: Record<string, string>;
  engines: Record<string, string>;
};
let tarball: string;
let fx: Fixture;

/** The installed command, as `npx access-ledger` runs it in the project. */
function cli(args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}) {
  const r = spawnSync(process.execPath, [join(project, 'node_modules', '.bin', 'access-ledger'), ...args], {
    cwd: options.cwd ?? project,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1', CI: 'true', ...options.env },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

beforeAll(() => {
  tarball = packTarball(work).slice(work.length + 1);
  seedLockfile(project, `file:../${tarball}`);
  installSeeded(project);
  fx = buildFixture();
}, 300_000);

afterAll(() => {
  fx?.cleanup();
  rmSync(work, { recursive: true, force: true });
});

describe('the published package', () => {
  it('holds the compiled build, the policies, the docs and the manifests, and no tests', () => {
    for (const path of [
      'bin/access-ledger.js',
      'build/src/cli/main.js',
      'build/src/cli/commands/serve.js',
      'build/src/app/server.js',
      'policies/soc2-baseline.yaml',
      'policies/schemas/grant.schema.json',
      'dist/index.js',
      'action.yml',
      'app.yml',
      'gate-app.yml',
      'docs/install.md',
      'README.md',
    ]) {
      expect(existsSync(join(installed, path)), path).toBe(true);
    }
    expect(existsSync(join(installed, 'test'))).toBe(false);
    // Only production dependencies were installed: no compiler, no test runner.
    for (const dev of ['typescript', 'vitest', 'esbuild', 'nock']) expect(existsSync(join(project, 'node_modules', dev)), dev).toBe(false);
  });

  it('--version', () => {
    expect(cli(['--version'])).toEqual({ code: 0, stdout: `${pkg.version}\n`, stderr: '' });
  });

  it('validate: the example repo is clean as of the day its dates were chosen', () => {
    const r = cli(['validate', join(ROOT, 'examples/access-repo'), '--today', '2026-11-26', '--format', 'json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).summary).toMatchObject({ errors: 0, grants: 28 });
  });

  it('init, then validate of what it wrote', () => {
    const repo = join(work, 'acme-access');
    const init = cli(['init', repo, '--org', 'acme']);
    expect(init.stderr).toBe('');
    expect(init.code).toBe(0);
    const r = cli(['validate', repo]);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/no problems/);
    expect(r.code).toBe(0);
  });

  it('verify: the ledger of a clone', () => {
    const r = cli(['verify', '--repo', fx.dir]);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/^OK: /m);
    expect(r.code).toBe(0);
  });

  it("export: the auditor's binder", () => {
    const out = join(work, 'binder');
    const r = cli(['export', '--repo', fx.dir, '--from', '2026-01-01', '--to', '2026-06-30', '--out', out]);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/^Binder written to /);
    expect(r.code).toBe(0);
    expect(existsSync(join(out, 'index.html'))).toBe(true);
    expect(existsSync(join(out, 'manifest.json'))).toBe(true);
  });

  it.each(['doctor', 'sweep', 'reconcile', 'serve'])('%s --help', (command) => {
    const r = cli([command, '--help']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^Usage: access-ledger ${command} `));
    expect(r.stdout).toContain('Examples:');
  });

  it('serve: the App starts from the installed package and answers its health check', async () => {
    const port = await freePort();
    const key = appPrivateKey();
    const child = spawn(process.execPath, [join(project, 'node_modules', '.bin', 'access-ledger'), 'serve'], {
      cwd: project,
      env: {
        PATH: process.env.PATH,
        APP_ID: '1',
        PRIVATE_KEY: key,
        WEBHOOK_SECRET: 'package-test-secret',
        PORT: String(port),
        HOST: '127.0.0.1',
        ACCESS_LEDGER_SCHEDULE: 'off',
        NODE_ENV: 'production',
        LOG_LEVEL: 'fatal',
        ACCESS_LEDGER_SIGNING_KEY: TEST_SIGNING_KEY,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let log = '';
    child.stdout.on('data', (d: Buffer) => (log += d.toString()));
    child.stderr.on('data', (d: Buffer) => (log += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    try {
      let status = 0;
      for (let i = 0; i < 300 && status !== 200; i++) {
        if (child.exitCode !== null) throw new Error(`serve exited early:\n${log}`);
        status = await fetch(`http://127.0.0.1:${port}/healthz`).then(
          (r) => r.status,
          () => 0,
        );
        if (status !== 200) await new Promise((r) => setTimeout(r, 100));
      }
      expect(status).toBe(200);
      // An unsigned webhook is refused before any handler runs.
      const res = await fetch(`http://127.0.0.1:${port}/api/github/webhooks`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-github-event': 'ping', 'x-github-delivery': 'd-1' },
        body: '{}',
      });
      expect(res.status).toBe(400);
    } finally {
      child.kill('SIGTERM');
      await exited;
    }
  });
});

describe('the container image, laid out as the Dockerfile lays it out', () => {
  /** `COPY` lines of the runtime stage: sources (from the context, or the build stage) and their destination. */
  function runtimeCopies(): { from: string | null; sources: string[]; dest: string }[] {
    const text = readFileSync(join(ROOT, 'Dockerfile'), 'utf8').replace(/\\\n/g, ' ');
    const stage = text.slice(text.search(/^FROM \S+ AS runtime$/m));
    return [...stage.matchAll(/^COPY (--from=(\S+) )?(.+)$/gm)].map((m) => {
      const parts = m[3]!.trim().split(/\s+/);
      return { from: m[2] ?? null, sources: parts.slice(0, -1), dest: parts.at(-1)! };
    });
  }

  it('runs the CLI and the App from build/ with no sources beside it', () => {
    const app = join(work, 'image', 'app');
    mkdirSync(app, { recursive: true });
    for (const copy of runtimeCopies()) {
      for (const source of copy.sources) {
        // The context is this checkout; the build stage's /app/build is what `npm pack` compiled here.
        const from = copy.from === 'build' ? join(ROOT, source.replace(/^\/app\//, '')) : join(ROOT, source);
        if (!existsSync(from)) throw new Error(`the Dockerfile copies ${source}, which the checkout does not hold`);
        const to =
          copy.dest.endsWith('/') || copy.sources.length > 1
            ? join(app, copy.dest.replace(/^\.\/?/, ''), source.split('/').pop()!)
            : join(app, copy.dest.replace(/^\.\//, ''));
        mkdirSync(dirname(to), { recursive: true });
        cpSync(from, to, { recursive: true });
      }
    }
    // `npm ci --omit=dev` in the image: the production tree installed above.
    for (const name of readdirSync(join(project, 'node_modules'))) {
      if (name === pkg.name || name === '.bin') continue;
      mkdirSync(join(app, 'node_modules'), { recursive: true });
      symlinkSync(join(project, 'node_modules', name), join(app, 'node_modules', name));
    }
    expect(existsSync(join(app, 'src'))).toBe(false);
    const run = (args: string[]) =>
      spawnSync(process.execPath, [join(app, 'bin', 'access-ledger.js'), ...args], { cwd: app, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
    const validate = run(['validate', join(ROOT, 'examples/access-repo'), '--today', '2026-11-26']);
    expect(validate.stderr).toBe('');
    expect(validate.status).toBe(0);
    const help = run(['serve', '--help']);
    expect(help.status).toBe(0);
    expect(help.stdout).toContain('Usage: access-ledger serve');
  });
});
