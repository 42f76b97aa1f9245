/**
 * Ledger signing keys for the tests, the demo and the benchmarks: a fixed Ed25519 key (derived
 * from a seed, so fixtures are reproducible) or a fresh one, with the `ledger:` settings of
 * access-ledger.yaml that list its public key and name the App's bot account.
 */
import { createPrivateKey } from 'node:crypto';
import { createLedgerSigner, generateLedgerKey, type LedgerSigner } from '../../src/core/ledger/index.ts';

/** The fake GitHub's App is `access-ledger`; its bot account signs the ledger commits. */
export const APP_LOGIN = 'access-ledger[bot]';

/** An Ed25519 private key (PKCS#8 PEM) from a 32-byte seed. */
export function keyFromSeed(seed: string): string {
  const bytes = Buffer.alloc(32);
  Buffer.from(seed, 'utf8').copy(bytes);
  const der = Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), bytes]);
  return createPrivateKey({ key: der, format: 'der', type: 'pkcs8' }).export({ type: 'pkcs8', format: 'pem' }).toString();
}

/** The tests' ledger key: the same in every run. */
export const TEST_SIGNING_KEY = keyFromSeed('access-ledger test signing key');

export function testSigner(pem = TEST_SIGNING_KEY): LedgerSigner {
  return createLedgerSigner(pem, 'the test signing key');
}

/** A new key, as `access-ledger keygen` makes one. */
export function freshSigningKey(): { pem: string; signer: LedgerSigner } {
  const key = generateLedgerKey();
  return { pem: key.privateKeyPem, signer: createLedgerSigner(key.privateKeyPem) };
}

/** The public-key entry of access-ledger.yaml for a signer (YAML, indented for `ledger.public_keys`). */
export function publicKeyEntry(signer: LedgerSigner, from = '2020-01-01', until?: string): string {
  return `    - id: ${signer.keyId}\n      key: ${signer.publicKey}\n      from: ${from}\n${until ? `      until: ${until}\n` : ''}`;
}

/** The `ledger:` block naming the App and listing the signers' public keys (block style). */
export function ledgerYaml(
  opts: { signers?: readonly LedgerSigner[]; branch?: string; provisioningWorkflow?: string; appLogin?: string | null; from?: string } = {},
): string {
  const signers = opts.signers ?? [testSigner()];
  const lines = ['ledger:'];
  if (opts.branch) lines.push(`  branch: ${opts.branch}`);
  if (opts.provisioningWorkflow) lines.push(`  provisioning_workflow: ${opts.provisioningWorkflow}`);
  if (opts.appLogin !== null) lines.push(`  app_login: ${opts.appLogin ?? APP_LOGIN}`);
  if (signers.length > 0) lines.push('  public_keys:', ...signers.map((s) => publicKeyEntry(s, opts.from).trimEnd()));
  return lines.join('\n') + '\n';
}

/**
 * An access-ledger.yaml with its `ledger:` block replaced by one that names the App and lists the
 * signers' keys (keeping its branch and provisioning workflow): how the e2e world, the demo and
 * the benchmarks make the example config trust the key they start the App with.
 */
export function withLedgerTrust(config: string, signers: readonly LedgerSigner[], opts: { appLogin?: string; from?: string } = {}): string {
  const lines = config.split('\n');
  const start = lines.findIndex((l) => /^ledger:/.test(l));
  let branch: string | undefined;
  let workflow: string | undefined;
  let rest = lines;
  if (start >= 0) {
    let end = start + 1;
    if (/^ledger:\s*\{/.test(lines[start]!)) {
      const inline = lines[start]!;
      branch = /branch:\s*([^,}\s]+)/.exec(inline)?.[1];
      workflow = /provisioning_workflow:\s*([^,}\s]+)/.exec(inline)?.[1];
    } else {
      while (end < lines.length && (/^\s/.test(lines[end]!) || lines[end] === '')) {
        const m = /^\s+(branch|provisioning_workflow):\s*(\S+)/.exec(lines[end]!);
        if (m?.[1] === 'branch') branch = m[2];
        if (m?.[1] === 'provisioning_workflow') workflow = m[2];
        end++;
      }
    }
    rest = [...lines.slice(0, start), ...lines.slice(end)];
  }
  const block = ledgerYaml({
    signers,
    ...(branch ? { branch } : {}),
    ...(workflow ? { provisioningWorkflow: workflow } : {}),
    ...(opts.appLogin ? { appLogin: opts.appLogin } : {}),
    ...(opts.from ? { from: opts.from } : {}),
  });
  return `${rest.join('\n').replace(/\n*$/, '\n')}${block}`;
}
