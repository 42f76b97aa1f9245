/**
 * docs/setup.md, followed word for word by a new security team, against the stateful fake GitHub.
 *
 * Every fenced shell command of the page runs in one bash session (its directory and exports carry
 * over from line to line, as in a terminal), in the order of the page, exactly as written. The
 * only things put in its place are the fake's address, the tokens and the temporary folder,
 * through variables the docs name: GITHUB_API_URL for the CLI, GHE_HOST, PORT and HOST for the
 * App, GH_TOKEN for `gh auth token` (a stand-in for the GitHub CLI that answers only that, as the
 * real one does with GH_TOKEN set), and git's URL rewriting so `git clone https://github.com/...`
 * clones the fake. A few commands cannot run here and are performed instead by what they do:
 * cloning and building this project (the test runs from that checkout: `npm pack` packs it) and
 * `git push` (the fake has no git protocol: the pushed commit's files become the repository).
 * Each such command is named below with what stands in for it.
 *
 * The settings steps (registering and installing the Apps, the environments and their secrets,
 * the workflow token, the rulesets, opening, approving and merging the first pull request) are
 * made through the fake's state exactly as the page describes them, with the names and values it
 * gives. The scaffolded workflows are then run as GitHub Actions runs them (actions-runner.ts): the
 * gate on the first pull request, the sweep, the full-repo validate with its SARIF upload, with the
 * variables and secrets the page says to put in each environment, so a name that differs between
 * the page and a workflow fails the run.
 *
 * It ends with a validated access repo on the fake, the gate's status required from the gate App
 * and set by it, the App running from the packed tarball and recording the merge a signed webhook
 * announced, the sweep and the SARIF upload run from their workflow files, `doctor` exiting 0 and
 * `verify` checking the ledger from a fresh clone.
 */
import { generateKeyPairSync } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { parse as parseYaml } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeGitHub, type AppInfo, type FakeGitHub } from '../support/fake-github/index.ts';
import { cloneFromFake } from '../support/e2e/clone.ts';
import { appPrivateKey, freePort } from '../support/e2e/processes.ts';
import { PACKAGE_ROOT, PKG, TARBALL_NAME, packTarball, seedLockfile } from '../support/package.ts';
import { parseRunbook, type RunbookBlock } from '../support/walkthrough/runbook.ts';
import { ShellSession, type CommandResult } from '../support/walkthrough/shell.ts';
import { runJob, type EnvironmentSettings, type RegisteredApp, type RunnerSetup } from '../support/walkthrough/actions-runner.ts';

const PAGE = readFileSync(join(PACKAGE_ROOT, 'docs/setup.md'), 'utf8');
const BLOCKS = parseRunbook(PAGE);

// The page's example values.
const ORG = 'acme';
const REPO = 'acme/access';
const LEDGER_APP = {
  id: 1093411,
  slug: 'acme-access-ledger',
  name: 'Acme access-ledger',
  clientId: 'Iv23liAcmeLedger0001',
  keyFile: 'acme-access-ledger.private-key.pem',
};
const GATE_APP = {
  id: 1093412,
  slug: 'acme-access-ledger-gate',
  name: 'Acme access-ledger gate',
  clientId: 'Iv23liAcmeGate000001',
  keyFile: 'acme-access-ledger-gate.private-key.pem',
};
const manifest = (file: string) =>
  parseYaml(readFileSync(join(PACKAGE_ROOT, file), 'utf8')) as { default_permissions: Record<string, string>; default_events: string[] };

let gh: FakeGitHub;
let port: number;
const home = mkdtempSync(join(tmpdir(), 'access-ledger-setup-'));
/** The working folder the page creates, `acme-access-admin`. */
const workingFolder = join(home, 'acme-access-admin');
/** Where `git clone https://github.com/acme/access` clones from: the fake's repository, as git objects. */
const mirror = join(home, 'github.com', 'acme', 'access');
let session: ShellSession;
let app: ReturnType<ShellSession['start']> | undefined;
let gateApp: AppInfo;
const registered: RegisteredApp[] = [];
const environments: Record<string, EnvironmentSettings> = {};
let keygenOutput = '';
let adminToken: string;

beforeAll(async () => {
  gh = await startFakeGitHub({ appId: LEDGER_APP.id, appSlug: LEDGER_APP.slug, appName: LEDGER_APP.name });
  port = await freePort();
  // The organization and the people the scaffold's example files name (its teams included).
  // Nothing installed yet: the page installs the Apps itself.
  gh.state.createOrg(ORG, { members: ['alice', 'bob', 'dave', 'erin'], admins: ['carol'], install: false });
  gh.state.createTeam(ORG, 'security', { members: ['carol'] });
  gh.state.createTeam(ORG, 'dba', { members: ['erin'] });
  adminToken = gh.createToken('carol');
  // `gh auth token` prints the token the GitHub CLI is logged in with: GH_TOKEN, when it is set.
  const bin = join(home, 'bin');
  mkdirSync(bin);
  writeFileSync(
    join(bin, 'gh'),
    '#!/bin/sh\nif [ "$1" = auth ] && [ "$2" = token ] && [ -n "$GH_TOKEN" ]; then printf \'%s\\n\' "$GH_TOKEN"; exit 0; fi\necho "gh: only \\`gh auth token\\` stands in for the GitHub CLI here" >&2\nexit 4\n',
    { mode: 0o755 },
  );
  const api = new URL(gh.url);
  session = new ShellSession(home, {
    ...cleanEnv(),
    PATH: `${bin}:${process.env.PATH}`,
    NO_COLOR: '1',
    // The machine's npm cache, read offline: nothing reaches a registry.
    npm_config_offline: 'true',
    npm_config_audit: 'false',
    npm_config_fund: 'false',
    npm_config_update_notifier: 'false',
    // The engineer's git identity, and nothing else of this machine's git configuration.
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_GLOBAL: '/dev/null',
    GIT_AUTHOR_NAME: 'Carol',
    GIT_AUTHOR_EMAIL: 'carol@acme.example',
    GIT_COMMITTER_NAME: 'Carol',
    GIT_COMMITTER_EMAIL: 'carol@acme.example',
    // https://github.com/acme/access is the fake's repository.
    GIT_CONFIG_COUNT: '1',
    GIT_CONFIG_KEY_0: `url.file://${mirror}.insteadOf`,
    GIT_CONFIG_VALUE_0: 'https://github.com/acme/access',
    // The fake's address, as the page says for GitHub Enterprise Server.
    GITHUB_API_URL: gh.url,
    GHE_HOST: api.host,
    GHE_PROTOCOL: 'http',
    PORT: String(port),
    HOST: '127.0.0.1',
    GH_TOKEN: adminToken,
  });
}, 60_000);

afterAll(async () => {
  await app?.stop();
  session?.killBackground();
  expect(gh.errors).toEqual([]);
  await gh?.close();
  rmSync(home, { recursive: true, force: true });
});

/** The parent's environment without anything that would point a child at another GitHub or App. */
function cleanEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (/^(INPUT_|GITHUB_|RUNNER_|APP_ID$|PRIVATE_KEY|WEBHOOK_|GHE_|GH_TOKEN$|HTTPS?_PROXY$|https?_proxy$|ACCESS_LEDGER_|NODE_ENV$|PORT$|HOST$|npm_)/.test(k))
      continue;
    env[k] = v;
  }
  return env;
}

// ---- how each command of the page runs ---------------------------------------------------------

interface Handler {
  match: RegExp;
  /** `run`: the command as written. `instead`: what the command does, done by the test. `start`: a server, left running. */
  how: 'run' | 'instead' | 'start';
  /** Done before the command runs (`run`), or in its place (`instead`). */
  before?: (line: string) => void | Promise<void>;
  check?: (r: CommandResult) => void;
}

const ok = (pattern: RegExp, check?: Handler['check']): Handler => ({ match: pattern, how: 'run', ...(check ? { check } : {}) });
const escaped = (s: string) => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

const HANDLERS: Record<string, Handler[]> = {
  install: [
    {
      // The checkout is this repository: the lines after it build its package.
      match: /^git clone https:\/\/github\.com\/access-ledger\/access-ledger$/,
      how: 'instead',
      before: () => mkdirSync(join(session.cwd, 'access-ledger')),
    },
    ok(/^cd access-ledger$/),
    {
      // This checkout has its dependencies installed (the test runs from it).
      match: /^npm ci$/,
      how: 'instead',
      before: () => expect(existsSync(join(PACKAGE_ROOT, 'node_modules', 'probot'))).toBe(true),
    },
    {
      match: /^npm pack\s+#/,
      how: 'instead',
      before: () => {
        const tarball = packTarball(session.cwd);
        expect(tarball).toBe(join(session.cwd, TARBALL_NAME));
      },
    },
    ok(/^cd \.\.$/),
    ok(/^mkdir acme-access-admin && cd acme-access-admin$/),
    ok(/^npm init -y > \/dev\/null$/),
    {
      // An online install resolves the package's dependencies from the registry; offline, the
      // lockfile it would write says where each comes from, and the npm cache holds them.
      match: new RegExp(`^npm install \\.\\./access-ledger/${escaped(TARBALL_NAME)}$`),
      how: 'run',
      before: () => seedLockfile(session.cwd, `file:../access-ledger/${TARBALL_NAME}`),
    },
    ok(/^npx access-ledger --version$/, (r) => expect(r.stdout.trim()).toBe(PKG.version)),
  ],
  init: [
    ok(/^npx access-ledger init access --org acme$/, (r) => expect(r.stdout).toContain('Created an access repo in access (17 files).')),
    ok(/^cd access$/),
    ok(/^npx access-ledger validate$/, (r) => expect(r.stdout).toMatch(/no problems in 9 files \(7 grants, 1 system\)/)),
  ],
  'webhook-secret': [
    ok(/^cd \.\.$/),
    ok(/^openssl rand -hex 32 > webhook-secret\.txt$/, () =>
      expect(readFileSync(join(workingFolder, 'webhook-secret.txt'), 'utf8')).toMatch(/^[0-9a-f]{64}\n$/),
    ),
  ],
  keygen: [
    ok(/^npx access-ledger keygen --out ledger-signing-key\.pem$/, (r) => {
      keygenOutput = r.stdout;
      expect(r.stdout).toContain('ACCESS_LEDGER_SIGNING_KEY');
    }),
    ok(/^cd access$/),
  ],
  'validate-config': [ok(/^npx access-ledger validate$/, (r) => expect(r.stdout).toMatch(/no problems/))],
  push: [
    ok(/^git init -b main$/),
    ok(/^git add \.$/),
    ok(/^git commit -m "access-ledger init"$/),
    ok(/^git remote add origin https:\/\/github\.com\/acme\/access\.git$/),
    {
      // The new, empty repository receives the commit: its files become the repository's main.
      match: /^git push -u origin main$/,
      how: 'instead',
      before: () => {
        const files: Record<string, string> = {};
        const paths = execFileSync('git', ['ls-tree', '-r', '--name-only', 'HEAD'], { cwd: session.cwd, env: session.env, encoding: 'utf8' })
          .trim()
          .split('\n');
        for (const p of paths) files[p] = execFileSync('git', ['show', `HEAD:${p}`], { cwd: session.cwd, env: session.env, encoding: 'utf8' });
        gh.state.createRepo(REPO, { files, author: 'carol', private: true });
      },
    },
  ],
  serve: [ok(/^cd \.\.$/), ok(/^export [A-Z_]+=.+$/), { match: /^npx access-ledger serve$/, how: 'start' }],
  doctor: [
    ok(/^GITHUB_TOKEN=\$\(gh auth token\) npx access-ledger doctor --repo acme\/access$/, (r) => {
      expect(r.stdout).toMatch(/^✔ all 8 checks pass$/m);
      // The ledger App found by the slug in ledger.app_login, installed on this repository only.
      expect(r.stdout).toMatch(/^✔ app-installed {2}installation \d+ \(selected repositories\)$/m);
    }),
  ],
  verify: [
    {
      match: /^git clone https:\/\/github\.com\/acme\/access acme-access-audit$/,
      how: 'run',
      before: () => mirrorFake(),
    },
    ok(/^cd acme-access-audit$/),
    ok(/^git fetch origin access-ledger:access-ledger$/),
    ok(/^npx access-ledger verify --repo \.$/, (r) => expect(r.stdout).toMatch(/^OK: /m)),
  ],
};

/** Which handler runs each command of a block; throws naming a command no handler (or two) covers. */
function plan(block: RunbookBlock): { line: string; at: number; handler: Handler }[] {
  const handlers = HANDLERS[block.step];
  if (!handlers) throw new Error(`docs/setup.md line ${block.line}: the step ${block.step} is not run by this test`);
  return block.commands.map((c) => {
    const found = handlers.filter((h) => h.match.test(c.text.trim()));
    if (found.length !== 1)
      throw new Error(`docs/setup.md line ${c.line}: \`${c.text}\` is covered by ${found.length} handlers of the step ${block.step}, not one`);
    return { line: c.text.trim(), at: c.line, handler: found[0]! };
  });
}

const done = new Set<string>();

async function runStep(step: string): Promise<void> {
  const block = BLOCKS.find((b) => b.step === step);
  if (!block) throw new Error(`docs/setup.md has no block for the step ${step}`);
  for (const { line, at, handler } of plan(block)) {
    await handler.before?.(line);
    if (handler.how === 'start') {
      app = session.start(line);
      await waitForHealth(app);
    } else if (handler.how === 'run') {
      const r = await session.run(line, { timeoutMs: 180_000 });
      expect(r.code, `docs/setup.md line ${at}: \`${line}\` in ${session.cwd}\n${r.stdout}\n${r.stderr}`).toBe(0);
      handler.check?.(r);
    }
  }
  done.add(step);
}

async function waitForHealth(server: NonNullable<typeof app>): Promise<void> {
  for (let i = 0; i < 600; i++) {
    if (server.exited) throw new Error(`the App exited:\n${server.log}`);
    const status = await fetch(`http://127.0.0.1:${port}/healthz`).then(
      (r) => r.status,
      () => 0,
    );
    if (status === 200) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`the App did not answer /healthz:\n${server.log}`);
}

/** The fake's repository as a git repository `git clone` can read, every branch a branch. */
function mirrorFake(): void {
  rmSync(mirror, { recursive: true, force: true });
  const { branches } = cloneFromFake(gh, REPO, mirror);
  for (const [name, sha] of Object.entries(branches)) execFileSync('git', ['-C', mirror, 'update-ref', `refs/heads/${name}`, sha], { env: session.env });
}

function runner(): RunnerSetup {
  return { gh, repo: REPO, environments, apps: registered, root: join(workingFolder, '_runner'), baseEnv: { ...session.env, GH_TOKEN: '' } };
}

/** The ruleset `main` as GitHub enforces its required status: the newest status of each context, from the App it names, is success. */
function requiredStatusPasses(sha: string): boolean {
  const repo = gh.state.repo(REPO);
  const checks = repo.rulesets.flatMap((r) =>
    r.rules
      .filter((x) => x.type === 'required_status_checks')
      .flatMap((x) => x.parameters!.required_status_checks as { context: string; integration_id?: number }[]),
  );
  expect(checks.length).toBeGreaterThan(0);
  return checks.every(
    (c) =>
      gh.state.statusesOf(repo, sha).find((s) => s.context === c.context && (c.integration_id === undefined || s.app?.id === c.integration_id))?.state ===
      'success',
  );
}

// ---- the walkthrough ---------------------------------------------------------------------------

describe('docs/setup.md, followed word for word', () => {
  it('every shell command of the page is run by a step of this test, in the order of the page', () => {
    expect(BLOCKS.map((b) => b.step)).toEqual(Object.keys(HANDLERS));
    const used = new Set<Handler>();
    for (const block of BLOCKS) for (const p of plan(block)) used.add(p.handler);
    // Every handler stands for a command the page has: none is left over from an older page.
    for (const [step, handlers] of Object.entries(HANDLERS)) for (const h of handlers) expect(used.has(h), `${step}: ${h.match}`).toBe(true);
    // Commands are in shell blocks with a step; a shell block without one fails the parse.
    expect(() => parseRunbook('```sh\nnpx access-ledger validate\n```\n')).toThrow(/without a <!-- setup-step/);
  });

  it('1. installs the packed tarball in a working folder', async () => {
    await runStep('install');
    expect(existsSync(join(workingFolder, 'node_modules', 'access-ledger', 'build', 'src', 'cli', 'main.js'))).toBe(true);
    expect(JSON.parse(readFileSync(join(workingFolder, 'package.json'), 'utf8')).dependencies).toEqual({
      'access-ledger': `file:../access-ledger/${TARBALL_NAME}`,
    });
  }, 300_000);

  it('2. scaffolds the access repo, which validates', async () => {
    await runStep('init');
    expect(session.cwd).toBe(join(workingFolder, 'access'));
  }, 120_000);

  it('3. registers the ledger App from app.yml and the gate App from gate-app.yml, with the webhook secret', async () => {
    await runStep('webhook-secret');
    // Registering the ledger App: the fake's App has the page's name, slug and id; its key is saved where the page says.
    expect(gh.state.app).toMatchObject({ id: LEDGER_APP.id, slug: LEDGER_APP.slug, name: LEDGER_APP.name });
    writeFileSync(join(workingFolder, LEDGER_APP.keyFile), appPrivateKey(), { mode: 0o600 });
    gateApp = gh.state.createApp({ id: GATE_APP.id, slug: GATE_APP.slug, name: GATE_APP.name });
    const gateKey = generateKeyPairSync('rsa', {
      modulusLength: 2048,
      privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
      publicKeyEncoding: { type: 'spki', format: 'pem' },
    }).privateKey;
    writeFileSync(join(workingFolder, GATE_APP.keyFile), gateKey, { mode: 0o600 });
    // The page's example values are the ones it uses later.
    expect(PAGE).toContain(`**App ID** (\`${LEDGER_APP.id}\`)`);
    expect(PAGE).toContain(`**App ID** (\`${GATE_APP.id}\`)`);
    expect(PAGE).toContain(`\`${LEDGER_APP.keyFile}\``);
    expect(PAGE).toContain(`\`${GATE_APP.keyFile}\``);
  });

  it('4. makes the ledger signing key and writes it, the bot and the gate App into the config as the page shows', async () => {
    await runStep('keygen');
    const entry = /public_keys:\n(\s+- id: [0-9a-f]{16}\n\s+key: \S+\n\s+from: \d{4}-\d\d-\d\d)\n/.exec(keygenOutput)?.[1];
    expect(entry, keygenOutput).toBeDefined();
    // The edit the page describes: the keygen entry under ledger:, app_login, and gate.app_id.
    const path = join(session.cwd, 'access-ledger.yaml');
    const before = readFileSync(path, 'utf8');
    const shown = /```yaml\n(ledger:\n[\s\S]*?)```/.exec(PAGE)![1]!;
    expect(shown).toContain(`app_login: ${LEDGER_APP.slug}[bot]`);
    expect(shown).toContain(`gate: { app_id: ${GATE_APP.id} }`);
    const after = before
      .replace(/^ {2}app_login: access-ledger\[bot\]$/m, `  app_login: ${LEDGER_APP.slug}[bot]`)
      .replace(/^ {2}# public_keys:\n {2}# {3}- \{ id: <16 hex>, key: <base64 SPKI>, from: <YYYY-MM-DD> \}\n/m, `  public_keys:\n${entry}\n`)
      .replace(/^# gate: \{ app_id: 1234567 \}$/m, `gate: { app_id: ${GATE_APP.id} }`);
    expect(after).not.toBe(before);
    writeFileSync(path, after);
    // The ledger block now reads as the page shows it (the key itself is this run's).
    const ledger = (parseYaml(after) as { ledger: Record<string, unknown>; gate: unknown }).ledger;
    const shownLedger = (parseYaml(shown) as { ledger: Record<string, unknown> }).ledger;
    expect(Object.keys(ledger)).toEqual(Object.keys(shownLedger));
    expect((parseYaml(after) as { gate: unknown }).gate).toEqual({ app_id: GATE_APP.id });
    await runStep('validate-config');
  }, 120_000);

  it('5. creates the private repository and pushes the scaffold to main', async () => {
    await runStep('push');
    const repo = gh.state.repo(REPO);
    expect(repo.private).toBe(true);
    expect(gh.state.readFile(REPO, 'main', '.github/workflows/access-ledger-sweep.yml')).toBeDefined();
    expect(gh.state.readFile(REPO, 'main', 'access-ledger.yaml')).toContain(`app_login: ${LEDGER_APP.slug}[bot]`);
  }, 120_000);

  it('6. installs both Apps on the repository, with the permissions of their manifests', () => {
    const ledger = manifest('app.yml');
    const gate = manifest('gate-app.yml');
    const li = gh.state.install(ORG, { app: gh.state.app, repositories: ['access'], permissions: ledger.default_permissions, events: ledger.default_events });
    const gi = gh.state.install(ORG, { app: gateApp, repositories: ['access'], permissions: gate.default_permissions, events: gate.default_events });
    registered.push(
      {
        name: LEDGER_APP.name,
        clientId: LEDGER_APP.clientId,
        privateKeyPem: readFileSync(join(workingFolder, LEDGER_APP.keyFile), 'utf8'),
        installationId: li.id,
      },
      { name: GATE_APP.name, clientId: GATE_APP.clientId, privateKeyPem: readFileSync(join(workingFolder, GATE_APP.keyFile), 'utf8'), installationId: gi.id },
    );
  });

  it("7. creates the two environments of the page's table, limited to main, and makes the workflow token read-only", () => {
    const rows = [...PAGE.matchAll(/^\| `([a-z-]+)` \| `([A-Z_]+)`: the (gate|ledger) App's Client ID \| (.+?) \| .+ \|$/gm)];
    expect(rows.map((r) => r[1])).toEqual(['access-ledger-gate', 'access-ledger-sweep']);
    for (const [, name, variable, which, secretsCell] of rows) {
      const settings: EnvironmentSettings = { vars: { [variable!]: which === 'gate' ? GATE_APP.clientId : LEDGER_APP.clientId }, secrets: {} };
      const secrets = [...secretsCell!.matchAll(/`([A-Z_]+)`: the contents of `([^`]+)`/g)];
      expect(secrets.length).toBeGreaterThan(0);
      for (const [, secret, file] of secrets) settings.secrets[secret!] = readFileSync(join(workingFolder, file!), 'utf8');
      environments[name!] = settings;
      // Deployment branches and tags → Selected branches and tags → main.
      gh.state.createEnvironment(REPO, name!, { branches: ['main'] });
    }
    // Workflow permissions: read, and no approving pull requests.
    gh.state.setWorkflowPermissions(REPO, { defaultWorkflowPermissions: 'read', canApprovePullRequestReviews: false });
  });

  it('8. runs the App from the packed tarball, which answers only signed webhooks', async () => {
    await runStep('serve');
    expect(app!.exited).toBe(false);
    // The App is the packed package's, run by npx from the working folder.
    expect(session.cwd).toBe(workingFolder);
    const unsigned = await fetch(`http://127.0.0.1:${port}/api/github/webhooks`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-github-event': 'ping', 'x-github-delivery': 'setup-1' },
      body: '{}',
    });
    expect(unsigned.status).toBe(400);
  }, 120_000);

  it('9. protects the ledger branch with the two rulesets, the ledger App the only bypass', () => {
    gh.state.addRuleset(REPO, {
      name: 'access-ledger: only the App writes',
      include: ['refs/heads/access-ledger'],
      rules: [{ type: 'creation' }, { type: 'update' }],
      bypass: [{ actorType: 'Integration', actorId: LEDGER_APP.id, bypassMode: 'always' }],
    });
    gh.state.addRuleset(REPO, {
      name: 'access-ledger: history is permanent',
      include: ['refs/heads/access-ledger'],
      rules: [{ type: 'deletion' }, { type: 'non_fast_forward' }],
    });
  });

  it('10. the first pull request: the gate sets its status from the gate App, is made required from it, passes once approved, and the App records the merge', async () => {
    const number = gh.state.openPullRequest(REPO, {
      author: 'alice',
      title: 'Systems in scope and who has access today',
      files: {
        'systems/okta.yaml': OKTA,
        'grants/humans/bob.yaml': BOB,
      },
    });
    const opened = gh.payloads.pullRequest('opened', REPO, number);
    const gate = () => runJob(runner(), { workflow: '.github/workflows/access-ledger.yml', event: 'pull_request_target', payload: opened });
    const head = gh.state.pullOf(REPO, number).pull.headSha;
    const fromGateApp = () => gh.state.statusesOf(gh.state.repo(REPO), head).filter((s) => s.context === 'access-ledger/gate' && s.app?.id === GATE_APP.id);

    // 1. The gate runs on pull_request_target and sets access-ledger/gate with the gate App's token.
    const first = await gate();
    expect(first.conclusion).toBe('failure');
    expect(fromGateApp()[0]).toMatchObject({ state: 'failure', description: expect.stringMatching(/needs .*approval/) });

    // 2. The ruleset on main, as the page lists it, requiring the status from the gate App.
    gh.state.addRuleset(REPO, {
      name: 'main',
      include: ['~DEFAULT_BRANCH'],
      rules: [
        {
          type: 'pull_request',
          parameters: {
            required_approving_review_count: 1,
            dismiss_stale_reviews_on_push: true,
            require_last_push_approval: true,
            require_code_owner_review: true,
          },
        },
        { type: 'required_status_checks', parameters: { required_status_checks: [{ context: 'access-ledger/gate', integration_id: GATE_APP.id }] } },
        { type: 'non_fast_forward' },
        { type: 'deletion' },
      ],
    });
    expect(PAGE).toContain(`{ "context": "access-ledger/gate", "integration_id": ${GATE_APP.id} }`);
    expect(requiredStatusPasses(head)).toBe(false);
    // A status anyone else sets does not count, whatever it says.
    gh.state.createStatus(REPO, { sha: head, state: 'success', context: 'access-ledger/gate', creator: 'alice' });
    expect(requiredStatusPasses(head)).toBe(false);

    // 3. An admin and the system's approvers approve; each review runs the gate again (a re-run replays the event).
    gh.state.submitReview(REPO, number, { user: 'carol', state: 'APPROVED' });
    gh.state.submitReview(REPO, number, { user: 'dave', state: 'APPROVED' });
    const again = await gate();
    expect(again.conclusion, JSON.stringify(again.steps.map((s) => s.stdout.slice(-800)))).toBe('success');
    expect(requiredStatusPasses(head)).toBe(true);

    // 4. Merged; GitHub tells the App with a signed webhook, and the App records it on the ledger branch.
    gh.state.mergePull(REPO, number, { by: 'carol' });
    const secret = readFileSync(join(workingFolder, 'webhook-secret.txt'), 'utf8').trim();
    const delivery = await gh.deliver('pull_request', gh.payloads.pullRequest('closed', REPO, number), {
      url: `http://127.0.0.1:${port}/api/github/webhooks`,
      secret,
    });
    expect(delivery.status, `${delivery.response}\n${app!.log.slice(-3000)}`).toBe(200);
    const ledger = gh.state.ledger(REPO)!;
    const path = Object.keys(ledger).find((p) => p.endsWith(`/pr-${number}-merged.json`))!;
    const record = JSON.parse(ledger[path]!) as { kind: string; signature: { key_id: string } };
    expect(record).toMatchObject({ kind: 'grant-change', subject: { verdict: { result: 'pass', findings: [] } } });
    expect(keygenOutput).toContain(`id: ${record.signature.key_id}`);
    // A delivery signed with another secret changes nothing.
    const forged = await gh.deliver('pull_request', gh.payloads.pullRequest('closed', REPO, number), {
      url: `http://127.0.0.1:${port}/api/github/webhooks`,
      secret: 'not-the-secret',
    });
    expect(forged.status).toBe(400);
  }, 180_000);

  it('11. runs the sweep and the full-repo validate from their workflow files; the SARIF is what code scanning accepts', async () => {
    const sweep = await runJob(runner(), {
      workflow: '.github/workflows/access-ledger-sweep.yml',
      event: 'workflow_dispatch',
      payload: { ref: 'refs/heads/main', inputs: {} },
    });
    const sweepRun = sweep.steps.find((s) => s.run)!;
    expect(sweep.conclusion, `${sweepRun.stdout}\n${sweepRun.stderr}`).toBe('success');
    expect(sweepRun.run).toMatch(/^npx --yes access-ledger@\d+\.\d+\.\d+ sweep --repo "\$GITHUB_REPOSITORY"$/);
    // The setup is safe, so the sweep's setup checks open no issue; the new systems are due for their first review.
    expect(sweepRun.stdout).toMatch(/^setup: all 8 doctor checks pass$/m);
    expect(sweepRun.stdout).toMatch(/^ {2}review {2}okta: opened #\d+$/m);
    expect(gh.state.listIssues(REPO, { labels: ['access-ledger-doctor'], state: 'all' })).toEqual([]);

    const main = gh.state.branchTip(gh.state.repo(REPO), 'main');
    const validate = await runJob(runner(), {
      workflow: '.github/workflows/access-ledger-validate.yml',
      event: 'push',
      payload: { ref: 'refs/heads/main', after: main },
    });
    const validateRun = validate.steps.find((s) => s.run)!;
    expect(validate.conclusion, `${validateRun.stdout}\n${validateRun.stderr}\n${validate.steps.map((s) => s.stderr).join('\n')}`).toBe('success');
    expect(validate.uploads).toEqual([{ file: 'access-ledger.sarif', category: 'access-ledger/validate/' }]);
    const sarif = JSON.parse(readFileSync(join(validate.workspace, 'access-ledger.sarif'), 'utf8')) as { runs: { results: unknown[] }[] };
    expect(sarif.runs[0]!.results).toEqual([]);
  }, 300_000);

  it('12. doctor exits 0: every check passes', async () => {
    await runStep('doctor');
  }, 120_000);

  it('13. verify checks the ledger from a fresh clone: signed by the App, committed by its bot', async () => {
    await runStep('verify');
    expect(session.cwd).toBe(join(workingFolder, 'acme-access-audit'));
    expect([...done]).toEqual(BLOCKS.map((b) => b.step));
  }, 120_000);
});

const OKTA = `id: okta
name: Okta
category: directory
environment: production
owner: carol
approvers: ["@acme/security"]
review_cadence_days: 90
evidence:
  provisioning: Okta system log, event user.lifecycle.create
  activity: Okta system log, shipped to the SIEM index okta
`;

const BOB = `identity:
  id: bob
  kind: human
  description: Site reliability engineer
  owner: carol
  github: bob
access:
  - system: prod-postgres
    role: readonly
    privileged: false
    justification: Investigates production incidents from database rows
    request: JIRA-204
    expires: ${new Date(Date.now() + 90 * 86_400_000).toISOString().slice(0, 10)}
  - system: okta
    role: user
    privileged: false
    justification: Signs in to the company's applications
    expires: ${new Date(Date.now() + 90 * 86_400_000).toISOString().slice(0, 10)}
`;
