/**
 * The ledger holds only signed records: the App's server does not start without its signing key
 * (or with a key that is not an Ed25519 private key), naming the variable and the fix; a key made
 * by `access-ledger keygen` starts it; the CLI's writers refuse to run without the key.
 */
import { generateKeyPairSync } from 'node:crypto';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { APP_SERVER, appPrivateKey, killAll, runCli, runProcess, startApp, startFakeGitHub, tempDir, type FakeGitHub } from '../support/e2e/index.ts';

const fakes: FakeGitHub[] = [];
const dirs: string[] = [];
afterAll(async () => {
  killAll();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  for (const f of fakes) await f.close();
});

/** The App's server as production starts it, with only the variables given. */
function startServer(extra: NodeJS.ProcessEnv) {
  return runProcess(process.execPath, [APP_SERVER], {
    env: {
      PATH: process.env.PATH,
      APP_ID: '4242',
      PRIVATE_KEY: appPrivateKey(),
      WEBHOOK_SECRET: 'secret',
      PORT: '0',
      HOST: '127.0.0.1',
      NODE_ENV: 'production',
      ACCESS_LEDGER_SCHEDULE: 'off',
      ...extra,
    },
    timeoutMs: 30_000,
  });
}

describe('the ledger signing key', { timeout: 60_000 }, () => {
  it('the App does not start without ACCESS_LEDGER_SIGNING_KEY, and says how to make one', async () => {
    const r = await startServer({});
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /access-ledger App: ACCESS_LEDGER_SIGNING_KEY is not set: the App signs every ledger record and writes none without its key\. Make a key with `access-ledger keygen/,
    );
  });

  it('the App does not start with a key that is not Ed25519', async () => {
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const r = await startServer({ ACCESS_LEDGER_SIGNING_KEY: rsa });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/ACCESS_LEDGER_SIGNING_KEY is a rsa key; the ledger signs with Ed25519/);
  });

  it('a key from `access-ledger keygen` starts it (from a file, ACCESS_LEDGER_SIGNING_KEY_PATH), and it logs the key id', async () => {
    const dir = tempDir('keygen');
    dirs.push(dir);
    const file = join(dir, 'ledger-signing-key.pem');
    const made = await runCli(['keygen', '--out', file, '--from', '2026-12-01']);
    expect(made.code, made.stderr).toBe(0);
    const id = /ledger key ([0-9a-f]{16})/.exec(made.stdout)?.[1];
    expect(made.stdout).toContain(`    - id: ${id}\n      key: MCowBQYDK2VwAyEA`);
    expect(made.stdout).toContain('      from: 2026-12-01\n');
    expect(readFileSync(file, 'utf8')).toMatch(/^-----BEGIN PRIVATE KEY-----/);
    // A second keygen never overwrites it.
    const again = await runCli(['keygen', '--out', file]);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/already exists/);

    const fake = await startFakeGitHub();
    fakes.push(fake);
    const app = await startApp({ fake, dir, env: { ACCESS_LEDGER_SIGNING_KEY: '', ACCESS_LEDGER_SIGNING_KEY_PATH: file } });
    try {
      expect(app.log).toContain(`signing ledger records with key ${id}`);
    } finally {
      await app.stop();
    }
  });

  it('reconcile and sweep refuse to write without the key; their dry runs need none', async () => {
    const fake = await startFakeGitHub();
    fakes.push(fake);
    const env = { GITHUB_TOKEN: 'ghp_unused', GITHUB_API_URL: fake.url, ACCESS_LEDGER_SIGNING_KEY: '' };
    for (const command of ['reconcile', 'sweep']) {
      const r = await runCli([command, '--repo', 'acme/access'], { env });
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/ACCESS_LEDGER_SIGNING_KEY is not set/);
      expect(r.stderr).toMatch(/--dry-run writes nothing and needs no key/);
    }
  });
});
