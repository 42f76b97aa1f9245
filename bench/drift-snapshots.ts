/**
 * The drift benchmark's repo and snapshots: N grant files of every identity kind, one access
 * entry each over 20 systems (a tenth of the non-human ones name their account in `accounts`),
 * and one listing per system whose accounts are those grants as the system would list them, with
 * a little drift planted: 1% of accounts no grant declares, 1% of grants with no account, 0.5%
 * with a role beyond the grant, 2% dormant, 1% of people without MFA. Written once per size (not
 * timed); the snapshots go through the mapped connector, so they are what `observe` writes.
 */
import { mkdir, writeFile, access } from 'node:fs/promises';
import { join } from 'node:path';
import { addDays } from '../src/core/dates.ts';
import { BENCH_TODAY, systemYaml } from './synthetic-repo.ts';
import { buildSnapshot, runConnector, serializeSnapshot } from '../src/core/observe/snapshot.ts';
import type { ObserveConfig } from '../src/core/observe/mapped.ts';

const KINDS = ['human', 'service-account', 'api-key', 'ci-token', 'integration', 'shared-account', 'agent'] as const;
export const TAKEN_AT = '2026-11-25T06:00:00Z';
const CONFIG: ObserveConfig = { format: 'csv', columns: { account: 'account', role: 'role', last_used: 'last_used', mfa: 'mfa', kind: 'kind' } };

/** The account name a system lists for grant `i`. */
function principalOf(i: number): string {
  const kind = KINDS[i % KINDS.length]!;
  if (kind === 'human') return `user${i}`;
  return i % 10 === 1 ? `svc_${i}` : `id-${i}`;
}

export function driftGrantYaml(i: number): string {
  const kind = KINDS[i % KINDS.length]!;
  const id = `id-${i}`;
  const lines = ['identity:', `  id: ${id}`, `  kind: ${kind}`, `  description: Synthetic identity number ${i}`, `  owner: owner${i % 500}`];
  if (kind === 'human') lines.push(`  github: user${i}`);
  else
    lines.push(
      'credential:',
      '  type: static-secret',
      '  rotation_days: 60',
      `  last_rotated: ${addDays(BENCH_TODAY, -(i % 30))}`,
      `  storage: vault:kv/synthetic/${id}`,
      `  revocation: https://wiki.example/runbooks/${id}`,
    );
  if (kind === 'integration')
    lines.push('vendor:', `  name: Vendor ${i}`, '  data_scope: order records', '  offboarding: revoke the OAuth app, then delete this file');
  if (kind === 'shared-account') {
    lines.push('shared:', `  holders: [user${i}, user${i + 1}]`, '  compensating_controls: [checkout, mfa, session-logging]');
    lines.push(
      'exception:',
      '  reason: Vendor console supports a single admin login only',
      '  compensating_controls: [session-logging]',
      `  expires: ${addDays(BENCH_TODAY, 60)}`,
    );
  }
  const privileged = i % 10 === 0;
  lines.push(
    'access:',
    `  - system: sys-${i % 20}`,
    '    role: role-0',
    `    privileged: ${privileged}`,
    `    justification: Needed for the synthetic workload number ${i}`,
    `    expires: ${addDays(BENCH_TODAY, privileged ? 60 : 200)}`,
  );
  if (principalOf(i).startsWith('svc_')) lines.push(`    accounts: [${principalOf(i)}]`);
  lines.push('review:', `  last_reviewed: ${addDays(BENCH_TODAY, -(i % 60))}`, `  reviewer: approver${i % 20}`);
  return lines.join('\n') + '\n';
}

/** The repo: the config, 20 systems and N grant files, 1,000 a folder. */
export async function ensureDriftRepo(root: string, grants: number): Promise<string> {
  const dir = join(root, `drift-repo-${grants}`);
  if (
    await access(join(dir, '.complete')).then(
      () => true,
      () => false,
    )
  )
    return dir;
  await mkdir(join(dir, 'systems'), { recursive: true });
  await writeFile(join(dir, 'access-ledger.yaml'), 'version: 1\norganization: acme\nextends: soc2-baseline\nadmins: ["@acme/security"]\n');
  for (let i = 0; i < 20; i++) await writeFile(join(dir, 'systems', `sys-${i}.yaml`), systemYaml(i));
  for (let start = 0; start < grants; start += 1000) {
    const folder = join(dir, 'grants', `team-${start / 1000}`);
    await mkdir(folder, { recursive: true });
    const writes: Promise<void>[] = [];
    for (let i = start; i < Math.min(grants, start + 1000); i++) writes.push(writeFile(join(folder, `id-${i}.yaml`), driftGrantYaml(i)));
    await Promise.all(writes);
  }
  await writeFile(join(dir, '.complete'), '');
  return dir;
}

/** The cell as RFC 4180 writes it. */
const cell = (s: string) => (/[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);

export async function ensureSnapshots(dir: string, grants: number, systems = 20): Promise<string[]> {
  const out = join(dir, '.snapshots');
  const files = Array.from({ length: systems }, (_, s) => join(out, `sys-${s}.json`));
  if (
    await access(join(out, '.complete')).then(
      () => true,
      () => false,
    )
  )
    return files;
  await mkdir(out, { recursive: true });
  const rows: string[][] = Array.from({ length: systems }, () => ['account,role,last_used,mfa,kind']);
  for (let i = 0; i < grants; i++) {
    const system = i % systems; // each grant's one entry is on sys-(i % 20)
    if (i % 100 === 37) continue; // 1%: a grant whose account was never provisioned
    const kind = KINDS[i % KINDS.length]!;
    const principal = principalOf(i);
    const role = i % 200 === 11 ? 'role-0;role-9' : 'role-0';
    const lastUsed = i % 50 === 3 ? '2026-01-15T00:00:00Z' : '2026-11-20T08:00:00Z';
    const mfa = kind === 'human' ? (i % 100 === 21 ? 'false' : 'true') : '';
    rows[system]!.push(
      [principal, role, lastUsed, mfa, kind === 'human' ? 'person' : kind === 'integration' ? 'app' : kind === 'api-key' ? 'key' : 'service']
        .map(cell)
        .join(','),
    );
    if (i % 100 === 59) rows[system]!.push([`orphan-${i}`, 'role-0', '2026-11-20T08:00:00Z', '', 'service'].join(','));
  }
  for (let s = 0; s < systems; s++) {
    const raw = Buffer.from(rows[s]!.join('\n') + '\n');
    const config = { ...CONFIG, role_separator: ';' };
    const result = runConnector('mapped', raw, `sys-${s}.csv`, config, TAKEN_AT);
    const snapshot = buildSnapshot({
      system: `sys-${s}`,
      connector: 'mapped',
      takenAt: TAKEN_AT,
      source: { type: 'file', file: `sys-${s}.csv`, command: null, api: null, calls: null },
      raw,
      rawFormat: 'csv',
      result,
    });
    await writeFile(files[s]!, serializeSnapshot(snapshot));
  }
  await writeFile(join(out, '.complete'), '');
  return files;
}
