/**
 * The doctor's checks as tables: a repository set up the way `init` and the docs set it up passes
 * every check; each row changes one fact and names the check it must fail, and how. The attacks
 * the threat model in docs/gate.md names are rows here.
 */
import { describe, expect, it } from 'vitest';
import { CONTROLS } from '../../src/core/controls.ts';
import {
  CHECKS,
  CHECK_IDS,
  desiredDoctorIssue,
  environmentsToRead,
  formatDoctorText,
  parseWorkflows,
  rulesetsToRead,
  runChecks,
  type CheckId,
  type CheckStatus,
  type DoctorFacts,
  type DoctorOptions,
} from '../../src/core/doctor/index.ts';
import { ADMIN_READ, FILES, GATE_APP_ID, GATE_OPTIONS, LEDGER_RULES, MAIN_RULES, initWorkflows, safeFacts, wf } from './fixtures.ts';

/** Runs the checks as the doctor does on a repository whose config names the gate App (gate.app_id), plus `options`. */
function check(facts: DoctorFacts, id: CheckId, options: DoctorOptions = {}) {
  return runChecks(facts, { ...GATE_OPTIONS, ...options }).checks.find((c) => c.id === id)!;
}

type Row = [string, (f: DoctorFacts) => void, CheckId, CheckStatus, RegExp?, DoctorOptions?];

function table(rows: Row[]) {
  it.each(rows)('%s', (_name, change, id, status, message, options) => {
    const facts = safeFacts();
    change(facts);
    const c = check(facts, id, options);
    expect(c.status, JSON.stringify(c.problems, null, 2)).toBe(status);
    if (message) expect(c.problems.map((p) => p.message).join('\n')).toMatch(message);
    for (const p of c.problems) expect(p.fix.length).toBeGreaterThan(10);
  });
}

const addWorkflow = (path: string, yaml: string) => (f: DoctorFacts) => {
  (f.workflows as ReturnType<typeof initWorkflows>).push(wf(path, yaml));
};
const replaceWorkflows =
  (...files: ReturnType<typeof wf>[]) =>
  (f: DoctorFacts) => {
    f.workflows = files;
  };

/** The workflow `init` wrote before: pull_request, the ledger App's key as a repository secret. */
const OLD_GATE = `name: access-ledger
on:
  pull_request:
    types: [opened, synchronize]
  pull_request_review:
    types: [submitted, dismissed]
permissions:
  contents: read
  pull-requests: read
jobs:
  gate:
    runs-on: ubuntu-latest
    steps:
      - id: app-token
        uses: actions/create-github-app-token@v2
        with:
          app-id: \${{ vars.ACCESS_LEDGER_APP_ID }}
          private-key: \${{ secrets.ACCESS_LEDGER_APP_PRIVATE_KEY }}
      - uses: access-ledger/access-ledger@v0
        with:
          token: \${{ steps.app-token.outputs.token }}
`;

const SWEEP = (env: string) => `on:
  schedule: [{ cron: '17 6 * * *' }]
jobs:
  sweep:
    runs-on: ubuntu-latest
${env}    steps:
      - uses: actions/create-github-app-token@x
        with: { client-id: '\${{ vars.ACCESS_LEDGER_APP_CLIENT_ID }}', private-key: '\${{ secrets.ACCESS_LEDGER_APP_PRIVATE_KEY }}' }
`;

const TARGET = (steps: string, env = '') => `on: pull_request_target
jobs:
  build:
    runs-on: ubuntu-latest
${env}    steps:
${steps}`;

describe('a repository set up the way init and the docs set it up', () => {
  it('passes every check', () => {
    const report = runChecks(safeFacts(), GATE_OPTIONS);
    expect(report.checks.map((c) => [c.id, c.status])).toEqual(CHECK_IDS.map((id) => [id, 'pass']));
    expect(report.ok).toBe(true);
    expect(report.checks.find((c) => c.id === 'gate-required')!.detail).toBe(
      `\`access-ledger/gate\` is required by ruleset "main", from the gate App ${GATE_APP_ID}`,
    );
    expect(report.checks.find((c) => c.id === 'ledger-branch')!.detail).toBe('ruleset "access-ledger: only the App writes" lets only the App 4242 update it');
  });

  it('every check cites controls from the catalogue', () => {
    for (const id of CHECK_IDS)
      for (const c of CHECKS[id].controls)
        expect(
          CONTROLS.some((x) => x.id === c),
          `${id}: ${c}`,
        ).toBe(true);
  });

  it("the adapter is told to read the gate's and the sweep's environments and the ledger rulesets", () => {
    expect(environmentsToRead(parseWorkflows(initWorkflows()))).toEqual(['access-ledger-gate', 'access-ledger-sweep']);
    expect(rulesetsToRead(safeFacts())).toEqual([2, 3]);
  });
});

describe('workflow-secrets: no key that can write is within reach of a branch or a pull request', () => {
  table([
    [
      "the old scaffold: the ledger App's key on pull_request",
      replaceWorkflows(wf('access-ledger.yml', OLD_GATE)),
      'workflow-secrets',
      'fail',
      /holds secrets\.ACCESS_LEDGER_APP_PRIVATE_KEY, the ledger App's key, in a workflow that pull requests start \(pull_request, pull_request_review\)/,
    ],
    [
      "the ledger App's key on pull_request_target, even in a limited environment",
      addWorkflow(
        'x.yml',
        TARGET(
          "      - uses: actions/create-github-app-token@x\n        with: { private-key: '${{ secrets.ACCESS_LEDGER_APP_PRIVATE_KEY }}' }\n",
          '    environment: access-ledger-gate\n',
        ),
      ),
      'workflow-secrets',
      'fail',
      /the ledger App's key, in a workflow that pull requests start \(pull_request_target\)/,
    ],
    [
      'any private key on pull_request: a branch runs its own copy of the workflow',
      addWorkflow(
        'ci.yml',
        'on: pull_request\njobs:\n  t:\n    runs-on: ubuntu-latest\n    environment: access-ledger-gate\n    steps:\n      - run: sign "${{ secrets.RELEASE_SIGNING_KEY }}"\n',
      ),
      'workflow-secrets',
      'fail',
      /reads secrets\.RELEASE_SIGNING_KEY in a workflow pull_request starts: a pull request from a branch of this repository runs its own copy/,
    ],
    [
      'a secret fed to a private-key input, whatever its name, on pull_request_review',
      addWorkflow(
        'r.yml',
        "on: pull_request_review\njobs:\n  t:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/create-github-app-token@x\n        with: { private-key: '${{ secrets.GATE_CREDENTIAL }}' }\n",
      ),
      'workflow-secrets',
      'fail',
      /secrets\.GATE_CREDENTIAL/,
    ],
    [
      'every secret at once on pull_request (toJSON(secrets))',
      addWorkflow('dump.yml', 'on: pull_request\njobs:\n  t:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo "${{ toJSON(secrets) }}"\n'),
      'workflow-secrets',
      'fail',
      /reads every secret of the repository/,
    ],
    [
      'secrets: inherit into a local reusable workflow that reads a key, from pull_request',
      (f) => {
        addWorkflow('call.yml', 'on: pull_request\njobs:\n  c:\n    uses: ./.github/workflows/deploy.yml\n    secrets: inherit\n')(f);
        addWorkflow(
          'deploy.yml',
          'on: workflow_call\njobs:\n  d:\n    runs-on: ubuntu-latest\n    steps:\n      - run: deploy "${{ secrets.DEPLOY_KEY }}"\n',
        )(f);
      },
      'workflow-secrets',
      'fail',
      /the job `c` reads secrets\.DEPLOY_KEY in a workflow pull_request starts/,
    ],
    [
      'a secret that is no key on pull_request',
      addWorkflow(
        'notify.yml',
        'on: pull_request\njobs:\n  t:\n    runs-on: ubuntu-latest\n    steps:\n      - run: curl "${{ secrets.SLACK_WEBHOOK_URL }}"\n',
      ),
      'workflow-secrets',
      'pass',
    ],
    [
      "the ledger App's key as a repository secret in a scheduled sweep: any branch's workflow can read it",
      addWorkflow('sweep.yml', SWEEP('')),
      'workflow-secrets',
      'fail',
      /without an environment, so it is a repository \(or organization\) secret: any workflow pushed to any branch can read it/,
    ],
    [
      "the ledger App's key in a scheduled sweep, in an environment limited to main",
      (f) => {
        addWorkflow('sweep.yml', SWEEP('    environment: access-ledger-sweep\n'))(f);
        f.environments['access-ledger-sweep'] = {
          exists: true,
          policy: { protectedBranches: false, customBranchPolicies: true },
          branchPolicies: [{ name: 'main', type: 'branch' }],
        };
      },
      'workflow-secrets',
      'pass',
    ],
    [
      'the gate environment does not exist yet',
      (f) => {
        f.environments['access-ledger-gate'] = { exists: false, policy: null, branchPolicies: [] };
      },
      'workflow-secrets',
      'fail',
      /environment `access-ledger-gate`, which does not exist: GitHub creates it on the first run, with no branch limit/,
    ],
    [
      'the gate environment lets every branch in',
      (f) => {
        f.environments['access-ledger-gate'] = { exists: true, policy: null, branchPolicies: [] };
      },
      'workflow-secrets',
      'fail',
      /lets every branch and tag use its secrets/,
    ],
    [
      'the gate environment lets every protected branch in',
      (f) => {
        f.environments['access-ledger-gate'] = { exists: true, policy: { protectedBranches: true, customBranchPolicies: false }, branchPolicies: [] };
      },
      'workflow-secrets',
      'fail',
      /every protected branch/,
    ],
    [
      'the gate environment also lets release/* in',
      (f) => {
        f.environments['access-ledger-gate'] = {
          exists: true,
          policy: { protectedBranches: false, customBranchPolicies: true },
          branchPolicies: [
            { name: 'main', type: 'branch' },
            { name: 'release/*', type: 'branch' },
          ],
        };
      },
      'workflow-secrets',
      'fail',
      /also lets branch `release\/\*` use its secrets/,
    ],
    [
      'the gate environment also lets a tag in',
      (f) => {
        f.environments['access-ledger-gate'] = {
          exists: true,
          policy: { protectedBranches: false, customBranchPolicies: true },
          branchPolicies: [
            { name: 'main', type: 'branch' },
            { name: 'main', type: 'tag' },
          ],
        };
      },
      'workflow-secrets',
      'fail',
      /also lets tag `main`/,
    ],
    [
      'the gate environment cannot be read',
      (f) => {
        f.environments['access-ledger-gate'] = { unreadable: true, permission: 'Actions: read', message: 'GitHub answered 403' };
      },
      'workflow-secrets',
      'unreadable',
      /cannot read the environment `access-ledger-gate`/,
    ],
    [
      "the gate's token asks for write",
      (f) => {
        f.workflows = initWorkflows().map((w) => ({ ...w, text: w.text.replace('permission-contents: read', 'permission-contents: write') }));
      },
      'workflow-secrets',
      'fail',
      /the gate's token in `gate` asks for permission-contents: write: the gate only reads/,
    ],
    [
      "the gate job's GITHUB_TOKEN can write",
      (f) => {
        f.workflows = initWorkflows().map((w) => ({ ...w, text: w.text.replace('      pull-requests: read\n', '      pull-requests: write\n') }));
      },
      'workflow-secrets',
      'fail',
      /gives its GITHUB_TOKEN pull-requests: write/,
    ],
    [
      'a gate job on pull_request_target that leaves the token at the repository default',
      (f) => {
        f.workflows = initWorkflows().map((w) => ({
          ...w,
          text: w.text.replace('permissions: {}\n', '').replace('    permissions:\n      contents: read\n      pull-requests: read\n', ''),
        }));
      },
      'workflow-secrets',
      'fail',
      /no permissions: key, so the repository default/,
    ],
    [
      "the gate App's token names no permission-* input: it has the App's own (gate-app.yml), statuses: write among them",
      (f) => {
        f.workflows = initWorkflows().map((w) => ({ ...w, text: w.text.replace(/ {10}permission-[a-z-]+: \w+\n/g, '') }));
      },
      'workflow-secrets',
      'pass',
    ],
    [
      "the gate App's token asks to write contents",
      (f) => {
        f.workflows = initWorkflows().map((w) => ({ ...w, text: w.text.replace('permission-contents: read', 'permission-contents: write') }));
      },
      'workflow-secrets',
      'fail',
      /asks for permission-contents: write: the gate only reads, and writes nothing but its commit status/,
    ],
    [
      "the gate job's own GITHUB_TOKEN may write commit statuses: the gate sets them with the gate App's token",
      (f) => {
        f.workflows = initWorkflows().map((w) => ({
          ...w,
          text: w.text.replace('      pull-requests: read\n    steps:', '      pull-requests: read\n      statuses: write\n    steps:'),
        }));
      },
      'workflow-secrets',
      'fail',
      /gives its GITHUB_TOKEN statuses: write: the gate only reads, and sets its commit status with the gate App's token/,
    ],
    [
      'the gate job gives its token write-all',
      (f) => {
        f.workflows = initWorkflows().map((w) => ({
          ...w,
          text: w.text.replace('    permissions:\n      contents: read\n      pull-requests: read\n', '    permissions: write-all\n'),
        }));
      },
      'workflow-secrets',
      'fail',
      /gives its GITHUB_TOKEN write-all: the gate only reads/,
    ],
    [
      'a workflow file the doctor cannot read',
      addWorkflow('broken.yml', 'on: [push\n'),
      'workflow-secrets',
      'fail',
      /broken\.yml is not a workflow the doctor can read/,
    ],
    [
      'the workflow files cannot be listed',
      (f) => {
        f.workflows = { unreadable: true, permission: 'Contents: read', message: 'GitHub answered 403' };
      },
      'workflow-secrets',
      'unreadable',
      /cannot read the workflow files/,
    ],
    [
      'a named ledger key secret (--ledger-key-secret)',
      addWorkflow(
        'x.yml',
        'on: pull_request_target\njobs:\n  t:\n    runs-on: ubuntu-latest\n    environment: access-ledger-gate\n    steps:\n      - run: use "${{ secrets.LEDGER_PEM_B64 }}"\n',
      ),
      'workflow-secrets',
      'fail',
      /LEDGER_PEM_B64, the ledger App's key/,
      { ledgerKeySecrets: ['LEDGER_PEM_B64'] },
    ],
  ]);

  it('points at the file and line of the secret', () => {
    const facts = safeFacts();
    facts.workflows = [wf('access-ledger.yml', OLD_GATE)];
    const p = check(facts, 'workflow-secrets').problems[0]!;
    expect([p.file, p.line]).toEqual(['.github/workflows/access-ledger.yml', 18]);
  });
});

describe("workflow-head-checkout: privileged workflows never check out the pull request's code", () => {
  table([
    [
      'actions/checkout of the head SHA under pull_request_target',
      addWorkflow(
        'pwn.yml',
        TARGET('      - uses: actions/checkout@v4\n        with:\n          ref: ${{ github.event.pull_request.head.sha }}\n      - run: npm test\n'),
      ),
      'workflow-head-checkout',
      'fail',
      /checks out the pull request's code \(actions\/checkout with ref: \$\{\{ github\.event\.pull_request\.head\.sha \}\}\)/,
    ],
    [
      "actions/checkout of the fork's repository under pull_request_target",
      addWorkflow(
        'pwn.yml',
        TARGET('      - uses: actions/checkout@v4\n        with:\n          repository: ${{ github.event.pull_request.head.repo.full_name }}\n'),
      ),
      'workflow-head-checkout',
      'fail',
      /repository: /,
    ],
    [
      'git fetch of refs/pull under pull_request_target',
      addWorkflow('pwn.yml', TARGET('      - run: |\n          git fetch origin pull/${{ github.event.number }}/head\n          git checkout FETCH_HEAD\n')),
      'workflow-head-checkout',
      'fail',
      /git fetch origin pull/,
    ],
    [
      'git checkout of the head through an environment variable',
      addWorkflow('pwn.yml', TARGET('      - env:\n          HEAD_SHA: ${{ github.event.pull_request.head.sha }}\n        run: git checkout "$HEAD_SHA"\n')),
      'workflow-head-checkout',
      'fail',
      /git checkout "\$HEAD_SHA"/,
    ],
    [
      'gh pr checkout under pull_request_target',
      addWorkflow('pwn.yml', TARGET('      - run: gh pr checkout ${{ github.event.pull_request.number }}\n')),
      'workflow-head-checkout',
      'fail',
      /gh pr checkout/,
    ],
    [
      'actions/checkout of the head under workflow_run',
      addWorkflow(
        'pwn.yml',
        'on:\n  workflow_run:\n    workflows: [ci]\n    types: [completed]\njobs:\n  j:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n        with: { ref: "${{ github.event.workflow_run.head_sha }}" }\n',
      ),
      'workflow-head-checkout',
      'fail',
      /workflow_run workflow checks out/,
    ],
    [
      'actions/checkout of the head under pull_request: no secrets, no write token',
      addWorkflow(
        'ci.yml',
        'on: pull_request\njobs:\n  t:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n        with: { ref: "${{ github.event.pull_request.head.sha }}" }\n',
      ),
      'workflow-head-checkout',
      'pass',
    ],
    [
      'actions/checkout of the base under pull_request_target',
      addWorkflow('label.yml', TARGET('      - uses: actions/checkout@v4\n      - run: git log -1\n')),
      'workflow-head-checkout',
      'pass',
    ],
  ]);
});

describe("gate-required: the gate's status (or check) is required on the default branch", () => {
  const noRules = (f: DoctorFacts) => {
    f.defaultBranchProtection.rules = MAIN_RULES.filter((r) => r.type !== 'required_status_checks');
  };
  /** The ruleset requires these checks from the gate App. */
  const requires =
    (...contexts: string[]) =>
    (f: DoctorFacts) => {
      f.defaultBranchProtection.rules = [
        ...MAIN_RULES.filter((r) => r.type !== 'required_status_checks'),
        {
          type: 'required_status_checks',
          rulesetId: 1,
          parameters: { required_status_checks: contexts.map((context) => ({ context, integration_id: GATE_APP_ID })) },
        },
      ];
    };
  const gateWith = (inputs: string) => (f: DoctorFacts) => {
    f.workflows = initWorkflows().map((w) => ({
      ...w,
      text: w.text.replace('          token: ${{ steps.token.outputs.token }}\n', `          token: \${{ steps.token.outputs.token }}\n${inputs}`),
    }));
  };
  /** A gate on pull_request, whose job's check GitHub attaches to the head commit. */
  const ON_PULL_REQUEST =
    'on: [pull_request, pull_request_review]\npermissions: { contents: read, pull-requests: read }\njobs:\n  gate:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: access-ledger/access-ledger@x\n';
  table([
    [
      'no workflow runs the gate',
      replaceWorkflows(wf('ci.yml', 'on: pull_request\njobs:\n  t:\n    runs-on: ubuntu-latest\n    steps:\n      - run: true\n')),
      'gate-required',
      'fail',
      /no workflow on main runs the gate/,
    ],
    [
      'the gate runs but its status is not required',
      noRules,
      'gate-required',
      'fail',
      /the gate's status `access-ledger\/gate` is not required on main: a pull request can merge while the gate fails/,
    ],
    ['another check is required, not the gate', requires('build'), 'gate-required', 'fail', /`access-ledger\/gate` is not required/],
    // pull_request_target: the run and the job's check belong to main's tip, never to a pull request's head.
    [
      "the job's check `gate` is required instead of the status: no pull request can ever satisfy it",
      requires('gate'),
      'gate-required',
      'fail',
      /ruleset "main" requires `gate`, the check of the gate job, which runs on pull_request_target: GitHub attaches it to the tip of main, never to a pull request's head commit, so no pull request can satisfy it/,
    ],
    [
      "the job's check and the status both required: the check still blocks every pull request",
      requires('gate', 'access-ledger/gate'),
      'gate-required',
      'fail',
      /requires `gate`, the check of the gate job/,
    ],
    [
      'the gate on pull_request_target with commit-status: never: its verdict never reaches the head',
      gateWith('          commit-status: never\n'),
      'gate-required',
      'fail',
      /the gate runs on pull_request_target with `commit-status: never`: GitHub attaches that run and the check `gate` to the tip of main/,
    ],
    ['commit-status: always on pull_request_target: the status, as with auto', gateWith('          commit-status: always\n'), 'gate-required', 'pass'],
    [
      'a commit-status the gate refuses',
      gateWith('          commit-status: "yes"\n'),
      'gate-required',
      'fail',
      /sets `commit-status: yes`, which the gate refuses/,
    ],
    [
      'a pull_request_review_comment trigger beside pull_request_target changes nothing: the gate does not judge it',
      (f) => {
        f.workflows = initWorkflows().map((w) => ({
          ...w,
          text: w.text.replace('on:\n  pull_request_target:\n', 'on:\n  pull_request_review_comment:\n  pull_request_target:\n'),
        }));
      },
      'gate-required',
      'pass',
    ],
    [
      'a status-context of its own: that context must be required',
      (f) => {
        gateWith('          status-context: policy/access\n')(f);
        noRules(f);
      },
      'gate-required',
      'fail',
      /the gate's status `policy\/access` is not required/,
    ],
    [
      'a status-context of its own, while the ruleset still requires access-ledger/gate',
      gateWith('          status-context: policy/access\n'),
      'gate-required',
      'fail',
      /requires the status `access-ledger\/gate`, but no gate workflow on main sets it \(the gate reports `policy\/access`\)/,
    ],
    [
      'a status-context of its own, required',
      (f) => {
        gateWith('          status-context: policy/access\n')(f);
        requires('policy/access')(f);
      },
      'gate-required',
      'pass',
    ],
    [
      'classic branch protection requires the status',
      (f) => {
        noRules(f);
        f.defaultBranchProtection.classic = {
          requiredChecks: [{ context: 'access-ledger/gate', appId: GATE_APP_ID }],
          requireCodeOwnerReviews: true,
          restrictions: null,
          enforceAdmins: true,
          allowForcePushes: false,
          allowDeletions: false,
        };
      },
      'gate-required',
      'pass',
    ],
    [
      "classic branch protection requires the job's check",
      (f) => {
        noRules(f);
        f.defaultBranchProtection.classic = {
          requiredChecks: ['gate'],
          requireCodeOwnerReviews: true,
          restrictions: null,
          enforceAdmins: true,
          allowForcePushes: false,
          allowDeletions: false,
        };
      },
      'gate-required',
      'fail',
      /branch protection requires `gate`, the check of the gate job, which runs on pull_request_target/,
    ],
    [
      'rules say no, and classic protection cannot be read: unknown, not a pass',
      (f) => {
        noRules(f);
        f.defaultBranchProtection.classic = ADMIN_READ;
      },
      'gate-required',
      'unreadable',
      /cannot read the branch protection of main/,
    ],
    [
      'a ruleset requires it although classic protection cannot be read',
      (f) => {
        f.defaultBranchProtection.classic = ADMIN_READ;
      },
      'gate-required',
      'pass',
    ],
    [
      'a named gate job on pull_request_target: its name does not matter, the status does',
      (f) => {
        f.workflows = initWorkflows().map((w) => ({
          ...w,
          text: w.text.replace('  gate:\n    runs-on', '  gate:\n    name: access-ledger gate\n    runs-on'),
        }));
      },
      'gate-required',
      'pass',
    ],
    [
      'a named gate job on pull_request_target, its name required',
      (f) => {
        f.workflows = initWorkflows().map((w) => ({
          ...w,
          text: w.text.replace('  gate:\n    runs-on', '  gate:\n    name: access-ledger gate\n    runs-on'),
        }));
        requires('access-ledger gate')(f);
      },
      'gate-required',
      'fail',
      /requires `access-ledger gate`, the check of the gate job/,
    ],
    [
      "a gate on pull_request: its job's check lands on the head and may be required",
      (f) => {
        replaceWorkflows(wf('access-ledger.yml', ON_PULL_REQUEST))(f);
        requires('gate')(f);
      },
      'gate-required',
      'pass',
    ],
    [
      "the status required, but the gate runs on pull_request and reports its job's check: nothing sets the status",
      (f) => {
        replaceWorkflows(wf('access-ledger.yml', ON_PULL_REQUEST))(f);
      },
      'gate-required',
      'fail',
      /ruleset "main" requires the status `access-ledger\/gate`, but no gate workflow on main sets it \(the gate reports `gate`\): no pull request can satisfy it/,
    ],
    [
      "a gate on pull_request with commit-status: always sets the status too, but with the job's token: never the gate App's status the rule requires",
      (f) => {
        replaceWorkflows(wf('access-ledger.yml', ON_PULL_REQUEST + '        with: { commit-status: always }\n'))(f);
      },
      'gate-required',
      'fail',
      /sets the status `access-ledger\/gate` with the job's own GITHUB_TOKEN .*: GitHub records that as coming from GitHub Actions, as it does a status any branch's workflow sets, so the rule requires it from the gate App, so the gate's own verdict never counts/,
    ],
    [
      'a gate on pull_request with nothing required names its check',
      (f) => {
        replaceWorkflows(wf('access-ledger.yml', ON_PULL_REQUEST))(f);
        noRules(f);
      },
      'gate-required',
      'fail',
      /the gate's check `gate` is not required on main/,
    ],
    [
      'the check name the App is told (ACCESS_LEDGER_GATE_CHECK) counts as well',
      requires('policy-gate'),
      'gate-required',
      'pass',
      undefined,
      { gateCheck: 'policy-gate' },
    ],
    [
      'the check name the App is told, with nothing required',
      noRules,
      'gate-required',
      'fail',
      /`access-ledger\/gate` or `policy-gate` is not required/,
      { gateCheck: 'policy-gate' },
    ],
  ]);

  it("names the status in the fix, and points at the gate job when the job's check is required", () => {
    // (Under "gate-required: the source of access-ledger/gate" below: the fixes for a source.)
    const facts = safeFacts();
    noRules(facts);
    expect(check(facts, 'gate-required').problems[0]!.fix).toMatch(/Require status checks to pass: add `access-ledger\/gate`/);
    requires('gate')(facts);
    const p = check(facts, 'gate-required').problems[0]!;
    expect([p.file, p.line]).toEqual(['.github/workflows/access-ledger.yml', 37]);
    expect(p.fix).toBe(
      'in ruleset "main", require the status `access-ledger/gate` instead of `gate`: the gate sets it on the head commit (https://github.com/access-ledger/access-ledger/blob/main/docs/gate.md#making-the-check-required)',
    );
  });
});

/**
 * The attack: anyone who can push a branch adds a workflow whose GITHUB_TOKEN (statuses: write),
 * or uses their own token, to set `access-ledger/gate: success` on their pull request's head
 * commit. Only a required status whose source is the gate App, set by the gate with the gate
 * App's token, cannot be forged that way.
 */
describe('gate-required: the source of access-ledger/gate', () => {
  /** The ruleset requires access-ledger/gate from this source (null: any). */
  const rulesetFrom = (integrationId: number | null) => (f: DoctorFacts) => {
    f.defaultBranchProtection.rules = [
      ...MAIN_RULES.filter((r) => r.type !== 'required_status_checks'),
      {
        type: 'required_status_checks',
        rulesetId: 1,
        parameters: { required_status_checks: [{ context: 'access-ledger/gate', ...(integrationId === null ? {} : { integration_id: integrationId }) }] },
      },
    ];
  };
  /** Classic branch protection requires it from this source, and no ruleset does. */
  const classicFrom = (appId: number | null) => (f: DoctorFacts) => {
    f.defaultBranchProtection.rules = MAIN_RULES.filter((r) => r.type !== 'required_status_checks');
    f.defaultBranchProtection.classic = {
      requiredChecks: [{ context: 'access-ledger/gate', appId }],
      requireCodeOwnerReviews: true,
      restrictions: null,
      enforceAdmins: true,
      allowForcePushes: false,
      allowDeletions: false,
    };
  };
  const gateStep = (replace: (text: string) => string) => (f: DoctorFacts) => {
    f.workflows = initWorkflows().map((w) => ({ ...w, text: replace(w.text) }));
  };
  const unknownGateApp = { gateAppId: undefined } as DoctorOptions;
  table([
    ['the ruleset requires it from the gate App: pass', rulesetFrom(GATE_APP_ID), 'gate-required', 'pass'],
    [
      'the ruleset requires it from any source: a branch sets it for itself',
      rulesetFrom(null),
      'gate-required',
      'fail',
      /^ruleset "main" requires `access-ledger\/gate` from any source: anyone who can push a branch can set `access-ledger\/gate: success` on their own pull request's head commit, from a workflow whose GITHUB_TOKEN has statuses: write or with their own token, and the rule counts it$/,
    ],
    [
      "the ruleset requires it from GitHub Actions: every branch's workflow token is GitHub Actions",
      rulesetFrom(15368),
      'gate-required',
      'fail',
      /requires `access-ledger\/gate` from GitHub Actions: every workflow's GITHUB_TOKEN is GitHub Actions, on any branch/,
    ],
    [
      'the ruleset requires it from another App',
      rulesetFrom(4242),
      'gate-required',
      'fail',
      /requires `access-ledger\/gate` from the App 4242, not the gate App \(1093412\): the gate's own status does not count there/,
    ],
    ['branch protection requires it from the gate App (checks[].app_id): pass', classicFrom(GATE_APP_ID), 'gate-required', 'pass'],
    [
      'branch protection requires it from any source (app_id null)',
      classicFrom(null),
      'gate-required',
      'fail',
      /^branch protection requires `access-ledger\/gate` from any source/,
    ],
    [
      'branch protection requires it with app_id -1, the API\'s "any source"',
      classicFrom(-1),
      'gate-required',
      'fail',
      /^branch protection requires `access-ledger\/gate` from any source/,
    ],
    [
      'branch protection requires it from another App',
      classicFrom(777),
      'gate-required',
      'fail',
      /^branch protection requires `access-ledger\/gate` from the App 777, not the gate App/,
    ],
    [
      'a bare name in branch protection (as older readers give it) accepts any source',
      (f) => {
        classicFrom(null)(f);
        (f.defaultBranchProtection.classic as { requiredChecks: unknown[] }).requiredChecks = ['access-ledger/gate'];
      },
      'gate-required',
      'fail',
      /from any source/,
    ],
    [
      "one rule pins it to the gate App and another accepts any source: both must pass, so the gate App's is needed",
      (f) => {
        rulesetFrom(GATE_APP_ID)(f);
        f.defaultBranchProtection.classic = {
          requiredChecks: ['access-ledger/gate'],
          requireCodeOwnerReviews: true,
          restrictions: null,
          enforceAdmins: true,
          allowForcePushes: false,
          allowDeletions: false,
        };
      },
      'gate-required',
      'pass',
    ],
    [
      "the gate App's id is unknown (no gate.app_id, no --gate-app-id), and the ruleset requires it from any source",
      rulesetFrom(null),
      'gate-required',
      'fail',
      /from any source/,
      unknownGateApp,
    ],
    [
      "the gate App's id is unknown, and the ruleset requires it from GitHub Actions",
      rulesetFrom(15368),
      'gate-required',
      'fail',
      /from GitHub Actions/,
      unknownGateApp,
    ],
    [
      "the gate App's id is unknown, and the ruleset requires it from some App: cannot tell, so it fails",
      rulesetFrom(GATE_APP_ID),
      'gate-required',
      'fail',
      /requires `access-ledger\/gate` from the App 1093412, and the doctor does not know the gate App's id to tell whether that is it/,
      unknownGateApp,
    ],
    [
      'a status-context of its own, required from any source',
      (f) => {
        gateStep((t) => t.replace('          status-token:', '          status-context: policy/access\n          status-token:'))(f);
        f.defaultBranchProtection.rules = [
          ...MAIN_RULES.filter((r) => r.type !== 'required_status_checks'),
          { type: 'required_status_checks', rulesetId: 1, parameters: { required_status_checks: [{ context: 'policy/access' }] } },
        ];
      },
      'gate-required',
      'fail',
      /requires `policy\/access` from any source/,
    ],
    // How the gate sets it.
    [
      "the gate sets it with the job's own token (status-token left out): GitHub Actions, a source any branch shares",
      gateStep((t) => t.replace('          status-token: ${{ steps.token.outputs.token }}\n', '')),
      'gate-required',
      'fail',
      /the gate step in `gate` sets the status `access-ledger\/gate` with the job's own GITHUB_TOKEN \(`status-token`'s default\): GitHub records that as coming from GitHub Actions/,
    ],
    [
      'the gate sets it with ${{ github.token }}',
      gateStep((t) => t.replace('status-token: ${{ steps.token.outputs.token }}', 'status-token: ${{ github.token }}')),
      'gate-required',
      'fail',
      /with the job's own GITHUB_TOKEN/,
    ],
    [
      'the gate sets it with secrets.GITHUB_TOKEN',
      gateStep((t) => t.replace('status-token: ${{ steps.token.outputs.token }}', 'status-token: ${{ secrets.GITHUB_TOKEN }}')),
      'gate-required',
      'fail',
      /with the job's own GITHUB_TOKEN/,
    ],
    [
      'the gate sets it with a personal token',
      gateStep((t) => t.replace('status-token: ${{ steps.token.outputs.token }}', 'status-token: ${{ secrets.STATUS_PAT }}')),
      'gate-required',
      'fail',
      /sets the status `access-ledger\/gate` with `\$\{\{ secrets\.STATUS_PAT \}\}`, which the doctor cannot trace to the gate App/,
    ],
    [
      'the gate sets it with the output of a step that is not an App token',
      gateStep((t) => t.replace('status-token: ${{ steps.token.outputs.token }}', 'status-token: ${{ steps.other.outputs.token }}')),
      'gate-required',
      'fail',
      /cannot trace to the gate App/,
    ],
    [
      "the old scaffold: the job's token sets it, from any source",
      (f) => {
        gateStep((t) =>
          t
            .replace('          status-token: ${{ steps.token.outputs.token }}\n', '')
            .replace('      pull-requests: read\n    steps:', '      pull-requests: read\n      statuses: write\n    steps:'),
        )(f);
        rulesetFrom(null)(f);
      },
      'gate-required',
      'fail',
      /with the job's own GITHUB_TOKEN[\s\S]*\nruleset "main" requires `access-ledger\/gate` from any source/,
    ],
    [
      "the gate App's token step leaves out permission-statuses: write: GitHub refuses the status",
      gateStep((t) => t.replace('          permission-statuses: write\n', '')),
      'gate-required',
      'fail',
      /the gate App's token step in `gate` asks for permission-contents: read, permission-pull-requests: read, permission-members: read but not permission-statuses: write, and the gate sets `access-ledger\/gate` with that token: GitHub refuses the status/,
    ],
    [
      "the gate App's token step asks for statuses: read",
      gateStep((t) => t.replace('permission-statuses: write', 'permission-statuses: read')),
      'gate-required',
      'fail',
      /but not permission-statuses: write/,
    ],
  ]);

  it("the fix names the UI steps and the API field, for a ruleset and for branch protection, with the gate App's id", () => {
    const ruleset = safeFacts();
    rulesetFrom(null)(ruleset);
    expect(check(ruleset, 'gate-required').problems.map((p) => p.fix)).toEqual([
      'Settings → Rules → Rulesets → "main" → Require status checks to pass → `access-ledger/gate`: choose the gate App as its source (API: `required_status_checks[].integration_id: 1093412`) (https://github.com/access-ledger/access-ledger/blob/main/docs/gate.md#making-the-check-required)',
    ]);
    const classic = safeFacts();
    classicFrom(null)(classic);
    expect(check(classic, 'gate-required').problems[0]!.fix).toBe(
      'Settings → Branches → the branch protection rule of main → Require status checks to pass → `access-ledger/gate`: choose the gate App as its source, not "Any source" (API: `required_status_checks.checks[].app_id: 1093412`) (https://github.com/access-ledger/access-ledger/blob/main/docs/gate.md#making-the-check-required)',
    );
    // Without the gate App's id, the fix says where to find it and where to write it down.
    expect(check(ruleset, 'gate-required', unknownGateApp).problems[0]!.fix).toMatch(
      /integration_id: <the gate App's App ID>`\); the gate App's settings page shows its App ID: set it as `gate: \{ app_id: \.\.\. \}` in the config/,
    );
    const other = safeFacts();
    rulesetFrom(555)(other);
    expect(check(other, 'gate-required', unknownGateApp).problems[0]!.fix).toMatch(
      /^if App 555 is the gate App \(its settings page shows its App ID\), set `gate: \{ app_id: 555 \}` in access-ledger\.yaml \(or pass --gate-app-id 555\)/,
    );
  });

  it('points at the gate step when the gate sets the status with the wrong token', () => {
    const facts = safeFacts();
    gateStep((t) => t.replace('          status-token: ${{ steps.token.outputs.token }}\n', ''))(facts);
    const p = check(facts, 'gate-required').problems[0]!;
    expect([p.file, p.line]).toEqual(['.github/workflows/access-ledger.yml', 56]);
    expect(p.fix).toMatch(/^pass the gate App's token as `status-token`/);
  });
});

describe("workflow-token: what every workflow's GITHUB_TOKEN may do by default (warnings)", () => {
  table([
    ['read by default, no approvals: pass', () => undefined, 'workflow-token', 'pass'],
    [
      'write by default: a warning, with the setting that fixes it',
      (f) => {
        f.workflowToken = { defaultPermissions: 'write', canApprovePullRequests: false };
      },
      'workflow-token',
      'warn',
      /every workflow in acme\/access that names no `permissions:` gets a GITHUB_TOKEN that can write \(Workflow permissions: Read and write\)/,
    ],
    [
      'workflows may approve pull requests: a warning',
      (f) => {
        f.workflowToken = { defaultPermissions: 'read', canApprovePullRequests: true };
      },
      'workflow-token',
      'warn',
      /may approve pull requests .*: a workflow any branch pushes can approve a pull request as github-actions\[bot\]/,
    ],
    [
      'cannot be read: fails closed, naming the permission',
      (f) => {
        f.workflowToken = ADMIN_READ;
      },
      'workflow-token',
      'unreadable',
      /cannot read the default permissions of the workflows' GITHUB_TOKEN/,
    ],
  ]);

  it('a warning leaves the report ok, shows in the text with its fix, and opens no issue by itself', () => {
    const facts = safeFacts();
    facts.workflowToken = { defaultPermissions: 'write', canApprovePullRequests: true };
    const report = runChecks(facts, GATE_OPTIONS);
    expect(report.ok).toBe(true);
    const c = report.checks.find((x) => x.id === 'workflow-token')!;
    expect(c.problems.map((p) => p.warning)).toEqual([true, true]);
    expect(c.problems[0]!.fix).toMatch(
      /^Settings → Actions → General → Workflow permissions: Read repository contents and packages permissions \(API: `PUT \/repos\/acme\/access\/actions\/permissions\/workflow` with `default_workflow_permissions: read`\)/,
    );
    const text = formatDoctorText(report, false);
    expect(text).toContain('! workflow-token  Workflows get a read-only GITHUB_TOKEN unless they ask for more, and cannot approve pull requests\n');
    expect(text).toMatch(/✔ 7 of 8 checks pass, 1 warns\n$/);
    expect(desiredDoctorIssue(report)).toBeNull();
    // Once a check fails, the issue lists the warning too, after the failures.
    facts.hasIssues = false;
    const body = desiredDoctorIssue(runChecks(facts, GATE_OPTIONS))!;
    expect(body.body.indexOf('### ✖ `issues-enabled`')).toBeLessThan(body.body.indexOf('### ! `workflow-token`'));
    expect(body.body).toContain('- (warning) every workflow in acme/access');
    expect(body.summary).toBe('1 check fails: `issues-enabled`');
  });
});

describe('ledger-branch: only the App writes the ledger, nobody rewrites it', () => {
  table([
    [
      'no protection at all',
      (f) => {
        f.ledgerBranchProtection = { rules: [], classic: null };
      },
      'ledger-branch',
      'fail',
      /the ledger branch `access-ledger` is not protected: anyone with write access \(alice, carol, dave\) can push records to it/,
    ],
    [
      'the write ruleset lets repository admins bypass it',
      (f) => {
        f.rulesets[2] = {
          id: 2,
          name: 'only the App',
          bypass: [
            { type: 'Integration', id: 4242 },
            { type: 'RepositoryRole', id: 5, mode: 'always' },
          ],
        };
      },
      'ledger-branch',
      'fail',
      /ruleset "only the App" restricts updates of `access-ledger` but lets the admin role bypass it: people can push records/,
    ],
    [
      'the write ruleset lets a user bypass it',
      (f) => {
        f.rulesets[2] = { id: 2, name: 'only the App', bypass: [{ type: 'User', id: 77 }] };
      },
      'ledger-branch',
      'fail',
      /a user \(id 77\)/,
    ],
    [
      'who may bypass the write ruleset is hidden from the token',
      (f) => {
        f.rulesets[2] = {
          id: 2,
          name: 'only the App',
          bypass: {
            unreadable: true,
            permission: "a repository admin's token",
            message: 'GitHub shows the bypass list only to callers who can edit the ruleset',
          },
        };
      },
      'ledger-branch',
      'unreadable',
      /cannot read who may bypass ruleset "only the App"/,
    ],
    [
      'updates restricted, creation not',
      (f) => {
        f.ledgerBranchProtection.rules = LEDGER_RULES.filter((r) => r.type !== 'creation');
      },
      'ledger-branch',
      'fail',
      /no ruleset restricts creating `access-ledger`/,
    ],
    [
      'creation restricted only by a ruleset a role may bypass',
      (f) => {
        f.ledgerBranchProtection.rules = [...LEDGER_RULES.filter((r) => r.type !== 'creation'), { type: 'creation', rulesetId: 4 }];
        f.rulesets[4] = { id: 4, name: 'no new branches', bypass: [{ type: 'RepositoryRole', id: 4 }] };
      },
      'ledger-branch',
      'fail',
      /creating `access-ledger` is restricted only by rulesets that people may bypass/,
    ],
    [
      'a second update ruleset with a bypassing role does not open what a clean one closes',
      (f) => {
        f.ledgerBranchProtection.rules = [...LEDGER_RULES, { type: 'update', rulesetId: 4 }];
        f.rulesets[4] = { id: 4, name: 'extra', bypass: [{ type: 'RepositoryRole', id: 5 }] };
      },
      'ledger-branch',
      'pass',
    ],
    [
      'deletion and force pushes blocked only in the ruleset the App bypasses',
      (f) => {
        f.ledgerBranchProtection.rules = LEDGER_RULES.map((r) => ({ ...r, rulesetId: 2 }));
      },
      'ledger-branch',
      'fail',
      /blocks deletion of `access-ledger` but lets the App 4242 bypass it: the history could be rewritten/,
    ],
    [
      'nothing blocks force pushes',
      (f) => {
        f.ledgerBranchProtection.rules = LEDGER_RULES.filter((r) => r.type !== 'non_fast_forward');
      },
      'ledger-branch',
      'fail',
      /nothing stops force pushes of `access-ledger`/,
    ],
    [
      'classic protection done right',
      (f) => {
        f.ledgerBranchProtection = {
          rules: [],
          classic: {
            requiredChecks: [],
            requireCodeOwnerReviews: false,
            restrictions: { users: [], teams: [], apps: ['access-ledger'] },
            enforceAdmins: true,
            allowForcePushes: false,
            allowDeletions: false,
          },
        };
      },
      'ledger-branch',
      'pass',
    ],
    [
      'classic protection without push restrictions',
      (f) => {
        f.ledgerBranchProtection = {
          rules: [],
          classic: {
            requiredChecks: [],
            requireCodeOwnerReviews: false,
            restrictions: null,
            enforceAdmins: true,
            allowForcePushes: false,
            allowDeletions: false,
          },
        };
      },
      'ledger-branch',
      'fail',
      /does not restrict who can push: anyone with write access \(alice, carol, dave\)/,
    ],
    [
      'classic protection that lets a person push',
      (f) => {
        f.ledgerBranchProtection = {
          rules: [],
          classic: {
            requiredChecks: [],
            requireCodeOwnerReviews: false,
            restrictions: { users: ['mallory'], teams: ['ops'], apps: ['access-ledger'] },
            enforceAdmins: true,
            allowForcePushes: false,
            allowDeletions: false,
          },
        };
      },
      'ledger-branch',
      'fail',
      /lets mallory, team ops push to it/,
    ],
    [
      'classic protection that spares administrators',
      (f) => {
        f.ledgerBranchProtection = {
          rules: [],
          classic: {
            requiredChecks: [],
            requireCodeOwnerReviews: false,
            restrictions: { users: [], teams: [], apps: ['access-ledger'] },
            enforceAdmins: false,
            allowForcePushes: false,
            allowDeletions: false,
          },
        };
      },
      'ledger-branch',
      'fail',
      /does not apply to administrators/,
    ],
    [
      'neither the rules nor classic protection can be read',
      (f) => {
        f.ledgerBranchProtection = { rules: ADMIN_READ, classic: ADMIN_READ };
      },
      'ledger-branch',
      'unreadable',
      /cannot read/,
    ],
    [
      'no protection, and the pushers cannot be listed',
      (f) => {
        f.ledgerBranchProtection = { rules: [], classic: null };
        f.pushers = { unreadable: true, permission: 'Metadata: read', message: '403' };
      },
      'ledger-branch',
      'fail',
      /anyone with write access to the repository can push records/,
    ],
  ]);
});

describe('codeowners: owners for the policy and the workflows, and their review required', () => {
  const owners = (text: string) => (f: DoctorFacts) => {
    f.codeowners = { path: '.github/CODEOWNERS', text, errors: [] };
  };
  table([
    [
      'no CODEOWNERS file',
      (f) => {
        f.codeowners = null;
      },
      'codeowners',
      'fail',
      /there is no CODEOWNERS file on main/,
    ],
    ['systems/ has no owner', owners('/access-ledger.yaml @acme/security\n/.github/ @acme/security\n'), 'codeowners', 'fail', /gives systems\/ no owner/],
    [
      'the workflows have no owner',
      owners('/access-ledger.yaml @acme/security\n/systems/ @acme/security\n'),
      'codeowners',
      'fail',
      /gives \.github\/workflows\/ no owner/,
    ],
    [
      'a later line unowns the workflows',
      owners(FILES['.github/CODEOWNERS'] + '/.github/workflows/\n'),
      'codeowners',
      'fail',
      /line 8 \(`\/\.github\/workflows\/`\) leaves \.github\/workflows\/ without an owner/,
    ],
    [
      'a root CODEOWNERS that does not own itself',
      (f) => {
        f.codeowners = { path: 'CODEOWNERS', text: '/access-ledger.yaml @acme/security\n/systems/ @acme/security\n/.github/ @acme/security\n', errors: [] };
      },
      'codeowners',
      'fail',
      /CODEOWNERS gives CODEOWNERS itself no owner/,
    ],
    [
      'GitHub cannot resolve an owner',
      (f) => {
        f.codeowners = {
          path: '.github/CODEOWNERS',
          text: FILES['.github/CODEOWNERS']!,
          errors: [{ line: 6, message: 'Unknown owner: make sure @acme/security exists and has write access' }],
        };
      },
      'codeowners',
      'fail',
      /GitHub ignores line 6 of \.github\/CODEOWNERS: Unknown owner/,
    ],
    [
      'code owner review is not required',
      (f) => {
        f.defaultBranchProtection.rules = MAIN_RULES.filter((r) => r.type !== 'pull_request');
      },
      'codeowners',
      'fail',
      /code owner review is not required on main/,
    ],
    [
      'code owner review required by classic protection',
      (f) => {
        f.defaultBranchProtection.rules = MAIN_RULES.filter((r) => r.type !== 'pull_request');
        f.defaultBranchProtection.classic = {
          requiredChecks: [],
          requireCodeOwnerReviews: true,
          restrictions: null,
          enforceAdmins: true,
          allowForcePushes: false,
          allowDeletions: false,
        };
      },
      'codeowners',
      'pass',
    ],
    [
      'the file cannot be read',
      (f) => {
        f.codeowners = { unreadable: true, permission: 'Contents: read', message: '403' };
      },
      'codeowners',
      'unreadable',
    ],
  ]);
});

describe('issues-enabled and app-installed', () => {
  const installation = {
    id: 7,
    slug: 'access-ledger',
    appId: 4242,
    suspended: false,
    repositorySelection: 'selected' as const,
    coversRepo: true,
    permissions: {
      contents: 'write',
      pull_requests: 'write',
      issues: 'write',
      members: 'read',
      checks: 'read',
      statuses: 'read',
      actions: 'read',
      administration: 'read',
      metadata: 'read',
    },
    events: ['pull_request', 'workflow_run', 'organization'],
  };
  table([
    [
      'Issues turned off',
      (f) => {
        f.hasIssues = false;
      },
      'issues-enabled',
      'fail',
      /Issues are turned off in acme\/access/,
    ],
    [
      'an installation token that does not cover the repository',
      (f) => {
        f.app = { via: 'installation-token', coversRepo: false };
      },
      'app-installed',
      'fail',
      /does not cover acme\/access/,
    ],
    [
      "a person's token sees the App installed with everything it asks for",
      (f) => {
        f.app = { via: 'user-token', slug: 'access-ledger', installation };
      },
      'app-installed',
      'pass',
    ],
    [
      'not installed',
      (f) => {
        f.app = { via: 'user-token', slug: 'access-ledger', installation: null };
      },
      'app-installed',
      'fail',
      /the access-ledger App is not installed where this token can see it/,
    ],
    [
      'suspended',
      (f) => {
        f.app = { via: 'user-token', slug: 'access-ledger', installation: { ...installation, suspended: true } };
      },
      'app-installed',
      'fail',
      /is suspended/,
    ],
    [
      'installed on other repositories',
      (f) => {
        f.app = { via: 'user-token', slug: 'access-ledger', installation: { ...installation, coversRepo: false } };
      },
      'app-installed',
      'fail',
      /selected repositories that do not include acme\/access/,
    ],
    [
      'new permissions not accepted',
      (f) => {
        f.app = {
          via: 'user-token',
          slug: 'access-ledger',
          installation: { ...installation, permissions: { ...installation.permissions, administration: undefined as unknown as string, issues: 'read' } },
        };
      },
      'app-installed',
      'fail',
      /lacks issues: write, administration: read/,
    ],
    [
      'not subscribed to pull_request',
      (f) => {
        f.app = { via: 'user-token', slug: 'access-ledger', installation: { ...installation, events: ['organization'] } };
      },
      'app-installed',
      'fail',
      /does not receive pull_request, workflow_run events/,
    ],
    [
      'the installations cannot be read',
      (f) => {
        f.app = { unreadable: true, permission: "an organization owner's token, or the App's installation token", message: '403' };
      },
      'app-installed',
      'unreadable',
    ],
  ]);
});

describe('the report', () => {
  it('is ok only when every check passes, and counts an unreadable check as not passing', () => {
    const facts = safeFacts();
    facts.app = { unreadable: true, permission: 'x', message: 'y' };
    const report = runChecks(facts, GATE_OPTIONS);
    expect(report.ok).toBe(false);
    expect(report.checks.filter((c) => c.status !== 'pass').map((c) => [c.id, c.status])).toEqual([['app-installed', 'unreadable']]);
  });

  it('the unsafe repository of the old scaffold fails five checks at once', () => {
    const facts = safeFacts();
    facts.workflows = [wf('access-ledger.yml', OLD_GATE)];
    facts.codeowners = null;
    facts.defaultBranchProtection = { rules: [], classic: null };
    facts.ledgerBranchProtection = { rules: [], classic: null };
    facts.hasIssues = false;
    facts.environments = {};
    const failing = runChecks(facts, GATE_OPTIONS)
      .checks.filter((c) => c.status === 'fail')
      .map((c) => c.id);
    expect(failing).toEqual(['workflow-secrets', 'gate-required', 'ledger-branch', 'codeowners', 'issues-enabled']);
  });
});
