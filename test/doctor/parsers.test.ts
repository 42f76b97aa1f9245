/** The doctor's readers of workflow files and CODEOWNERS, as tables. */
import { describe, expect, it } from 'vitest';
import { matchesPattern, parseCodeowners, parseWorkflow, parseWorkflows, ruleFor, secretsIn } from '../../src/core/doctor/index.ts';
import { wf } from './fixtures.ts';

describe('secretsIn', () => {
  it.each([
    ['${{ secrets.APP_KEY }}', ['APP_KEY']],
    ['${{secrets.app_key}}', ['APP_KEY']],
    ["${{ secrets['GATE-KEY'] }}", ['GATE-KEY']],
    ['${{ secrets["X"] }} and ${{ secrets.Y }}', ['X', 'Y']],
    ['${{ toJSON(secrets) }}', ['*']],
    ['${{ secrets }}', ['*']],
    ['secrets.NOT_AN_EXPRESSION', []],
    ['${{ github.event.inputs.secrets_note }}', []],
    ['${{ github.token }}', []],
    ['${{ secrets.A || secrets.B }}', ['A', 'B']],
  ])('%s → %j', (text, names) => {
    expect(secretsIn(text)).toEqual(names);
  });
});

describe('parseWorkflow', () => {
  it('reads the triggers in each of their three forms', () => {
    expect(parseWorkflow(wf('a.yml', 'on: push\njobs: {}\n')).triggers).toEqual(['push']);
    expect(parseWorkflow(wf('a.yml', 'on: [push, pull_request]\njobs: {}\n')).triggers).toEqual(['push', 'pull_request']);
    expect(parseWorkflow(wf('a.yml', 'on:\n  pull_request_target:\n    types: [opened]\n  schedule:\n    - cron: "0 1 * * *"\njobs: {}\n')).triggers).toEqual([
      'pull_request_target',
      'schedule',
    ]);
  });

  it('finds each secret with its line and the input it feeds, and the environment in both of its forms', () => {
    const w = parseWorkflow(
      wf(
        'a.yml',
        [
          'on: workflow_dispatch', // 1
          'env:', // 2
          '  SHARED: ${{ secrets.SHARED_TOKEN }}', // 3
          'jobs:', // 4
          '  one:', // 5
          '    runs-on: ubuntu-latest', // 6
          '    environment: { name: prod, url: "https://x" }', // 7
          '    steps:', // 8
          '      - uses: actions/create-github-app-token@v3', // 9
          '        with:', // 10
          '          private-key: ${{ secrets.SOME_APP }}', // 11
          '      - run: echo hi', // 12
          '        env: { TOKEN: "${{ secrets.OTHER }}" }', // 13
          '  two:', // 14
          '    environment: staging', // 15
          '    uses: ./.github/workflows/b.yml', // 16
          '    secrets: inherit', // 17
        ].join('\n') + '\n',
      ),
    );
    expect(w.error).toBeUndefined();
    const [one, two] = w.jobs;
    expect(one).toMatchObject({ id: 'one', line: 5, environment: 'prod', environmentLine: 7, env: { SHARED: '${{ secrets.SHARED_TOKEN }}' } });
    expect(one!.secrets).toEqual([
      { name: 'SHARED_TOKEN', line: 3 },
      { name: 'SOME_APP', line: 11, input: 'private-key' },
      { name: 'OTHER', line: 13 },
    ]);
    expect(one!.steps.map((s) => [s.line, s.uses ?? s.run])).toEqual([
      [9, 'actions/create-github-app-token@v3'],
      [12, 'echo hi'],
    ]);
    expect(two).toMatchObject({ environment: 'staging', uses: './.github/workflows/b.yml' });
    expect(two!.secrets.map((s) => s.name)).toEqual(['SHARED_TOKEN', '*']);
  });

  it('follows secrets: inherit into a reusable workflow of the same repository', () => {
    const [caller] = parseWorkflows([
      wf('caller.yml', 'on: pull_request\njobs:\n  call:\n    uses: ./.github/workflows/called.yml\n    secrets: inherit\n'),
      wf('called.yml', 'on: workflow_call\njobs:\n  x:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo "${{ secrets.DEPLOY_PRIVATE_KEY }}"\n'),
    ]);
    expect(caller!.jobs[0]!.secrets).toEqual([{ name: 'DEPLOY_PRIVATE_KEY', line: 5 }]);
  });

  it.each([
    ['on: [push\n', /YAML syntax error/],
    ['- a\n- b\n', /not a mapping/],
    ['', /empty/],
  ])('a file that is not a workflow comes back with an error, not a throw: %j', (text, message) => {
    const w = parseWorkflow(wf('bad.yml', text));
    expect(w.jobs).toEqual([]);
    expect(w.error?.message).toMatch(message);
  });
});

describe('CODEOWNERS', () => {
  it.each([
    ['*', 'grants/a.yaml', true],
    ['/access-ledger.yaml', 'access-ledger.yaml', true],
    ['/access-ledger.yaml', 'sub/access-ledger.yaml', false],
    ['access-ledger.yaml', 'sub/access-ledger.yaml', true],
    ['/systems/', 'systems/db.yaml', true],
    ['/systems/', 'systems', false],
    ['systems/', 'nested/systems/db.yaml', true],
    ['/systems', 'systems/db.yaml', true],
    ['/systems/*', 'systems/db.yaml', true],
    ['/systems/*', 'systems/deep/db.yaml', false],
    ['/systems/**', 'systems/deep/db.yaml', true],
    ['**/workflows/', '.github/workflows/gate.yml', true],
    ['/.github/', '.github/workflows/gate.yml', true],
    ['/.github/', '.github/CODEOWNERS', true],
    ['.github/workflows/*.yml', '.github/workflows/gate.yml', true],
    ['.github/workflows/*.yml', '.github/workflows/gate.yaml', false],
    ['*.yaml', 'systems/db.yaml', true],
    ['/docs/', 'systems/db.yaml', false],
    ['/a?c', 'abc', true],
  ])('%s matches %s: %s', (pattern, path, expected) => {
    expect(matchesPattern(pattern, path)).toBe(expected);
  });

  it('the last matching line decides, a line without owners unowns, comments and escapes are read as GitHub reads them', () => {
    const rules = parseCodeowners(
      ['# owners', '*            @acme/everyone', '/systems/    @acme/security  # the systems', '/systems/tmp/', '\\#odd        @acme/odd', ''].join('\n'),
    );
    expect(rules.map((r) => [r.line, r.pattern, r.owners])).toEqual([
      [2, '*', ['@acme/everyone']],
      [3, '/systems/', ['@acme/security']],
      [4, '/systems/tmp/', []],
      [5, '#odd', ['@acme/odd']],
    ]);
    expect(ruleFor(rules, 'systems/db.yaml')?.owners).toEqual(['@acme/security']);
    expect(ruleFor(rules, 'systems/tmp/x.yaml')?.owners).toEqual([]);
    expect(ruleFor(rules, 'README.md')?.owners).toEqual(['@acme/everyone']);
  });
});
