/**
 * The release path, read as GitHub and Docker would read it (no engine or runner here):
 * - .github/workflows/release.yml: a vX.Y.Z tag publishes to npm with provenance, pushes the
 *   image to ghcr.io and moves the Action's vX tag; every action pinned by commit SHA with its
 *   version; each job only the permissions it needs; no expression of the event inside a script.
 * - Dockerfile: a build stage with the dev dependencies, a runtime stage with production
 *   dependencies and build/ only, a non-root user, a HEALTHCHECK on /healthz, `access-ledger serve`
 *   as the entry; .dockerignore keeps keys and .env out of the context.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../cli/run-cli.ts';

interface Step {
  uses?: string;
  run?: string;
  env?: Record<string, string>;
  with?: Record<string, unknown>;
}
interface Job {
  permissions?: Record<string, string>;
  needs?: string | string[];
  environment?: string;
  container?: string;
  steps: Step[];
}
interface Workflow {
  on: { push: { tags: string[] } };
  permissions: Record<string, string>;
  jobs: Record<string, Job>;
}

const TEXT = readFileSync(join(ROOT, '.github/workflows/release.yml'), 'utf8');
const WF = parse(TEXT) as Workflow;
const runs = (job: Job) => job.steps.map((s) => s.run ?? '').join('\n');

describe('the release workflow', () => {
  it('runs on version tags only, with no permissions by default', () => {
    expect(WF.on).toEqual({ push: { tags: ['v*.*.*'] } });
    expect(WF.permissions).toEqual({});
  });

  it('pins every action by full commit SHA, with its version beside it', () => {
    const uses = TEXT.split('\n').filter((l) => /^\s*-?\s*uses:/.test(l));
    expect(uses.length).toBeGreaterThan(0);
    for (const line of uses) expect(line, line).toMatch(/uses: [\w.-]+\/[\w.-]+@[0-9a-f]{40} # v\d+\.\d+\.\d+$/);
  });

  it('gives each job only what it needs', () => {
    expect(WF.jobs.test!.permissions).toEqual({ contents: 'read' });
    expect(WF.jobs.npm!.permissions).toEqual({ contents: 'read', 'id-token': 'write' });
    expect(WF.jobs.image!.permissions).toEqual({ contents: 'read', packages: 'write' });
    expect(WF.jobs.action!.permissions).toEqual({ contents: 'write' });
    // The npm token is reachable only from the protected environment.
    expect(WF.jobs.npm!.environment).toBe('release');
    for (const [name, job] of Object.entries(WF.jobs)) if (name !== 'npm') expect(JSON.stringify(job)).not.toContain('NPM_TOKEN');
  });

  it('tests the tagged commit first, and refuses a tag off main or out of step with package.json', () => {
    const test = runs(WF.jobs.test!);
    expect(test).toContain('bash .ci/run');
    expect(test).toMatch(/\^v\(\[0-9\]\+\)\\\.\(\[0-9\]\+\)\\\.\(\[0-9\]\+\)\$/);
    expect(test).toContain('git merge-base --is-ancestor "${GITHUB_SHA}" origin/main');
    expect(test).toContain('require("./package.json").version');
    for (const job of ['npm', 'image']) expect([WF.jobs[job]!.needs].flat()).toContain('test');
    expect([WF.jobs.action!.needs].flat()).toEqual(expect.arrayContaining(['npm', 'image']));
  });

  it('publishes to npm with provenance', () => {
    expect(runs(WF.jobs.npm!)).toMatch(/^npm publish --provenance --access public$/m);
  });

  it('pushes the image to ghcr.io as X.Y.Z, X.Y and X', () => {
    const image = runs(WF.jobs.image!);
    expect(image).toContain('ghcr.io/${GITHUB_REPOSITORY_OWNER,,}/access-ledger');
    for (const tag of ['${VERSION}', '${MINOR}', '${MAJOR}']) expect(image).toContain(`--tag "\${image}:${tag}"`);
    expect(image).toMatch(/docker push/);
    expect(image).toContain('--password-stdin');
  });

  it("moves the Action's major tag to the released commit and creates the release", () => {
    const action = runs(WF.jobs.action!);
    expect(action).toContain('push --force origin "${GITHUB_SHA}:refs/tags/v${MAJOR}"');
    expect(action).toContain('gh release create "$TAG"');
  });

  it('puts no expression into a script: event data reaches scripts only through the environment', () => {
    for (const job of Object.values(WF.jobs)) for (const step of job.steps) expect(step.run ?? '', step.run).not.toMatch(/\$\{\{/);
  });
});

/** The Dockerfile's instructions, by stage, with continuation lines joined. */
function dockerfile(): { name: string; base: string; instructions: { op: string; args: string }[] }[] {
  const lines = readFileSync(join(ROOT, 'Dockerfile'), 'utf8')
    .replace(/\s*\\\n\s*/g, ' ')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
  const stages: ReturnType<typeof dockerfile> = [];
  for (const line of lines) {
    const [, op, args] = /^(\S+)\s+(.*)$/.exec(line)!;
    if (op === 'FROM') {
      const m = /^(\S+)\s+AS\s+(\S+)$/i.exec(args!)!;
      stages.push({ base: m[1]!, name: m[2]!, instructions: [] });
    } else if (stages.length) stages.at(-1)!.instructions.push({ op: op!, args: args! });
  }
  return stages;
}

describe('the Dockerfile', () => {
  const stages = dockerfile();
  const build = stages.find((s) => s.name === 'build')!;
  const runtime = stages.at(-1)!;
  const ops = (op: string) => runtime.instructions.filter((i) => i.op === op).map((i) => i.args);

  it('has a build stage and a runtime stage, both on Node 24', () => {
    expect(stages.map((s) => s.name)).toEqual(['build', 'runtime']);
    const arg = /ARG NODE_IMAGE=(\S+)/.exec(readFileSync(join(ROOT, 'Dockerfile'), 'utf8'))![1]!;
    expect(arg).toMatch(/^node:24(-|$)/);
    for (const s of stages) expect(s.base).toBe('${NODE_IMAGE}');
  });

  it('builds with the dev dependencies and compiles build/', () => {
    const runLines = build.instructions.filter((i) => i.op === 'RUN').map((i) => i.args);
    expect(runLines).toContain('npm ci --ignore-scripts --no-audit --no-fund');
    expect(runLines).toContain('npm run build');
  });

  it('runs with production dependencies and build/ only: no sources, no compiler', () => {
    expect(ops('RUN').some((r) => r.startsWith('npm ci --omit=dev'))).toBe(true);
    expect(ops('COPY')).toContain('--from=build /app/build ./build');
    expect(ops('COPY').some((c) => /(^|\s)src(\s|\/|$)/.test(c))).toBe(false);
    expect(ops('ENV').join(' ')).toContain('NODE_ENV=production');
  });

  it('runs as a user that is not root', () => {
    const users = ops('USER');
    expect(users).toHaveLength(1);
    expect(users[0]).not.toMatch(/^(root|0)(:|$)/);
    const userAt = runtime.instructions.findIndex((i) => i.op === 'USER');
    const entryAt = runtime.instructions.findIndex((i) => i.op === 'ENTRYPOINT');
    expect(userAt).toBeLessThan(entryAt);
    // Nothing after USER needs root.
    expect(runtime.instructions.slice(userAt).filter((i) => i.op === 'RUN')).toEqual([]);
  });

  it('checks its health on /healthz, the route the App serves', () => {
    const [health] = ops('HEALTHCHECK');
    expect(health).toMatch(/^--interval=\S+ --timeout=\S+ --start-period=\S+ --retries=\d+ CMD \[/);
    const cmd = JSON.parse(health!.slice(health!.indexOf('CMD ') + 4)) as string[];
    expect(cmd[0]).toBe('node');
    expect(cmd.join(' ')).toContain("'/healthz'");
    expect(cmd.join(' ')).toContain('process.env.PORT || 3000');
    expect(readFileSync(join(ROOT, 'src/app/server.ts'), 'utf8')).toContain("req.url === '/healthz'");
  });

  it('starts access-ledger serve, and runs any other command when given one', () => {
    expect(JSON.parse(ops('ENTRYPOINT')[0]!)).toEqual(['node', '/app/bin/access-ledger.js']);
    expect(JSON.parse(ops('CMD')[0]!)).toEqual(['serve']);
    expect(ops('EXPOSE')).toEqual(['3000']);
  });

  it('.dockerignore admits only what the image is built from, and never keys or .env', () => {
    const ignore = readFileSync(join(ROOT, '.dockerignore'), 'utf8')
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l && !l.startsWith('#'));
    expect(ignore[0]).toBe('*');
    expect(ignore).toEqual(expect.arrayContaining(['**/.env', '**/*.pem']));
    // Every path the Dockerfile copies from the context is admitted.
    const admitted = new Set(ignore.filter((l) => l.startsWith('!')).map((l) => l.slice(1).replace(/\/\*\*$/, '')));
    const copied = stages.flatMap((s) =>
      s.instructions.filter((i) => i.op === 'COPY' && !i.args.startsWith('--from')).flatMap((i) => i.args.split(/\s+/).slice(0, -1)),
    );
    expect(copied.length).toBeGreaterThan(5);
    expect(copied.filter((c) => !admitted.has(c))).toEqual([]);
  });
});
