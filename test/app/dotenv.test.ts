/**
 * `access-ledger serve` and `npm start` read the `.env` Probot's setup writes after registering
 * the App, without overriding what the environment sets; `serve` without credentials says what to
 * set (and where app.yml must be for the registration flow) instead of starting half-configured.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadDotEnv } from '../../src/app/server.ts';
import { runCli } from '../cli/run-cli.ts';

const dir = mkdtempSync(join(tmpdir(), 'al-dotenv-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('.env', () => {
  it('fills in what the environment does not set, and never overrides it', () => {
    const path = join(dir, '.env');
    writeFileSync(path, 'APP_ID=123\nWEBHOOK_SECRET="from the file"\n# a comment\nPORT=4000\n');
    const env: NodeJS.ProcessEnv = { PORT: '8080' };
    expect(loadDotEnv(env, path).sort()).toEqual(['APP_ID', 'WEBHOOK_SECRET']);
    expect(env).toEqual({ APP_ID: '123', WEBHOOK_SECRET: 'from the file', PORT: '8080' });
  });

  it('no file: nothing changes', () => {
    const env: NodeJS.ProcessEnv = {};
    expect(loadDotEnv(env, join(dir, 'missing.env'))).toEqual([]);
    expect(env).toEqual({});
  });
});

describe('access-ledger serve without its settings', () => {
  const clean = { APP_ID: '', PRIVATE_KEY: '', PRIVATE_KEY_PATH: '', WEBHOOK_SECRET: '', NODE_ENV: '' };

  it('outside a folder with app.yml: exit 2, naming the variables and where app.yml is', () => {
    const empty = mkdtempSync(join(dir, 'empty-'));
    const r = runCli(['serve'], { cwd: empty, env: clean });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /^access-ledger: APP_ID and PRIVATE_KEY \(or PRIVATE_KEY_PATH\) are not set\. .* run `access-ledger serve` in a folder holding app\.yml \(copy \/.*app\.yml\)/,
    );
  });

  it('with a key but no webhook secret: exit 2 naming WEBHOOK_SECRET, nothing listening', () => {
    const r = runCli(['serve'], { cwd: dir, env: { ...clean, APP_ID: '1', PRIVATE_KEY: 'x' } });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^access-ledger: WEBHOOK_SECRET must be set/);
  });
});
