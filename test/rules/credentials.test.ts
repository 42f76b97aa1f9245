import { describe, it } from 'vitest';
import { IDENTITY_KINDS } from '../../src/core/model/types.ts';
import { CONFIG, checkCase, human, type Case } from './harness.ts';

const STRICT = CONFIG.replace('extends: soc2-baseline', 'extends: strict');
const STRICT_SYSTEMS = ['system-evidence-sources'];

/** A non-human grant: identity on lines 1–4, then the credential block from line 5. */
function nh(kind: string, credential: string | undefined): string {
  return (
    `identity:\n  id: alice\n  kind: ${kind}\n  owner: carol\n` +
    (credential === undefined ? '' : credential) +
    'access:\n  - system: db\n    role: app\n    justification: Reads invoices for the nightly export\n    expires: 2027-03-31\n'
  );
}
/** credential block: line 5 `credential:`, 6 type, 7 rotation_days, 8 last_rotated, 9 storage, 10 revocation. */
function cred(type: string, fields: { rotation?: number | null; storage?: string | null; revocation?: string | null; lastRotated?: string } = {}): string {
  const lines = ['credential:', `  type: ${type}`];
  if (fields.rotation !== null) lines.push(`  rotation_days: ${fields.rotation ?? 90}`);
  if (fields.rotation !== null) lines.push(`  last_rotated: ${fields.lastRotated ?? '2026-11-20'}`);
  if (fields.storage !== null) lines.push(`  storage: ${fields.storage ?? 'vault:kv/app/alice'}`);
  if (fields.revocation !== null) lines.push(`  revocation: ${fields.revocation ?? 'revoke it in the vault'}`);
  return lines.join('\n') + '\n';
}
const OIDC = cred('oidc-federated', { rotation: null, storage: null });

describe('credential-required', () => {
  const nonHuman = IDENTITY_KINDS.filter((k) => k !== 'human');
  const cases: Case[] = [
    { name: 'a human needs no credential block', grant: human(), expect: [] },
    ...nonHuman.map(
      (kind): Case => ({
        name: `${kind} without a credential block: points at the kind`,
        grant: nh(kind, undefined),
        expect: [[3, `${kind} \`alice\` has no credential block: add credential: with type, storage and revocation`]],
        // These kinds carry further obligations, not under test here.
        alsoFrom: ['shared-account-controls', 'vendor-offboarding'],
      }),
    ),
    { name: 'a static secret with storage and revocation', grant: nh('api-key', cred('static-secret')), expect: [] },
    {
      name: 'storage missing: points at the credential key',
      grant: nh('api-key', cred('static-secret', { storage: null })),
      expect: [[5, 'credential of `alice` does not say where it is stored: add credential.storage (a reference such as vault:kv/…, never the secret)']],
    },
    { name: 'storage blank', grant: nh('api-key', cred('static-secret', { storage: '""' })), expect: [[5, 'does not say where it is stored']] },
    { name: 'a federated credential has nothing to store', grant: nh('service-account', OIDC), expect: [] },
    {
      name: 'revocation missing, even when federated',
      grant: nh('service-account', cred('oidc-federated', { rotation: null, storage: null, revocation: null })),
      expect: [[5, 'credential of `alice` does not say how to revoke it: add credential.revocation']],
    },
    {
      name: 'options through access-ledger.yaml: storage and revocation not required',
      grant: nh('api-key', cred('static-secret', { storage: null, revocation: null })),
      options: { config: CONFIG + 'rules:\n  credential-required: { options: { require_storage: false, require_revocation: false } }\n' },
      expect: [],
    },
  ];
  it.each(cases)('$name', (c) => void checkCase('credential-required', c));
});

describe('rotation-max-days', () => {
  const cases: Case[] = [
    { name: 'static secret every 90 days', grant: nh('api-key', cred('static-secret', { rotation: 90 })), expect: [] },
    {
      name: 'static secret every 91 days',
      grant: nh('api-key', cred('static-secret', { rotation: 91 })),
      expect: [[7, 'rotation every 91 days is longer than the 90 days allowed for static-secret: set rotation_days to 90 or less']],
    },
    {
      name: 'no rotation period: points at the type',
      grant: nh('api-key', cred('static-secret', { rotation: null })),
      expect: [[6, 'static-secret credential of `alice` has no rotation period: add credential.rotation_days (at most 90)']],
    },
    { name: 'key pair every 365 days', grant: nh('ci-token', cred('key-pair', { rotation: 365 })), expect: [] },
    {
      name: 'key pair every 366 days',
      grant: nh('ci-token', cred('key-pair', { rotation: 366 })),
      expect: [[7, 'longer than the 365 days allowed for key-pair']],
    },
    { name: 'OAuth token every 180 days', grant: nh('integration', cred('oauth-token', { rotation: 180 })), expect: [], alsoFrom: ['vendor-offboarding'] },
    {
      name: 'OAuth token every 181 days',
      grant: nh('integration', cred('oauth-token', { rotation: 181 })),
      expect: [[7, 'longer than the 180 days allowed for oauth-token']],
      alsoFrom: ['vendor-offboarding'],
    },
    { name: 'password every 91 days', grant: nh('api-key', cred('password', { rotation: 91 })), expect: [[7, 'the 90 days allowed for password']] },
    { name: 'federated: no rotation period needed', grant: nh('service-account', OIDC), expect: [] },
    {
      name: 'the strict pack allows 60 days for static secrets',
      grant: nh('api-key', cred('static-secret', { rotation: 61 })),
      options: { config: STRICT },
      expect: [[7, 'longer than the 60 days allowed for static-secret', 'error']],
      alsoFrom: STRICT_SYSTEMS,
    },
    {
      name: 'options through access-ledger.yaml: by_type merges with the pack (password 30, key-pair stays 365)',
      files: {
        'grants/a/alice.yaml': nh('api-key', cred('password', { rotation: 31 })),
        'grants/b/bob.yaml': nh('ci-token', cred('key-pair', { rotation: 365 })).replace('id: alice', 'id: bob'),
      },
      options: { config: CONFIG + 'rules:\n  rotation-max-days: { options: { by_type: { password: 30 } } }\n' },
      expect: [[7, 'the 30 days allowed for password']],
    },
  ];
  it.each(cases)('$name', (c) => void checkCase('rotation-max-days', c));
});

describe('prefer-federated-credentials', () => {
  const cases: Case[] = [
    {
      name: 'a CI token with a static secret (a warning)',
      grant: nh('ci-token', cred('static-secret')),
      expect: [[6, 'ci-token `alice` uses a static-secret: prefer an oidc-federated credential', 'warning']],
    },
    {
      name: 'a service account with a password',
      grant: nh('service-account', cred('password')),
      expect: [[6, 'service-account `alice` uses a password', 'warning']],
    },
    { name: 'an agent with a static secret', grant: nh('agent', cred('static-secret')), expect: [[6, 'agent `alice` uses a static-secret', 'warning']] },
    { name: 'a CI token with a key pair (a GitHub App key)', grant: nh('ci-token', cred('key-pair', { rotation: 365 })), expect: [] },
    { name: 'a federated CI token', grant: nh('ci-token', OIDC), expect: [] },
    { name: 'an API key is a static secret by nature', grant: nh('api-key', cred('static-secret')), expect: [] },
    {
      name: 'options through access-ledger.yaml: kinds [api-key]',
      files: {
        'grants/a/alice.yaml': nh('api-key', cred('static-secret')),
        'grants/b/bob.yaml': nh('ci-token', cred('static-secret')).replace('id: alice', 'id: bob'),
      },
      options: { config: CONFIG + 'rules:\n  prefer-federated-credentials: { options: { kinds: [api-key] } }\n' },
      expect: [[6, 'api-key `alice` uses a static-secret']],
    },
    {
      name: 'the strict pack makes it an error',
      grant: nh('ci-token', cred('static-secret', { rotation: 60 })),
      options: { config: STRICT },
      expect: [[6, 'uses a static-secret', 'error']],
      alsoFrom: STRICT_SYSTEMS,
    },
  ];
  it.each(cases)('$name', (c) => void checkCase('prefer-federated-credentials', c));
});
