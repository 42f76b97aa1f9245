/**
 * Acme's world on the fake, for the end-to-end scenarios, the demo and the reliability run: the
 * organization with its teams, and a small access repo in the style of examples/access-repo (its
 * config and two of its systems verbatim, five grants). Every date in the grants is relative to
 * `today`, so the world is as fresh on any day the tests run as the example was on the day it was
 * written.
 *
 * Who is who (logins of the example):
 *   mchen    Head of Security, org admin, @acme/security (the config's admins)
 *   rpatel   VP Engineering, @acme/eng-managers (approves jira)
 *   jokafor  Platform lead, @acme/platform; a listed approver of prod-postgres
 *   sbrandt  Data lead, @acme/data (approves prod-postgres), owner of prod-postgres
 *   anovak   Backend engineer: a member, but no approver of prod-postgres
 *   eford    Data analyst: leaves the organization in the scenario
 *   wzhang   New data engineer who asks for read access to prod-postgres
 * and, in the story the demo tells (`story: true`), the approvers privileged access needs twice:
 *   lmoreau  Data engineer, @acme/data
 *   dkaur, bwright  Engineering managers, @acme/eng-managers
 *   okim     Security engineer, @acme/security
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { addDays, utcDay } from '../../../src/core/dates.ts';
import { scaffold } from '../../../src/cli/commands/init.ts';
import type { FakeGitHub } from '../fake-github/index.ts';
import { GATE_APP_MANIFEST_PERMISSIONS } from '../fake-github/state.ts';
import { ROOT, appSigningKey } from './processes.ts';
import { withLedgerTrust } from '../ledger-keys.ts';

export const ORG = 'acme';
export const REPO = 'acme/access';

export interface World {
  repo: string;
  org: string;
  installationId: number;
  /** The installation of the organization's gate App (gate-app.yml), whose token the gate uses. */
  gateInstallationId: number;
  /** The real day the world was built for (UTC). */
  today: string;
  /** `today` shifted by `n` days. */
  day(n: number): string;
}

const example = (path: string): string => readFileSync(join(ROOT, 'examples', 'access-repo', path), 'utf8');

/** Files of the access repo as of `today`. */
export function accessRepoFiles(today: string): Record<string, string> {
  const d = (n: number) => addDays(today, n);
  const header = '# yaml-language-server: $schema=../../../../policies/schemas/grant.schema.json\n';
  return {
    'README.md': '# Acme access\n\nOne file per identity under grants/; every change is a pull request. See access-ledger.yaml.\n',
    // The example config, trusting the App's bot account and the signing key the harness starts it with.
    'access-ledger.yaml': withLedgerTrust(example('access-ledger.yaml'), [appSigningKey().signer]),
    'systems/prod-postgres.yaml': example('systems/prod-postgres.yaml'),
    'systems/jira.yaml': example('systems/jira.yaml'),
    'grants/people/anovak.yaml': `${header}identity:
  id: anovak
  kind: human
  description: Ana Novak, Backend engineer, payments team
  owner: rpatel
  github: anovak
access:
  - system: jira
    role: user
    justification: Tracks payments-team work in the PAY project
    request: ENG-2210
    expires: ${d(240)}
  - system: prod-postgres
    role: readonly
    justification: Investigates failed payments from production rows during incidents
    request: DATA-902
    expires: ${d(180)}
review: { last_reviewed: ${d(-40)}, reviewer: sbrandt, campaign: ${d(-40).slice(0, 7)} }
`,
    'grants/people/eford.yaml': `${header}identity:
  id: eford
  kind: human
  description: Emma Ford, Data analyst, finance reporting
  owner: sbrandt
  github: eford
access:
  - system: prod-postgres
    role: analytics_read
    justification: Builds the monthly revenue report from the billing schema (read-only replica role)
    request: DATA-915
    expires: ${d(180)}
review: { last_reviewed: ${d(-40)}, reviewer: sbrandt, campaign: ${d(-40).slice(0, 7)} }
`,
    'grants/people/sbrandt.yaml': `${header}identity:
  id: sbrandt
  kind: human
  description: Sofia Brandt, Data engineering lead and owner of the production database
  owner: jokafor
  github: sbrandt
access:
  - system: prod-postgres
    role: dba
    privileged: true
    justification: Runs schema changes that cannot go through migrations and tunes the production database
    request: DATA-877
    expires: ${d(75)}
    jit: { max_duration_hours: 4, approvers: ["@acme/data", jokafor] }
review: { last_reviewed: ${d(-40)}, reviewer: jokafor, campaign: ${d(-40).slice(0, 7)} }
`,
    'grants/people/rpatel.yaml': `${header}identity:
  id: rpatel
  kind: human
  description: Ravi Patel, VP Engineering
  owner: mchen
  github: rpatel
access:
  - system: jira
    role: site-admin
    privileged: true
    justification: Administers Jira projects, workflows and the Okta group mapping
    request: SEC-355
    expires: ${d(80)}
review: { last_reviewed: ${d(-10)}, reviewer: mchen, campaign: ${d(-10).slice(0, 7)} }
`,
    'grants/keys/datadog-pg-monitor.yaml': `${header}identity:
  id: datadog-pg-monitor
  kind: api-key
  description: Database password the Datadog agent uses to collect PostgreSQL metrics
  owner: jokafor
credential:
  type: static-secret
  rotation_days: 90
  last_rotated: ${d(-20)}
  storage: vault:kv/observability/datadog-pg-monitor
  revocation: Rotate the password in Vault and run ALTER ROLE datadog NOLOGIN (runbooks/datadog.md#revoke)
access:
  - system: prod-postgres
    role: pg_monitor
    justification: Reads pg_stat views for query latency and replication-lag dashboards
    request: PLAT-1188
    expires: ${d(200)}
review: { last_reviewed: ${d(-40)}, reviewer: sbrandt, campaign: ${d(-40).slice(0, 7)} }
`,
  };
}

/**
 * The production AWS account, observed: its system file (the example's, with an `observe:` block
 * reading the IAM credential report) and the one grant it has, the root user's break-glass.
 */
export function awsFiles(today: string): Record<string, string> {
  const d = (n: number) => addDays(today, n);
  return {
    'systems/aws-prod.yaml': `${example('systems/aws-prod.yaml')}observe: { connector: aws-iam-credential-report }
`,
    'grants/shared/aws-root-breakglass.yaml': `# yaml-language-server: $schema=../../../../policies/schemas/grant.schema.json
identity:
  id: aws-root-breakglass
  kind: shared-account
  description: Root user of the production AWS account, for the few tasks only root can do and for lockouts
  owner: mchen
credential:
  type: password
  rotation_days: 90
  last_rotated: ${d(-10)}
  storage: 1password:vault/breakglass/aws-prod-root (sealed; hardware MFA key in the office safe)
  revocation: Reset the root password from the account e-mail and re-seal it; deregister the MFA device
shared:
  holders: [mchen, jokafor]
  compensating_controls: [checkout, mfa, session-logging]
exception:
  reason: AWS allows exactly one root user per account; it cannot be split into personal identities
  compensating_controls: [checkout, mfa, session-logging, cloudtrail-root-login-alert]
  expires: ${d(150)}
  approved_by: ["@acme/security"]
access:
  - system: aws-prod
    role: root
    privileged: true
    justification: Account recovery and root-only tasks (closing regions, changing the support plan) when IAM is unusable
    request: SEC-301
    expires: ${d(80)}
    jit: { max_duration_hours: 1, approvers: ["@acme/security"] }
    accounts: ["<root_account>"]
review: { last_reviewed: ${d(-10)}, reviewer: rpatel, campaign: ${d(-10).slice(0, 7)} }
`,
  };
}

/**
 * The AWS IAM credential report of the production account on `today` (what
 * `aws iam get-credential-report` returns): the root user, and an IAM user with an access key that
 * no grant declares, the service key nobody wrote down.
 */
export function awsCredentialReport(today: string): string {
  const d = (n: number) => addDays(today, n);
  const na = (n: number) => Array<string>(n).fill('N/A').join(',');
  return [
    'user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,password_next_rotation,mfa_active,access_key_1_active,access_key_1_last_rotated,access_key_1_last_used_date,access_key_1_last_used_region,access_key_1_last_used_service,access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date,access_key_2_last_used_region,access_key_2_last_used_service,cert_1_active,cert_1_last_rotated,cert_2_active,cert_2_last_rotated',
    `<root_account>,arn:aws:iam::482100001111:root,2019-03-04T09:12:44+00:00,not_supported,${d(-3)}T14:03:11+00:00,not_supported,not_supported,true,false,${na(4)},false,${na(4)},false,N/A,false,N/A`,
    `cost-report-exporter,arn:aws:iam::482100001111:user/svc/cost-report-exporter,${d(-120)}T08:00:00+00:00,false,N/A,N/A,N/A,false,true,${d(-30)}T07:15:00+00:00,${d(-1)}T02:00:14+00:00,us-east-1,ce,false,${na(4)},false,N/A,false,N/A`,
    '',
  ].join('\n');
}

/** The grant that declares the service key (what the platform team writes once drift finds it). */
export function costReportKeyGrant(today: string): string {
  const d = (n: number) => addDays(today, n);
  return `# yaml-language-server: $schema=../../../../policies/schemas/grant.schema.json
identity:
  id: cost-report-exporter
  kind: api-key
  description: IAM access key the nightly cost report job uses to read Cost Explorer
  owner: jokafor
credential:
  type: static-secret
  rotation_days: 90
  last_rotated: ${d(-30)}
  storage: vault:kv/finops/cost-report-exporter
  revocation: Deactivate and delete the key with aws iam delete-access-key --user-name cost-report-exporter
access:
  - system: aws-prod
    role: ReadOnlyAccess
    justification: Reads Cost Explorer for the nightly cost report to finance
    request: PLAT-1290
    expires: ${d(180)}
    accounts: [cost-report-exporter]
`;
}

/** The grant file of a new identity asking for read access to prod-postgres until `expires`. */
export function newGrantFile(login: string, expires: string, opts: { name?: string; owner?: string; request?: string } = {}): string {
  return `# yaml-language-server: $schema=../../../../policies/schemas/grant.schema.json
identity:
  id: ${login}
  kind: human
  description: ${opts.name ?? login}, Data engineer
  owner: ${opts.owner ?? 'sbrandt'}
  github: ${login}
access:
  - system: prod-postgres
    role: readonly
    justification: Debugs the nightly billing pipeline against production rows
    request: ${opts.request ?? 'DATA-1001'}
    expires: ${expires}
`;
}

/** Seeds the organization, its teams and the access repo; the App is installed on the org. */
/** What `access-ledger init` writes under .github/: CODEOWNERS and the gate's workflows. */
export function safeSetupFiles(today: string): Record<string, string> {
  return Object.fromEntries(Object.entries(scaffold(today, ORG)).filter(([path]) => path.startsWith('.github/')));
}

/** The gate App's App ID, as the example's config names it (`gate.app_id`). */
export const GATE_APP_ID = (parseYaml(example('access-ledger.yaml')) as { gate: { app_id: number } }).gate.app_id;

/**
 * The settings docs/gate.md, docs/ledger.md and docs/setup.md ask for: the gate App registered
 * from gate-app.yml and installed, its status required from it and code owners' review on the
 * default branch, the ledger's two rulesets, and the environments of the gate App's key and of the
 * sweep's keys, limited to the default branch. `access-ledger doctor` passes on the result.
 */
export function protectLikeTheDocs(fake: FakeGitHub, repo: string): { gateInstallationId: number } {
  const s = fake.state;
  const gateApp = s.appBySlug('acme-access-ledger-gate') ?? s.createApp({ id: GATE_APP_ID, slug: 'acme-access-ledger-gate', name: 'access-ledger gate' });
  const [owner, name] = repo.split('/') as [string, string];
  const gate =
    s.installationFor(owner, gateApp) ??
    s.install(owner, { app: gateApp, repositories: [name], permissions: { ...GATE_APP_MANIFEST_PERMISSIONS }, events: [] });
  s.addRuleset(repo, {
    name: 'main',
    include: ['~DEFAULT_BRANCH'],
    rules: [
      {
        type: 'pull_request',
        parameters: {
          required_approving_review_count: 1,
          require_code_owner_review: true,
          dismiss_stale_reviews_on_push: true,
          require_last_push_approval: true,
        },
      },
      {
        type: 'required_status_checks',
        parameters: { strict_required_status_checks_policy: true, required_status_checks: [{ context: 'access-ledger/gate', integration_id: gateApp.id }] },
      },
      { type: 'deletion' },
      { type: 'non_fast_forward' },
    ],
  });
  s.addRuleset(repo, {
    name: 'access-ledger: only the App writes',
    include: ['refs/heads/access-ledger'],
    rules: [{ type: 'creation' }, { type: 'update' }],
    bypass: [{ actorType: 'Integration', actorId: s.app.id }],
  });
  s.addRuleset(repo, {
    name: 'access-ledger: history is permanent',
    include: ['refs/heads/access-ledger'],
    rules: [{ type: 'deletion' }, { type: 'non_fast_forward' }],
  });
  s.createEnvironment(repo, 'access-ledger-gate', { branches: ['main'] });
  s.createEnvironment(repo, 'access-ledger-sweep', { branches: ['main'] });
  return { gateInstallationId: gate.id };
}

/** The workflow that applies merged access (the demo's stand-in for a Terraform apply), named by `ledger.provisioning_workflow`. */
export const PROVISIONING_WORKFLOW = '.github/workflows/provision.yml';

const provisionWorkflow = `name: provision
on:
  push:
    branches: [main]
    paths: ['grants/**']
permissions:
  contents: read
jobs:
  apply:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - run: ./scripts/apply-grants.sh
`;

/** Each person's team (`identity.team`): a change of team is a move. */
const TEAMS: Record<string, string> = { anovak: 'payments', eford: 'finance', sbrandt: 'data', rpatel: 'engineering' };

/**
 * The grant files of the story's access repo as of `today`: the world's grants, each person's
 * with their team. In the story they enter by pull request, not in the repo's first commit.
 */
export function storyGrantFiles(today: string, opts: { aws?: boolean } = {}): Record<string, string> {
  const all = { ...accessRepoFiles(today), ...(opts.aws ? awsFiles(today) : {}) };
  const out: Record<string, string> = {};
  for (const [path, content] of Object.entries(all)) {
    if (!path.startsWith('grants/')) continue;
    const id = /^grants\/people\/([^/]+)\.yaml$/.exec(path)?.[1];
    out[path] = id && TEAMS[id] ? content.replace(/^( {2}description: .*\n)/m, `$1  team: ${TEAMS[id]}\n`) : content;
  }
  return out;
}

export function seedAcme(fake: FakeGitHub, opts: { today?: string; extraMembers?: string[]; aws?: boolean; story?: boolean } = {}): World {
  const today = opts.today ?? utcDay(new Date());
  const s = fake.state;
  // The story's approvers: privileged access needs two approvals, none from its own grantee.
  const more = opts.story ? { data: ['lmoreau'], managers: ['dkaur', 'bwright'], security: ['okim'] } : { data: [], managers: [], security: [] };
  s.createOrg(ORG, {
    members: [
      'rpatel',
      'jokafor',
      'sbrandt',
      'anovak',
      'eford',
      'wzhang',
      'nadia-r',
      ...more.data,
      ...more.managers,
      ...more.security,
      ...(opts.extraMembers ?? []),
    ],
    admins: ['mchen'],
  });
  s.createTeam(ORG, 'security', { name: 'Security', members: ['mchen', 'nadia-r', ...more.security] });
  s.createTeam(ORG, 'data', { name: 'Data', members: ['sbrandt', ...more.data] });
  s.createTeam(ORG, 'eng-managers', { name: 'Engineering managers', members: ['rpatel', ...more.managers] });
  s.createTeam(ORG, 'platform', { name: 'Platform', members: ['jokafor'] });
  let files: Record<string, string> = { ...accessRepoFiles(today), ...(opts.aws ? awsFiles(today) : {}), ...safeSetupFiles(today) };
  if (opts.story) {
    // The story's repo starts with its config, systems and workflows; every grant enters by pull request.
    files = Object.fromEntries(Object.entries(files).filter(([path]) => !path.startsWith('grants/')));
    files['access-ledger.yaml'] = files['access-ledger.yaml']!.replace(
      /^ledger:\n/m,
      `ledger:\n  provisioning_workflow: ${PROVISIONING_WORKFLOW.split('/').pop()}\n`,
    );
    files[PROVISIONING_WORKFLOW] = provisionWorkflow;
  }
  s.createRepo(REPO, { files, author: 'mchen', description: "Acme's access repo" });
  const { gateInstallationId } = protectLikeTheDocs(fake, REPO);
  const installation = s.installationFor(ORG);
  if (!installation) throw new Error('the App is not installed on acme');
  // Listing the organization needs what docs/observed-access.md asks the App for.
  if (opts.aws) Object.assign(installation.permissions, { organization_administration: 'read', organization_personal_access_tokens: 'read' });
  return { repo: REPO, org: ORG, installationId: installation.id, gateInstallationId, today, day: (n) => addDays(today, n) };
}
