/** `access-ledger init [dir]`: a new access repo that passes `validate` on the day it is made. */
import type { Command } from 'commander';
import { mkdir, writeFile, access } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { addDays, utcDay } from '../../core/dates.ts';
import { UsageError, type Io } from '../io.ts';

const SCHEMA_BASE = 'https://raw.githubusercontent.com/access-ledger/access-ledger/main/policies/schemas';

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
    '.github/workflows/access-ledger.yml': `# The gate: fails any pull request whose grants lack an owner, an expiry, a justification
# or the approvals the policy requires. See docs/gate.md.
#
# Team approvers and the organization membership check need a token that can read members:
# the job mints one from the access-ledger App (set the repository variable
# ACCESS_LEDGER_APP_ID and the secret ACCESS_LEDGER_APP_PRIVATE_KEY). A repo whose approvers are
# all users and whose config names no organization can pass \${{ secrets.GITHUB_TOKEN }} instead.
name: access-ledger
on:
  pull_request:
    types: [opened, synchronize, reopened, edited, ready_for_review]
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
          permission-contents: read
          permission-pull-requests: read
          permission-members: read
      - uses: access-ledger/access-ledger@v0
        with:
          token: \${{ steps.app-token.outputs.token }}
`,
  };
  return files;
}

export async function runInit(dir: string, org: string, force: boolean, io: Io): Promise<number> {
  const root = resolve(dir);
  const files = scaffold(utcDay(io.now()), org);
  if (!force) {
    for (const path of Object.keys(files)) {
      const exists = await access(join(root, path)).then(() => true, () => false);
      if (exists) throw new UsageError(`${join(dir, path)} already exists: run init in an empty folder, or pass --force to overwrite`);
    }
  }
  for (const [path, content] of Object.entries(files)) {
    await mkdir(dirname(join(root, path)), { recursive: true });
    await writeFile(join(root, path), content);
  }
  io.stdout(`Created an access repo in ${dir} (${Object.keys(files).length} files).\nNext: edit the logins and teams, then run: access-ledger validate ${dir}\n`);
  return 0;
}

export function registerInit(program: Command, io: Io, setExit: (code: number) => void): void {
  program
    .command('init')
    .description('scaffold a new access repo: config, one system, one grant of each identity kind, and the gate workflow')
    .argument('[dir]', 'where to create it', '.')
    .option('--org <login>', 'your GitHub organization', 'acme')
    .option('--force', 'overwrite existing files', false)
    .action(async (dir: string, opts: { org: string; force: boolean }) => {
      setExit(await runInit(dir, opts.org, opts.force, io));
    });
}
