import { describe, expect, it } from 'vitest';
import { checkCase, human, run, type Case } from './harness.ts';
import { FAKE_SECRETS, fakePrivateKey, noise } from './fake-secrets.ts';

/** An API key grant; line 8 is credential.storage, line 9 credential.revocation, line 3 identity.description. */
function apiKey(fields: { storage?: string; revocation?: string; description?: string } = {}): string {
  return [
    'identity:',
    '  id: alice',
    `  description: ${fields.description ?? 'Key the exporter uses'}`,
    '  kind: api-key',
    '  owner: carol',
    'credential:',
    '  type: static-secret',
    `  storage: ${fields.storage ?? 'vault:kv/app/alice'}`,
    `  revocation: ${fields.revocation ?? 'revoke it in the vault'}`,
    '  rotation_days: 90',
    '  last_rotated: 2026-11-20',
    'access:',
    '  - system: db',
    '    role: app',
    '    justification: Reads invoices for the nightly export',
    '    expires: 2027-03-31',
    '',
  ].join('\n');
}

const json = (s: string) => JSON.stringify(s);

describe('no-secrets', () => {
  describe.each(FAKE_SECRETS)('$kind', (secret) => {
    it('is reported at its key, named by kind, without echoing the value', () => {
      const findings = run({ 'grants/keys/alice.yaml': apiKey({ storage: json(secret.value) }) });
      const mine = findings.filter((f) => f.rule === 'no-secrets');
      expect(mine).toHaveLength(1);
      expect(mine[0]).toMatchObject({ file: 'grants/keys/alice.yaml', line: 8, column: 12, severity: 'error', identity: 'alice' });
      expect(mine[0]!.message).toContain(`credential.storage looks like ${secret.named}: remove it, rotate the secret`);
      const everything = JSON.stringify(findings);
      expect(everything).not.toContain(secret.value);
      expect(everything).not.toContain(secret.value.slice(8, 20));
    });
  });

  it('finds a secret inside prose too', () => {
    const secret = FAKE_SECRETS[0]!.value;
    const findings = run({ 'grants/keys/alice.yaml': apiKey({ revocation: json(`call the API with ${secret} to revoke`) }) });
    const mine = findings.filter((f) => f.rule === 'no-secrets');
    expect(mine.map((f) => [f.line, f.message.slice(0, 45)])).toEqual([[9, 'credential.revocation looks like a GitHub tok']]);
    expect(JSON.stringify(findings)).not.toContain(secret);
  });

  it('finds a private key in a block scalar, and reports the line where the value starts', () => {
    const key = fakePrivateKey();
    const grant = apiKey({
      storage:
        '|\n' +
        key
          .split('\n')
          .map((l) => '    ' + l)
          .join('\n'),
    }).replace(/^ {2}revocation/m, '  revocation');
    const findings = run({ 'grants/keys/alice.yaml': grant });
    const mine = findings.filter((f) => f.rule === 'no-secrets');
    expect(mine).toHaveLength(1);
    expect(mine[0]!.line).toBe(8);
    expect(mine[0]!.message).toContain('credential.storage looks like a private key');
    expect(JSON.stringify(findings)).not.toContain(key.split('\n')[1]!);
  });

  it('scans system files as well', () => {
    const webhook = FAKE_SECRETS.find((s) => s.named === 'a Slack webhook URL')!.value;
    const system = `id: crm\nname: CRM\ncategory: saas\nowner: carol\napprovers: [dave]\nevidence:\n  provisioning: Okta\n  activity: alerts go to ${webhook}\n`;
    const findings = run({ 'systems/crm.yaml': system });
    expect(findings.map((f) => [f.rule, f.file, f.line, f.system, f.message])).toEqual([
      ['no-secrets', 'systems/crm.yaml', 8, 'crm', 'evidence.activity looks like a Slack webhook URL: remove it and rotate the secret'],
    ]);
  });

  const clean: Case[] = [
    { name: 'a vault reference', grant: apiKey({ storage: 'vault:kv/billing/exporter' }), path: 'grants/keys/alice.yaml', expect: [] },
    {
      name: 'a 1Password reference',
      grant: apiKey({ storage: '1password:vault/Infrastructure/exporter-api-key' }),
      path: 'grants/keys/alice.yaml',
      expect: [],
    },
    {
      name: 'an AWS Secrets Manager ARN',
      grant: apiKey({ storage: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/exporter-AbCdEf' }),
      path: 'grants/keys/alice.yaml',
      expect: [],
    },
    {
      name: 'a runbook URL',
      grant: apiKey({ revocation: 'https://wiki.example/runbooks/Exporter-Key-Rotation-2026Q4' }),
      path: 'grants/keys/alice.yaml',
      expect: [],
    },
    {
      name: 'a git commit SHA (hex is below the entropy bar)',
      grant: apiKey({ revocation: `revert ${noise(40, 30, '0123456789abcdef')}` }),
      path: 'grants/keys/alice.yaml',
      expect: [],
    },
    {
      name: 'a UUID',
      grant: apiKey({ revocation: 'delete client 123e4567-e89b-42d3-a456-426614174000 in the IdP' }),
      path: 'grants/keys/alice.yaml',
      expect: [],
    },
    {
      name: 'ordinary prose with long words',
      grant: apiKey({ description: 'Internationalization-related exports for the customer-success dashboards' }),
      path: 'grants/keys/alice.yaml',
      expect: [],
    },
    {
      name: 'an AWS-documented example key id is still flagged (it has the exact shape)',
      grant: apiKey({ storage: ['AKIA', 'IOSFODNN7', 'EXAMPLE'].join('') }),
      path: 'grants/keys/alice.yaml',
      expect: [[8, 'looks like an AWS access key id']],
    },
    { name: 'a human grant without secrets', grant: human(), expect: [] },
    {
      name: 'options through access-ledger.yaml: a higher entropy bar lets a borderline string through',
      grant: apiKey({ revocation: noise(24, 31) }),
      path: 'grants/keys/alice.yaml',
      options: { config: 'version: 1\nextends: soc2-baseline\nrules:\n  no-secrets: { options: { min_entropy: 6 } }\n' },
      expect: [],
    },
  ];
  it.each(clean)('$name', (c) => void checkCase('no-secrets', c));

  describe('a secret used as a key name', () => {
    const token = FAKE_SECRETS[0]!.value;
    const aws = FAKE_SECRETS.find((s) => s.kind === 'AWS access key id')!.value;

    it('is reported at the key, by kind, and no finding (the unknown key either) echoes it', () => {
      // Line 4: the token as a key under identity; line 18: an AWS key id as a top-level key.
      const grant = apiKey().replace('  kind: api-key\n', `  kind: api-key\n  ${token}: x\n`) + `${aws}: y\n`;
      const findings = run({ 'grants/keys/alice.yaml': grant });
      const mine = findings.filter((f) => f.rule === 'no-secrets');
      expect(mine.map((f) => [f.line, f.column, f.message.slice(0, 60)])).toEqual([
        [5, 3, 'a key name under identity looks like a GitHub token: remove '],
        [18, 1, 'a key name at the top level looks like an AWS access key id:'],
      ]);
      // The schema still names the unknown keys, with the secret masked.
      const unknown = findings.filter((f) => f.rule === 'schema').map((f) => f.message);
      expect(unknown.join('\n')).toContain('unknown key `ghp_…(masked)` under identity');
      expect(unknown.join('\n')).toContain('unknown key `AKIA…(masked)` under the top level');
      const everything = JSON.stringify(findings);
      expect(everything).not.toContain(token);
      expect(everything).not.toContain(token.slice(4, 20));
      expect(everything).not.toContain(aws);
    });

    it('in a system file too, and a value under it names the key masked', () => {
      const system = `id: crm\nname: CRM\ncategory: saas\nowner: carol\napprovers: [dave]\n${token}: ${aws}\n`;
      const mine = run({ 'systems/crm.yaml': system }).filter((f) => f.rule === 'no-secrets');
      expect(mine.map((f) => [f.line, f.message])).toEqual([
        [
          6,
          'a key name at the top level looks like a GitHub token: remove it, rotate the secret (git history keeps it), and keep only a reference such as vault:kv/…',
        ],
        [6, 'ghp_…(masked) looks like an AWS access key id: remove it, rotate the secret (git history keeps it), and keep only a reference such as vault:kv/…'],
      ]);
    });

    it('ordinary keys are not secrets', () => {
      expect(run({ 'grants/keys/alice.yaml': apiKey() }).filter((f) => f.rule === 'no-secrets')).toEqual([]);
    });
  });

  it('cannot be waived by an exception', () => {
    const secret = FAKE_SECRETS[3]!.value;
    const grant =
      apiKey({ storage: secret }) +
      'exception:\n  reason: Waiting for the vault migration\n  compensating_controls: [monitoring]\n  expires: 2027-01-31\n  rules: [no-secrets]\n';
    const mine = run({ 'grants/keys/alice.yaml': grant }).filter((f) => f.rule === 'no-secrets');
    expect(mine.map((f) => f.severity)).toEqual(['error']);
    expect(mine[0]!.message).not.toContain('waived');
  });
});
