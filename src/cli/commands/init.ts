/** `access-ledger init [dir]`: a new access repo that passes `validate` on the day it is made. */
import type { Command } from 'commander';
import { mkdir, writeFile, access } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { addDays, utcDay } from '../../core/dates.ts';
import { UsageError, type Io } from '../io.ts';
import { PINS, pin } from '../pins.ts';
import { DESCRIPTIONS } from './descriptions.ts';
import { VERSION } from '../../core/version.ts';

/**
 * Where the JSON Schemas of this release are published: the release's tag, so an editor checks a
 * file against the schema of the `access-ledger` that validates it.
 */
export const SCHEMA_BASE = `https://raw.githubusercontent.com/access-ledger/access-ledger/v${VERSION}/policies/schemas`;

/** The schema of each kind of file, and the files of an access repo it describes (`yaml.schemas` globs). */
export const SCHEMA_FILES: Readonly<Record<'config' | 'system' | 'grant', readonly string[]>> = {
  config: ['access-ledger.yaml', 'access-ledger.yml'],
  system: ['systems/*.yaml', 'systems/*.yml'],
  grant: ['grants/**/*.yaml', 'grants/**/*.yml'],
};

/** The environment whose secrets hold the gate App's key; its deployment branches must be only the default branch. */
export const GATE_ENVIRONMENT = 'access-ledger-gate';

/** The environment whose secrets hold the ledger App's key and the ledger signing key, for the scheduled sweep; only the default branch. */
export const SWEEP_ENVIRONMENT = 'access-ledger-sweep';

/** The workflow a merge queue starts (`merge_group`); its completion runs the gate on the group. */
export const QUEUE_WORKFLOW = 'access-ledger merge queue';

/** How the scheduled workflows run this release of the command. */
const NPX = `npx --yes access-ledger@${VERSION}`;

/** The secrets and variables the scaffolded workflows read, one name each (docs/setup.md). */
export const WORKFLOW_SECRETS = {
  gatePrivateKey: 'ACCESS_LEDGER_GATE_PRIVATE_KEY',
  gateClientId: 'ACCESS_LEDGER_GATE_CLIENT_ID',
  appPrivateKey: 'ACCESS_LEDGER_APP_PRIVATE_KEY',
  appClientId: 'ACCESS_LEDGER_APP_CLIENT_ID',
  signingKey: 'ACCESS_LEDGER_SIGNING_KEY',
} as const;

/** A GitHub organization's login: letters, digits and single hyphens, neither first nor last, at most 39. */
const ORG_LOGIN = /^[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}$/;

export function checkOrg(org: string | undefined): string {
  if (org === undefined || org.trim() === '') {
    throw new UsageError('init needs --org: the login of your GitHub organization, as in github.com/<org> (e.g. --org acme)');
  }
  if (!ORG_LOGIN.test(org)) {
    throw new UsageError(
      `--org must be your GitHub organization's login (letters, digits and single hyphens, at most 39, as in github.com/<org>), not ${JSON.stringify(org)}`,
    );
  }
  return org;
}

/** Points the YAML language server (VS Code's YAML extension) at the schema of each kind of file. */
function vscodeSettings(): string {
  const schemas = Object.fromEntries(Object.entries(SCHEMA_FILES).map(([kind, globs]) => [`${SCHEMA_BASE}/${kind}.schema.json`, globs]));
  return JSON.stringify({ 'yaml.schemas': schemas }, null, 2) + '\n';
}

export function scaffold(today: string, org: string): Record<string, string> {
  const in80 = addDays(today, 80);
  const in180 = addDays(today, 180);
  const in30 = addDays(today, 30);
  const header = (schema: string) => `# yaml-language-server: $schema=${SCHEMA_BASE}/${schema}.schema.json\n`;
  const files: Record<string, string> = {
    'access-ledger.yaml': `${header('config')}version: 1
organization: ${org}
extends: soc2-baseline
admins: ["@${org}/security"]
rules:
  approvals: { options: { default: 1, privileged: 2 } }
ledger:
  branch: access-ledger
  # The App's bot account (its slug followed by [bot]): the only author of ledger commits.
  app_login: access-ledger[bot]
  # The App's ledger signing keys: run \`access-ledger keygen --out ledger-signing-key.pem\`, give the
  # private key to the App (ACCESS_LEDGER_SIGNING_KEY) and paste the entry it prints here.
  # public_keys:
  #   - { id: <16 hex>, key: <base64 SPKI>, from: <YYYY-MM-DD> }
stale: { expiring_within_days: 14 }
# The gate App's App ID (its settings page shows it), so that \`access-ledger doctor\` can check
# that the status access-ledger/gate is required from the gate App alone (docs/gate.md):
# gate: { app_id: 1234567 }
`,
    'systems/prod-postgres.yaml': `${header('system')}id: prod-postgres
name: Production PostgreSQL
category: database
environment: production
owner: carol
approvers: ["@${org}/dba", dave]
review_cadence_days: 90
evidence:
  provisioning: Terraform apply logs, workflow provision.yml
  activity: pgaudit, shipped to the SIEM index pg-audit
`,
    'grants/humans/alice.yaml': `${header('grant')}identity:
  id: alice
  kind: human
  description: Backend engineer, payments team
  owner: carol
  github: alice
access:
  - system: prod-postgres
    role: readonly
    privileged: false
    justification: Investigates payment incidents from production data
    request: JIRA-101
    expires: ${in180}
`,
    'grants/services/billing-exporter.yaml': `${header('grant')}identity:
  id: billing-exporter
  kind: service-account
  description: Nightly invoice export job
  owner: alice
credential:
  type: oidc-federated
  storage: none (workload identity federation)
  revocation: remove the role binding in terraform/iam/billing.tf
access:
  - system: prod-postgres
    role: billing_read
    privileged: false
    justification: Reads invoices for the nightly export
    expires: ${in180}
`,
    'grants/keys/metrics-api-key.yaml': `${header('grant')}identity:
  id: metrics-api-key
  kind: api-key
  description: Key the metrics exporter uses to read query statistics
  owner: dave
credential:
  type: static-secret
  rotation_days: 90
  last_rotated: ${today}
  storage: vault:kv/metrics/api-key
  revocation: revoke the key in the vault and drop the pg role metrics_ro
access:
  - system: prod-postgres
    role: metrics_ro
    justification: Exports pg_stat_statements to the monitoring stack
    expires: ${in180}
`,
    'grants/ci/deploy-token.yaml': `${header('grant')}identity:
  id: deploy-token
  kind: ci-token
  description: GitHub Actions deploy workflow
  owner: carol
credential:
  type: oidc-federated
  revocation: delete the OIDC trust for repo ${org}/app in the cloud console
access:
  - system: prod-postgres
    role: migrator
    privileged: true
    justification: Runs schema migrations during deploys
    expires: ${in80}
    jit: { max_duration_hours: 1 }
`,
    'grants/integrations/crm-sync.yaml': `${header('grant')}identity:
  id: crm-sync
  kind: integration
  description: CRM vendor sync of customer contacts
  owner: alice
credential:
  type: oauth-token
  rotation_days: 180
  last_rotated: ${today}
  storage: vault:kv/crm/oauth
  revocation: revoke the OAuth app in the CRM admin console
vendor:
  name: Example CRM Inc.
  data_scope: customer contact records
  offboarding: revoke the OAuth app in the CRM admin console, then delete this file
access:
  - system: prod-postgres
    role: contacts_read
    justification: Syncs customer contacts to the CRM nightly
    expires: ${in180}
`,
    'grants/shared/db-breakglass.yaml': `${header('grant')}identity:
  id: db-breakglass
  kind: shared-account
  description: Break-glass superuser for database emergencies
  owner: carol
credential:
  type: password
  rotation_days: 30
  last_rotated: ${today}
  storage: vault:kv/breakglass/postgres
  revocation: rotate the password in the vault and disable the role
shared:
  holders: [carol, dave]
  compensating_controls: [checkout, mfa, session-logging]
exception:
  reason: The database needs a superuser for recovery that cannot be federated
  compensating_controls: [checkout, session-logging]
  expires: ${in80}
access:
  - system: prod-postgres
    role: superuser
    privileged: true
    justification: Emergency recovery when automation is down
    expires: ${in30}
    jit: { max_duration_hours: 2 }
`,
    'grants/agents/support-agent.yaml': `${header('grant')}identity:
  id: support-agent
  kind: agent
  description: AI support assistant that looks up order status
  owner: dave
credential:
  type: oidc-federated
  revocation: remove the agent's workload identity binding
access:
  - system: prod-postgres
    role: orders_read
    justification: Answers customer questions about order status
    expires: ${in80}
`,
    '.github/CODEOWNERS': `# Who must review a change to the policy, the systems' approver lists and the workflows that
# enforce them. With "Require review from Code Owners" on the default branch (docs/gate.md), a
# pull request that touches these paths cannot merge without an approval from the admins. Grants
# are not listed: the gate asks each system's approvers for those.
/access-ledger.yaml  @${org}/security
/systems/            @${org}/security
/.github/            @${org}/security
`,
    '.github/workflows/access-ledger.yml': `# The gate: fails any pull request whose grants lack an owner, an expiry, a justification or the
# approvals the policy requires. See docs/gate.md.
#
# pull_request_target runs this file as it is on the default branch, never a pull request's copy
# of it, and the job checks nothing out: the gate reads the pull request's files through the API,
# as data. Its token comes from the gate App (gate-app.yml: contents, pull requests and members
# read, commit statuses write), never from the ledger App. The gate App's key is a secret of the
# environment access-ledger-gate, whose deployment branches are only the default branch, so no
# other branch's workflow can read it: set the environment's variable ACCESS_LEDGER_GATE_CLIENT_ID
# and secret ACCESS_LEDGER_GATE_PRIVATE_KEY. A review re-runs this check: access-ledger-review.yml
# and access-ledger-rerun.yml. Actions are pinned by commit; the comment names the version.
#
# GitHub attaches a pull_request_target run, and this job's check, to the default branch's tip,
# not to the pull request's head commit where branch protection looks. So the gate sets the
# commit status access-ledger/gate on the head commit (pending, then success or failure), with the
# gate App's token: require that status, not the job, in a ruleset, with the gate App as its
# source. Any workflow's own GITHUB_TOKEN sets statuses as GitHub Actions, on any branch, so a
# status from that source (or from any source) is one a pull request can forge for itself.
#
# With a merge queue, the queue waits for access-ledger/gate on the commit of each merge group.
# access-ledger-queue.yml runs for the group (from the group's files, holding nothing); when it
# completes, workflow_run runs this file from the default branch, and the gate judges every pull
# request in the group, as the merge queue lists them, and sets the status on the group's commit.
name: access-ledger
run-name: \${{ github.event_name == 'workflow_run' && format('access-ledger gate for merge group {0}', github.event.workflow_run.head_branch) || format('access-ledger gate for pull request #{0}', github.event.pull_request.number) }}
on:
  pull_request_target:
    types: [opened, synchronize, reopened, edited, ready_for_review]
  workflow_run:
    workflows: [${QUEUE_WORKFLOW}]
    types: [completed]
permissions: {}
concurrency:
  group: access-ledger-gate-\${{ github.event.pull_request.number || github.event.workflow_run.head_sha }}
  cancel-in-progress: true
jobs:
  gate:
    runs-on: ubuntu-latest
    # Of the runs access-ledger-queue.yml completes, only a merge queue's: the gate refuses the rest too.
    if: github.event_name != 'workflow_run' || github.event.workflow_run.event == 'merge_group'
    timeout-minutes: 10
    environment: ${GATE_ENVIRONMENT}
    permissions:
      contents: read
      pull-requests: read
    steps:
      - id: token
        uses: ${pin(PINS.appToken)}
        with:
          client-id: \${{ vars.${WORKFLOW_SECRETS.gateClientId} }}
          private-key: \${{ secrets.${WORKFLOW_SECRETS.gatePrivateKey} }}
          permission-contents: read
          permission-pull-requests: read
          permission-members: read
          permission-statuses: write
      - uses: ${pin(PINS.gate)}
        with:
          token: \${{ steps.token.outputs.token }}
          status-token: \${{ steps.token.outputs.token }}
`,
    '.github/workflows/access-ledger-review.yml': `# Tells the gate that a review changed: someone approved, requested changes or had a review
# dismissed. GitHub runs this workflow from the pull request's own files, and it cannot reach the
# access-ledger-gate environment, so it holds nothing and does nothing but finish:
# access-ledger-rerun.yml, on the default branch, then runs the gate again. See docs/gate.md.
name: access-ledger review
run-name: access-ledger review of pull request #\${{ github.event.pull_request.number }}
on:
  pull_request_review:
    types: [submitted, dismissed]
permissions: {}
jobs:
  review:
    runs-on: ubuntu-latest
    timeout-minutes: 2
    steps:
      - run: echo "A review changed; access-ledger-rerun.yml runs the gate again."
`,
    '.github/workflows/access-ledger-rerun.yml': `# Runs the gate again after a review (when access-ledger-review.yml finishes), from the default
# branch. All it takes from the review's run is the pull request number at the end of its title,
# and only if it is digits; it re-runs that pull request's newest gate run, which reads the
# reviews again. Its token can do nothing but re-run workflows (actions: write). See docs/gate.md.
name: access-ledger rerun
on:
  workflow_run:
    workflows: [access-ledger review]
    types: [completed]
permissions: {}
concurrency:
  group: access-ledger-rerun-\${{ github.event.workflow_run.display_title }}
  cancel-in-progress: false
jobs:
  rerun:
    runs-on: ubuntu-latest
    timeout-minutes: 20
    permissions:
      actions: write
    steps:
      - env:
          GH_TOKEN: \${{ github.token }}
          GH_REPO: \${{ github.repository }}
          TITLE: \${{ github.event.workflow_run.display_title }}
        run: |
          number="\${TITLE##*#}"
          case "$number" in ''|*[!0-9]*) echo "the review run's title names no pull request"; exit 1 ;; esac
          run=$(gh run list --workflow access-ledger.yml --event pull_request_target --limit 100 --json databaseId,displayTitle \\
            --jq "map(select(.displayTitle == \\"access-ledger gate for pull request #$number\\"))[0].databaseId // empty")
          if [ -z "$run" ]; then echo "no gate run for pull request #$number yet"; exit 0; fi
          gh run watch "$run" --interval 10 > /dev/null || true
          gh run rerun "$run"
`,
    '.github/workflows/access-ledger-queue.yml': `# Tells the gate that a merge queue built a group. GitHub runs this workflow for the group's commit
# on merge_group, from the group's own files (the queued pull requests' copy of it), on a branch
# gh-readonly-queue/..., which the access-ledger-gate environment refuses: so it holds nothing and
# does nothing but finish. Its completion runs access-ledger.yml from the default branch, which
# judges every pull request in the group and sets access-ledger/gate on the group's commit, where
# the queue waits for it. Without a merge queue it never runs. See docs/gate.md.
name: ${QUEUE_WORKFLOW}
on:
  merge_group:
    types: [checks_requested]
permissions: {}
jobs:
  queue:
    runs-on: ubuntu-latest
    timeout-minutes: 2
    steps:
      - run: echo "A merge group was built; access-ledger.yml judges it from the default branch."
`,
    '.github/workflows/access-ledger-sweep.yml': `# The daily sweep (docs/stale-grants.md): an issue for each stale grant and leaver, access review
# pull requests when a system is due, the ledger's reconcile of merges whose webhook was missed,
# and the setup checks of access-ledger doctor, with one issue open while any fails.
#
# It acts as the ledger App, with the App's installation token (the permissions of app.yml), and
# signs the records it writes with the ledger signing key. Both keys are secrets of the
# environment access-ledger-sweep, whose deployment branches are only the default branch: no
# workflow on another branch, and no pull request, can read them. Set the environment's variable
# ACCESS_LEDGER_APP_CLIENT_ID and secrets ACCESS_LEDGER_APP_PRIVATE_KEY and ACCESS_LEDGER_SIGNING_KEY.
# The job's own GITHUB_TOKEN gets nothing. The App running as a server sweeps each day as well;
# the two are safe together (docs/stale-grants.md#running-the-sweep).
name: access-ledger sweep
on:
  schedule:
    - cron: '17 6 * * *'
  workflow_dispatch: {}
permissions: {}
concurrency:
  group: access-ledger-sweep
  cancel-in-progress: false
jobs:
  sweep:
    runs-on: ubuntu-latest
    timeout-minutes: 30
    environment: ${SWEEP_ENVIRONMENT}
    steps:
      - id: token
        uses: ${pin(PINS.appToken)}
        with:
          client-id: \${{ vars.${WORKFLOW_SECRETS.appClientId} }}
          private-key: \${{ secrets.${WORKFLOW_SECRETS.appPrivateKey} }}
      - uses: ${pin(PINS.setupNode)}
        with:
          node-version: 24
      - env:
          GITHUB_TOKEN: \${{ steps.token.outputs.token }}
          ${WORKFLOW_SECRETS.signingKey}: \${{ secrets.${WORKFLOW_SECRETS.signingKey} }}
        run: ${NPX} sweep --repo "$GITHUB_REPOSITORY"
`,
    '.github/workflows/access-ledger-validate.yml': `# The whole repo, validated as of today, its findings as code scanning alerts (docs/code-scanning.md):
# on every push to the default branch and each day, so an entry that expired since its merge becomes
# an alert too. The gate judges only what a pull request changes; this job reads every file.
#
# It runs on push and on a schedule, never on a pull request: no branch's or fork's code runs here
# with this job's token. Only this job may write code scanning results (security-events: write).
name: access-ledger validate
on:
  push:
    branches: [main]
  schedule:
    - cron: '41 5 * * *'
permissions: {}
concurrency:
  group: access-ledger-validate
  cancel-in-progress: true
jobs:
  validate:
    runs-on: ubuntu-latest
    timeout-minutes: 15
    permissions:
      contents: read
      security-events: write
    steps:
      - uses: ${pin(PINS.checkout)}
        with:
          persist-credentials: false
      - uses: ${pin(PINS.setupNode)}
        with:
          node-version: 24
      # Exit 1 on findings: the job fails, and the alerts are uploaded all the same.
      - run: ${NPX} validate . --format sarif --output access-ledger.sarif
      - if: \${{ !cancelled() && hashFiles('access-ledger.sarif') != '' }}
        uses: ${pin(PINS.uploadSarif)}
        with:
          sarif_file: access-ledger.sarif
          category: access-ledger/validate/
`,
    '.vscode/settings.json': vscodeSettings(),
  };
  return files;
}

export async function runInit(dir: string, org: string | undefined, force: boolean, io: Io): Promise<number> {
  const root = resolve(dir);
  const files = scaffold(utcDay(io.now()), checkOrg(org));
  if (!force) {
    for (const path of Object.keys(files)) {
      const exists = await access(join(root, path)).then(
        () => true,
        () => false,
      );
      if (exists) throw new UsageError(`${join(dir, path)} already exists: run init in an empty folder, or pass --force to overwrite`);
    }
  }
  for (const [path, content] of Object.entries(files)) {
    await mkdir(dirname(join(root, path)), { recursive: true });
    await writeFile(join(root, path), content);
  }
  io.stdout(
    `Created an access repo in ${dir} (${Object.keys(files).length} files).\n` +
      `Next: edit the logins and teams, then run: access-ledger validate ${dir}\n` +
      `Then follow docs/setup.md: the ledger App and the gate App, the environments ${GATE_ENVIRONMENT} and ${SWEEP_ENVIRONMENT}, the rulesets; and check with: access-ledger doctor --repo <org>/<repo>\n`,
  );
  return 0;
}

export function registerInit(program: Command, io: Io, setExit: (code: number) => void): void {
  program
    .command('init')
    .description(DESCRIPTIONS.init)
    .argument('[dir]', 'where to create it', '.')
    .option('--org <login>', "your GitHub organization's login (required)")
    .option('--force', 'overwrite existing files', false)
    .action(async (dir: string, opts: { org?: string; force: boolean }) => {
      setExit(await runInit(dir, opts.org, opts.force, io));
    });
}
