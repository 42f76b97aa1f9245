/**
 * An access repository on the fake GitHub set up the way `access-ledger init` and the docs set it
 * up (the scaffold's files with the gate App's id in the config, the gate App installed, its
 * status required from it and code owners' review on main, the ledger's two rulesets, the gate's
 * and the sweep's environments limited to main), and the unsafe changes the doctor must see.
 */
import { Octokit } from '@octokit/core';
import type { FakeGitHub } from '../support/fake-github/index.ts';
import { GATE_APP_MANIFEST_PERMISSIONS } from '../support/fake-github/state.ts';
import type { SweepOctokit } from '../../src/adapters/github/issues.ts';
import { FILES, GATE_APP_ID } from './fixtures.ts';

export const REPO = 'acme/access';

/** The config `init` writes, with the gate App's id filled in (`gate: { app_id }`). */
export const CONFIG_WITH_GATE_APP = `${FILES['access-ledger.yaml']}gate: { app_id: ${GATE_APP_ID} }\n`;

export function seedSafeRepo(gh: FakeGitHub): { installationId: number; gateInstallationId: number } {
  const s = gh.state;
  s.createOrg('acme', { members: ['alice', 'bob', 'dave'], admins: ['carol'] });
  s.createTeam('acme', 'security', { members: ['carol'] });
  s.createTeam('acme', 'dba', { members: ['dave'] });
  s.createRepo(REPO, { files: { ...FILES, 'access-ledger.yaml': CONFIG_WITH_GATE_APP } });
  const gateApp = s.createApp({ id: GATE_APP_ID, slug: 'acme-access-ledger-gate', name: 'access-ledger gate' });
  const gate = s.install('acme', { app: gateApp, repositories: ['access'], permissions: { ...GATE_APP_MANIFEST_PERMISSIONS }, events: [] });
  s.addCollaborator(REPO, 'bob', 'write');
  s.addRuleset(REPO, {
    name: 'main',
    include: ['~DEFAULT_BRANCH'],
    rules: [
      {
        type: 'pull_request',
        parameters: {
          required_approving_review_count: 1,
          require_code_owner_review: true,
          dismiss_stale_reviews_on_push: true,
          require_last_push_approval: true,
        },
      },
      {
        type: 'required_status_checks',
        parameters: { strict_required_status_checks_policy: true, required_status_checks: [{ context: 'access-ledger/gate', integration_id: GATE_APP_ID }] },
      },
      { type: 'deletion' },
      { type: 'non_fast_forward' },
    ],
  });
  s.addRuleset(REPO, {
    name: 'access-ledger: only the App writes',
    include: ['refs/heads/access-ledger'],
    rules: [{ type: 'creation' }, { type: 'update' }],
    bypass: [{ actorType: 'Integration', actorId: s.app.id }],
  });
  s.addRuleset(REPO, {
    name: 'access-ledger: history is permanent',
    include: ['refs/heads/access-ledger'],
    rules: [{ type: 'deletion' }, { type: 'non_fast_forward' }],
  });
  s.createEnvironment(REPO, 'access-ledger-gate', { branches: ['main'] });
  s.createEnvironment(REPO, 'access-ledger-sweep', { branches: ['main'] });
  return { installationId: s.installationFor('acme')!.id, gateInstallationId: gate.id };
}

/** The workflow `init` wrote before: the ledger App's key as a repository secret on pull_request. */
export const KEY_ON_PULL_REQUEST = `name: access-ledger
on:
  pull_request:
  pull_request_review:
    types: [submitted, dismissed]
jobs:
  gate:
    runs-on: ubuntu-latest
    steps:
      - id: app-token
        uses: actions/create-github-app-token@v2
        with:
          app-id: \${{ vars.ACCESS_LEDGER_APP_ID }}
          private-key: \${{ secrets.ACCESS_LEDGER_APP_PRIVATE_KEY }}
      - uses: access-ledger/access-ledger@v0
        with:
          token: \${{ steps.app-token.outputs.token }}
`;

export const HEAD_CHECKOUT = `name: preview
on: pull_request_target
permissions: { contents: read }
jobs:
  preview:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
        with:
          ref: \${{ github.event.pull_request.head.sha }}
      - run: ./scripts/render-preview.sh
`;

export const UNSAFE: Record<string, (gh: FakeGitHub) => void> = {
  "the ledger App's key on pull_request": (gh) => void gh.state.commitFiles(REPO, 'main', { '.github/workflows/access-ledger.yml': KEY_ON_PULL_REQUEST }),
  'the head checked out under pull_request_target': (gh) => void gh.state.commitFiles(REPO, 'main', { '.github/workflows/preview.yml': HEAD_CHECKOUT }),
  'access-ledger/gate required from any source': (gh) => {
    const main = gh.state.repo(REPO).rulesets.find((r) => r.name === 'main')!;
    main.rules = main.rules.map((r) =>
      r.type === 'required_status_checks' ? { ...r, parameters: { ...r.parameters, required_status_checks: [{ context: 'access-ledger/gate' }] } } : r,
    );
  },
  'no required check': (gh) => {
    const main = gh.state.repo(REPO).rulesets.find((r) => r.name === 'main')!;
    main.rules = main.rules.filter((r) => r.type !== 'required_status_checks');
  },
  'an unprotected ledger branch': (gh) => {
    const repo = gh.state.repo(REPO);
    repo.rulesets = repo.rulesets.filter((r) => !r.name.startsWith('access-ledger'));
  },
  'no CODEOWNERS': (gh) => void gh.state.commitFiles(REPO, 'main', { '.github/CODEOWNERS': null }),
};

export function octokitWith(gh: FakeGitHub, token: string): SweepOctokit {
  return new Octokit({ baseUrl: gh.url, auth: token }) as unknown as SweepOctokit;
}
