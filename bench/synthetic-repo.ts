/**
 * Synthetic access repos for benchmarks: N grant files of every identity kind over 20 systems,
 * valid against the baseline pack on BENCH_TODAY. Deterministic, so runs compare.
 */
import { mkdir, writeFile, access } from 'node:fs/promises';
import { join } from 'node:path';
import { addDays } from '../src/core/dates.ts';

export const BENCH_TODAY = '2026-11-26';
const KINDS = ['human', 'service-account', 'api-key', 'ci-token', 'integration', 'shared-account', 'agent'] as const;
const CATEGORIES = ['directory', 'cloud-console', 'database', 'ticketing', 'source-control', 'privileged-access', 'saas', 'ci-cd'];

export function systemYaml(i: number): string {
  return `id: sys-${i}
name: System ${i}
category: ${CATEGORIES[i % CATEGORIES.length]}
environment: production
owner: owner${i}
approvers: ["@acme/team-${i}", approver${i}]
review_cadence_days: 90
evidence:
  provisioning: Terraform apply logs for sys-${i}
  activity: SIEM index sys-${i}-audit
`;
}

export function grantYaml(i: number, today = BENCH_TODAY): string {
  const kind = KINDS[i % KINDS.length]!;
  const id = `id-${i}`;
  const lines = [`identity:`, `  id: ${id}`, `  kind: ${kind}`, `  description: Synthetic identity number ${i}`, `  owner: owner${i % 500}`];
  if (kind === 'human') lines.push(`  github: user${i}`);
  if (kind !== 'human') {
    const federated = kind === 'ci-token' || kind === 'service-account' || kind === 'agent';
    lines.push(
      'credential:',
      `  type: ${federated ? 'oidc-federated' : kind === 'shared-account' ? 'password' : 'static-secret'}`,
      ...(federated ? [] : ['  rotation_days: 60', `  last_rotated: ${addDays(today, -(i % 30))}`, `  storage: vault:kv/synthetic/${id}`]),
      `  revocation: https://wiki.example/runbooks/${id}`,
    );
  }
  if (kind === 'integration')
    lines.push('vendor:', `  name: Vendor ${i}`, '  data_scope: order records', '  offboarding: revoke the OAuth app, then delete this file');
  if (kind === 'shared-account') {
    lines.push('shared:', `  holders: [user${i}, user${i + 1}]`, '  compensating_controls: [checkout, mfa, session-logging]');
    lines.push(
      'exception:',
      '  reason: Vendor console supports a single admin login only',
      '  compensating_controls: [session-logging]',
      `  expires: ${addDays(today, 60)}`,
    );
  }
  lines.push('access:');
  const n = 1 + (i % 3);
  for (let k = 0; k < n; k++) {
    const privileged = (i + k) % 10 === 0;
    lines.push(
      `  - system: sys-${(i + k) % 20}`,
      `    role: role-${k}`,
      `    privileged: ${privileged}`,
      `    justification: Needed for the synthetic workload number ${i}`,
      `    expires: ${addDays(today, privileged ? 60 : 200)}`,
    );
  }
  lines.push('review:', `  last_reviewed: ${addDays(today, -(i % 60))}`, `  reviewer: approver${i % 20}`);
  return lines.join('\n') + '\n';
}

export async function ensureSyntheticRepo(root: string, grants: number): Promise<string> {
  const dir = join(root, `repo-${grants}`);
  const marker = join(dir, '.complete');
  if (
    await access(marker).then(
      () => true,
      () => false,
    )
  )
    return dir;
  await mkdir(join(dir, 'systems'), { recursive: true });
  await writeFile(join(dir, 'access-ledger.yaml'), 'version: 1\norganization: acme\nextends: soc2-baseline\nadmins: ["@acme/security"]\n');
  for (let i = 0; i < 20; i++) await writeFile(join(dir, 'systems', `sys-${i}.yaml`), systemYaml(i));
  const perFolder = 1000;
  for (let start = 0; start < grants; start += perFolder) {
    const folder = join(dir, 'grants', `team-${start / perFolder}`);
    await mkdir(folder, { recursive: true });
    const writes: Promise<void>[] = [];
    for (let i = start; i < Math.min(grants, start + perFolder); i++) writes.push(writeFile(join(folder, `id-${i}.yaml`), grantYaml(i)));
    await Promise.all(writes);
  }
  await writeFile(marker, '');
  return dir;
}
