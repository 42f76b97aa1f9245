/** The two App manifests: the ledger App asks for what the doctor expects of it; the gate App can write nothing. */
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { scaffold as scaffold_ } from '../../src/cli/commands/init.ts';
import { describe, expect, it } from 'vitest';
import { LEDGER_APP_EVENTS, LEDGER_APP_PERMISSIONS } from '../../src/core/doctor/index.ts';
import { APP_MANIFEST_EVENTS, APP_MANIFEST_PERMISSIONS, GATE_APP_MANIFEST_PERMISSIONS } from '../support/fake-github/state.ts';

const manifest = (file: string) =>
  parse(readFileSync(new URL(`../../${file}`, import.meta.url), 'utf8')) as {
    default_permissions: Record<string, string>;
    default_events: string[];
    hook_attributes?: unknown;
    public: boolean;
  };

describe('App manifests', () => {
  it("app.yml asks for exactly what the doctor checks an installation has accepted, and the fake's installations have it", () => {
    const app = manifest('app.yml');
    expect(app.default_permissions).toEqual(LEDGER_APP_PERMISSIONS);
    expect([...app.default_events].sort()).toEqual([...LEDGER_APP_EVENTS].sort());
    expect(APP_MANIFEST_PERMISSIONS).toEqual(LEDGER_APP_PERMISSIONS);
    expect([...APP_MANIFEST_EVENTS].sort()).toEqual([...LEDGER_APP_EVENTS].sort());
  });

  it("gate-app.yml can read contents, pull requests and members, and write nothing but commit statuses (the gate's verdict); the fake's gate App has exactly that", () => {
    const gate = manifest('gate-app.yml');
    expect(gate.default_permissions).toEqual({ contents: 'read', pull_requests: 'read', members: 'read', statuses: 'write', metadata: 'read' });
    expect(Object.entries(gate.default_permissions).filter(([, v]) => v !== 'read')).toEqual([['statuses', 'write']]);
    expect(GATE_APP_MANIFEST_PERMISSIONS).toEqual(gate.default_permissions);
    expect(gate.default_events).toEqual([]);
    expect(gate.hook_attributes).toBeUndefined();
    expect(gate.public).toBe(false);
  });

  it('the gate workflow asks the token for no more than the gate App has, and for each of its permissions but metadata', () => {
    const gate = manifest('gate-app.yml');
    for (const file of ['docs/gate.md', 'docs/setup.md']) {
      const text = readFileSync(new URL(`../../${file}`, import.meta.url), 'utf8');
      for (const [, scope, level] of text.matchAll(/permission-([a-z-]+): (\w+)/g)) {
        expect(gate.default_permissions[scope!.replace(/-/g, '_')], `${file}: ${scope}`).toBe(level);
      }
    }
    const scaffold = scaffold_('2027-01-20', 'acme')['.github/workflows/access-ledger.yml']!;
    const asked = Object.fromEntries([...scaffold.matchAll(/permission-([a-z-]+): (\w+)/g)].map(([, k, v]) => [k!.replace(/-/g, '_'), v]));
    expect(asked).toEqual(Object.fromEntries(Object.entries(gate.default_permissions).filter(([k]) => k !== 'metadata')));
  });
});
