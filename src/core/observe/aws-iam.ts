/**
 * The AWS IAM credential report (`aws iam get-credential-report`, its Content base64-decoded): one
 * CSV row per IAM user and one for the account's root user (`<root_account>`), with passwords,
 * access keys, signing certificates, their rotation and last use, and MFA. Pure.
 *
 * What it does not hold: the user's policies or groups. Roles are not reported, so
 * `observed-excess-privilege` compares only the root user's privilege here; pair it with an IAM
 * Identity Center or policy export (a mapped system) for roles.
 */
import { readCsv, requireColumns } from './csv.ts';
import type { ConnectorResult, ObservedAccount, ObservedCredential } from './types.ts';
import { ObserveError } from './types.ts';
import { daysSince, later, parseBool, parseTime, shown } from './values.ts';

export const AWS_IAM_COMMAND =
  'aws iam generate-credential-report && aws iam get-credential-report --query Content --output text | base64 --decode > credential-report.csv';

export const ROOT_USER = '<root_account>';

const REQUIRED = [
  'user',
  'arn',
  'user_creation_time',
  'password_enabled',
  'password_last_used',
  'password_last_changed',
  'mfa_active',
  'access_key_1_active',
  'access_key_1_last_rotated',
  'access_key_1_last_used_date',
  'access_key_2_active',
  'access_key_2_last_rotated',
  'access_key_2_last_used_date',
];

export function parseAwsCredentialReport(bytes: Uint8Array, label: string, takenAt: string): ConnectorResult {
  const table = readCsv(bytes, label);
  requireColumns(table, REQUIRED, label, `this is not an IAM credential report; produce one with: ${AWS_IAM_COMMAND}`);
  const hasCerts = table.header.includes('cert_1_active');
  const accounts: ObservedAccount[] = [];
  const seen = new Set<string>();
  for (const { line, values } of table.rows) {
    const at = (column: string) => `${label} line ${line}, column ${column}`;
    const user = values.user!.trim();
    if (user === '') throw new ObserveError(`${at('user')}: the user name is empty`);
    if (seen.has(user)) throw new ObserveError(`${at('user')}: the user ${shown(user)} is listed twice; a credential report lists each user once`);
    seen.add(user);
    const root = user === ROOT_USER;
    const arn = values.arn!.trim();
    const credentials: ObservedCredential[] = [];
    // The root user's password_enabled is `not_supported`: it always has a password.
    const passwordEnabled = root ? true : parseBool(values.password_enabled, at('password_enabled')) === true;
    if (passwordEnabled) {
      credentials.push({
        name: 'password',
        type: 'password',
        active: true,
        rotated_at: parseTime(values.password_last_changed, at('password_last_changed')),
        last_used: parseTime(values.password_last_used, at('password_last_used')),
        expires_at: table.header.includes('password_next_rotation') ? parseTime(values.password_next_rotation, at('password_next_rotation')) : null,
      });
    }
    for (const n of [1, 2]) {
      const active = parseBool(values[`access_key_${n}_active`], at(`access_key_${n}_active`)) === true;
      const rotated = parseTime(values[`access_key_${n}_last_rotated`], at(`access_key_${n}_last_rotated`));
      const used = parseTime(values[`access_key_${n}_last_used_date`], at(`access_key_${n}_last_used_date`));
      if (active || rotated !== null)
        credentials.push({ name: `access_key_${n}`, type: 'access-key', active, rotated_at: rotated, last_used: used, expires_at: null });
    }
    if (hasCerts) {
      for (const n of [1, 2]) {
        const active = parseBool(values[`cert_${n}_active`], at(`cert_${n}_active`)) === true;
        const rotated = parseTime(values[`cert_${n}_last_rotated`], at(`cert_${n}_last_rotated`));
        if (active || rotated !== null)
          credentials.push({ name: `cert_${n}`, type: 'certificate', active, rotated_at: rotated, last_used: null, expires_at: null });
      }
    }
    let lastUsed: string | null = null;
    for (const c of credentials) lastUsed = later(lastUsed, c.last_used);
    const keys = credentials.filter((c) => c.active && c.type !== 'password' && c.rotated_at !== null);
    const oldest = keys.reduce<string | null>((min, c) => (min === null || c.rotated_at! < min ? c.rotated_at! : min), null);
    accounts.push({
      principal: user,
      names: arn && arn !== user ? [user, arn] : [user],
      // A console password means a person signs in; keys alone, a workload.
      kind: root || passwordEnabled ? 'person' : 'service',
      roles: root ? ['root'] : [],
      permissions: null,
      privileged: root ? true : null,
      created: parseTime(values.user_creation_time, at('user_creation_time')),
      last_used: lastUsed,
      credentials,
      credential_age_days: oldest === null ? null : Math.max(0, daysSince(oldest, takenAt)),
      mfa: parseBool(values.mfa_active, at('mfa_active')),
      expires_at: null,
      owner: null,
      source: [{ ref: `line ${line}`, row: values }],
    });
  }
  // The account id is the fifth field of every IAM ARN (arn:aws:iam::<account>:user/<name>).
  const account = accounts.map((a) => /^arn:aws[a-z-]*:iam::(\d{12}):/.exec(a.names[1] ?? '')?.[1]).find((x) => x !== undefined) ?? null;
  return {
    scope: account,
    row_count: table.rows.length,
    // Roles and privilege are reported for the root user only; credentials, use and MFA for everyone.
    reports: { roles: false, privileged: false, created: true, last_used: true, credentials: true, mfa: true },
    gaps: [],
    accounts,
  };
}
