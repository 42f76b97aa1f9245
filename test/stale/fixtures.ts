/** Small access repos for the sweep's tests: a config, two systems, and grants built per case. */
import { buildSnapshot, type RepoFile, type Snapshot } from '../../src/core/model/snapshot.ts';
import { loadBuiltinPacks } from '../../src/adapters/fs/packs.ts';

export const PACKS = loadBuiltinPacks();

export const CONFIG = `version: 1
organization: acme
extends: soc2-baseline
admins: ["@acme/security"]
stale: { expiring_within_days: 14 }
`;

export const SYSTEMS: Record<string, string> = {
  'systems/prod-postgres.yaml': `id: prod-postgres
name: Production PostgreSQL
category: database
owner: carol
approvers: ["@acme/dba", dave]
review_cadence_days: 90
evidence: { provisioning: terraform logs, activity: pgaudit }
`,
  'systems/jira.yaml': `id: jira
name: Jira
category: ticketing
owner: carol
approvers: [dave]
review_cadence_days: 365
evidence: { provisioning: SCIM logs, activity: audit log }
`,
};

export interface HumanOpts {
  id?: string;
  owner?: string;
  github?: string;
  entries?: { system: string; role?: string; expires: string; privileged?: boolean }[];
  lastReviewed?: string | null;
  exception?: string;
}

export function human(o: HumanOpts = {}): string {
  const id = o.id ?? 'bob';
  const entries = o.entries ?? [{ system: 'prod-postgres', expires: '2027-01-31' }];
  const lines = [
    'identity:',
    `  id: ${id}`,
    '  kind: human',
    `  owner: ${o.owner ?? 'alice'}`,
    `  github: ${o.github ?? id}`,
    'access:',
    ...entries.flatMap((e) => [
      `  - system: ${e.system}`,
      `    role: ${e.role ?? 'read'}`,
      `    privileged: ${e.privileged ?? false}`,
      '    justification: Reads the data for the monthly report',
      `    expires: ${e.expires}`,
    ]),
  ];
  if (o.lastReviewed !== null) lines.push(`review: { last_reviewed: ${o.lastReviewed ?? '2026-11-01'}, reviewer: dave }`);
  if (o.exception) lines.push(o.exception);
  return lines.join('\n') + '\n';
}

export function apiKey(o: { id?: string; owner?: string; lastRotated?: string; rotationDays?: number; expires?: string } = {}): string {
  const id = o.id ?? 'report-key';
  return `identity:
  id: ${id}
  kind: api-key
  owner: ${o.owner ?? 'alice'}
credential:
  type: static-secret
  rotation_days: ${o.rotationDays ?? 60}
${o.lastRotated ? `  last_rotated: ${o.lastRotated}\n` : ''}  storage: vault:kv/reports/${id}
  revocation: https://wiki.example/runbooks/${id}
access:
  - system: jira
    role: api
    justification: Posts the weekly report to the tracker
    expires: ${o.expires ?? '2027-01-31'}
review: { last_reviewed: 2026-11-01, reviewer: dave }
`;
}

export function repo(grants: Record<string, string>, extra: Record<string, string> = {}): Snapshot {
  const files: RepoFile[] = Object.entries({ 'access-ledger.yaml': CONFIG, ...SYSTEMS, ...grants, ...extra }).map(([path, content]) => ({ path, content }));
  return buildSnapshot(files);
}

export const CTX = {
  repository: 'acme/access',
  branch: 'main',
  webUrl: 'https://github.com',
  configPath: 'access-ledger.yaml',
  admins: ['@acme/security'],
  reviewLabel: 'access-review',
};
