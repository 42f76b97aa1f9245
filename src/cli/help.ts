/** Examples shown at the end of `access-ledger <command> --help`: the commands people actually type. */
import type { Command } from 'commander';

export const EXAMPLES: Readonly<Record<string, readonly string[]>> = {
  validate: [
    'access-ledger validate                                   # the access repo in this folder',
    'access-ledger validate . --changed-since origin/main     # only what this branch changed, as the gate judges it',
    'access-ledger validate . --format sarif --output access-ledger.sarif   # for code scanning',
    'access-ledger validate . --format json --today 2027-01-31               # as of a given day',
  ],
  init: [
    'access-ledger init access --org acme                     # scaffold ./access for the organization acme',
    'access-ledger init . --org acme --force                  # rewrite the starting files here',
  ],
  verify: [
    'git fetch origin access-ledger:access-ledger && access-ledger verify --repo .',
    'access-ledger verify --repo . --branch origin/access-ledger --format json',
    'GITHUB_TOKEN=$(gh auth token) access-ledger verify --repo . --online --app-login "access-ledger[bot]"',
  ],
  export: [
    'access-ledger export --repo . --from 2026-01-01 --to 2026-12-31 --out binder',
    'access-ledger export --repo . --from 2026-07-01 --to 2026-09-30 --out binder-q3 --sample 25 --seed 2026',
  ],
  reconcile: ['GITHUB_TOKEN=… access-ledger reconcile --repo acme/access', 'access-ledger reconcile --repo acme/access --dry-run --since 2026-09-01'],
  sweep: [
    'GITHUB_TOKEN=… access-ledger sweep --repo acme/access --dry-run',
    'access-ledger sweep --repo acme/access --today 2027-01-31 --format json',
    'access-ledger sweep --repo acme/access --observe-org        # list and record the organization first, once a day',
  ],
  doctor: [
    'GITHUB_TOKEN=$(gh auth token) access-ledger doctor --repo acme/access',
    'access-ledger doctor --repo acme/access --gate-app-id 1093412        # before gate.app_id is in the config',
    'access-ledger doctor --repo acme/access --format json --api-url https://github.acme.internal/api/v3',
  ],
  observe: [
    'GITHUB_TOKEN=… access-ledger observe --system github --out github.json          # the organization, live',
    'access-ledger observe --system aws-prod --from credential-report.csv --out aws.json',
    'GITHUB_TOKEN=… access-ledger observe --system okta --from okta-users.json --record --repo acme/access',
  ],
  drift: [
    'access-ledger drift --snapshot github.json aws.json                            # file:line, rule, what to do',
    'access-ledger drift . --snapshot aws.json --format sarif --output drift.sarif   # for code scanning',
  ],
  import: ['access-ledger import --system aws-prod --from aws.json                      # grant files to complete, under grants/aws-prod/'],
  serve: [
    'APP_ID=12345 PRIVATE_KEY_PATH=app.pem WEBHOOK_SECRET=… access-ledger serve',
    'PORT=8080 HOST=127.0.0.1 LOG_FORMAT=json access-ledger serve         # behind a reverse proxy',
    'GHE_HOST=github.acme.internal access-ledger serve                     # GitHub Enterprise Server',
  ],
};

function block(lines: readonly string[]): string {
  return `\nExamples:\n${lines.map((l) => `  $ ${l}`).join('\n')}\n`;
}

/** Adds the examples to every command that has them, and a few to the top-level help. */
export function addExamples(program: Command): void {
  for (const command of program.commands) {
    const lines = EXAMPLES[command.name()];
    if (lines) command.addHelpText('after', block(lines));
  }
  program.addHelpText(
    'after',
    block([
      'access-ledger init access --org acme && cd access && access-ledger validate',
      'access-ledger validate --help                            # every command has examples',
    ]) +
      '\nExit codes: 0 ok, 1 findings or a verification failure, 2 a usage or runtime error.\nDocumentation: docs/ in the package, or https://github.com/access-ledger/access-ledger#readme\n',
  );
}
