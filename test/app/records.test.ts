import { describe, expect, it } from 'vitest';
import { buildSnapshot } from '../../src/core/model/snapshot.ts';
import { diffEntries, grantChanges, policyChanges, touchesAccess } from '../../src/core/records/changes.ts';
import { buildGrantChangeDraft, grantChangeControls, reviewRecords } from '../../src/core/records/grant-change.ts';
import {
  buildUnapprovedMergeDraft,
  classifyCause,
  mentions,
  unapprovedIssueBody,
  unapprovedIssueMarker,
  hasUnapprovedIssueMarker,
} from '../../src/core/records/unapproved-merge.ts';
import { buildProvisionedDraft, matchesProvisioningWorkflow, provisionedRecordKey } from '../../src/core/records/provisioned.ts';
import { parseCommentBlocks, updateRecordComment, COMMENT_MARKER } from '../../src/core/records/comment.ts';
import { observeGateCheck } from '../../src/app/ledger/gate-check.ts';
import { parseRecordMarkers, sealRecord, type Verdict } from '../../src/core/ledger/index.ts';
import type { AccessEntry as ModelEntry } from '../../src/core/model/types.ts';
import type { MergedPull } from '../../src/core/records/pull.ts';

const grant = (id: string, kind: string, access: string) => `identity:
  id: ${id}
  kind: ${kind}
  owner: alice
${kind === 'human' ? `  github: ${id}\n` : ''}${
  kind === 'human'
    ? ''
    : `credential:
  type: oidc-federated
`
}access:
${access}`;

const entry = (system: string, role: string, extra = '') => `  - system: ${system}
    role: ${role}
    justification: needed for work
    expires: 2027-01-31
${extra}`;

const pull: MergedPull = {
  number: 45,
  title: 'Grant bob read access to prod-postgres',
  html_url: 'https://github.com/acme/access/pull/45',
  user: { login: 'bob' },
  created_at: '2026-11-18T09:00:00Z',
  merged_at: '2026-11-20T10:00:00Z',
  merged_by: { login: 'carol' },
  merge_commit_sha: 'm'.repeat(40),
  base: { sha: 'b'.repeat(40), ref: 'main' },
  head: { sha: 'h'.repeat(40), ref: 'grant-bob' },
};

const verdict = (result: 'pass' | 'fail', missing = 0): Verdict => ({
  result,
  evaluated_at: '2026-11-20T10:00:05Z',
  policy_sha: 'b'.repeat(40),
  findings:
    result === 'fail'
      ? [
          {
            rule: 'approvals',
            severity: 'error',
            file: 'grants/people/bob.yaml',
            line: 8,
            column: 5,
            message: 'needs 1 more approval from @acme/dba',
            controls: ['SOC2:CC6.2'],
          },
        ]
      : [],
  approvals: [{ system: 'prod-postgres', required: 1, approved_by: missing ? [] : ['dave'], missing }],
});

describe('touchesAccess', () => {
  it.each([
    [[{ path: 'grants/people/bob.yaml', status: 'added' }], true],
    [[{ path: 'systems/prod.yaml', status: 'modified' }], true],
    [[{ path: 'access-ledger.yaml', status: 'modified' }], true],
    [[{ path: 'README.md', status: 'modified' }], false],
    [[{ path: 'docs/grants.md', status: 'modified' }], false],
    [[{ path: 'old/bob.yaml', status: 'renamed', previousPath: 'grants/people/bob.yaml' }], true],
    [[], false],
  ] as const)('%j → %s', (files, expected) => {
    expect(touchesAccess(files as never)).toBe(expected);
  });
});

describe('diffEntries', () => {
  const e = (system: string, role: string, extra: Partial<ModelEntry> = {}): ModelEntry => ({
    system,
    role,
    justification: 'x',
    expires: '2027-01-31',
    ...extra,
  });
  it.each([
    ['unchanged', [e('db', 'read')], [e('db', 'read')], []],
    ['added', [], [e('db', 'read')], [['db', 'read', 'added']]],
    ['removed', [e('db', 'read')], [], [['db', 'read', 'removed']]],
    ['expiry extended', [e('db', 'read')], [e('db', 'read', { expires: '2027-06-30' })], [['db', 'read', 'modified']]],
    ['made privileged', [e('db', 'read')], [e('db', 'read', { privileged: true })], [['db', 'read', 'modified']]],
    [
      'role changed is one removed and one added',
      [e('db', 'read')],
      [e('db', 'write')],
      [
        ['db', 'write', 'added'],
        ['db', 'read', 'removed'],
      ],
    ],
    ['key order does not matter', [{ role: 'read', system: 'db', justification: 'x', expires: '2027-01-31' }], [e('db', 'read')], []],
    ['duplicates pair in order', [e('db', 'read'), e('db', 'read', { expires: '2027-02-01' })], [e('db', 'read')], [['db', 'read', 'removed']]],
  ] as const)('%s', (_name, before, after, expected) => {
    const got = diffEntries(before as readonly ModelEntry[], after as readonly ModelEntry[]).map((c) => [c.system, c.role, c.action]);
    expect(got).toEqual(expected);
  });

  it('records privileged and the expiry after the change', () => {
    const [c] = diffEntries([], [e('db', 'admin', { privileged: true, expires: '2026-12-31' })]);
    expect(c).toEqual({ system: 'db', role: 'admin', privileged: true, action: 'added', expires: '2026-12-31' });
  });
});

describe('grantChanges', () => {
  const base = buildSnapshot([
    { path: 'grants/people/bob.yaml', content: grant('bob', 'human', entry('prod-postgres', 'read')), blobSha: '1'.repeat(40) },
    { path: 'grants/svc/exporter.yaml', content: grant('exporter', 'service-account', entry('prod-s3', 'read')), blobSha: '2'.repeat(40) },
    { path: 'grants/svc/old-name.yaml', content: grant('old-name', 'service-account', entry('prod-s3', 'read')), blobSha: '3'.repeat(40) },
    { path: 'grants/people/moved.yaml', content: grant('moved', 'human', entry('jira', 'user')), blobSha: '4'.repeat(40) },
    { path: 'systems/prod-postgres.yaml', content: 'id: prod-postgres\nname: PG\ncategory: database\n', blobSha: '5'.repeat(40) },
  ]);
  const head = buildSnapshot([
    {
      path: 'grants/people/bob.yaml',
      content: grant('bob', 'human', entry('prod-postgres', 'read') + entry('prod-postgres', 'admin', '    privileged: true\n')),
      blobSha: 'a'.repeat(40),
    },
    { path: 'grants/people/carol.yaml', content: grant('carol', 'human', entry('jira', 'user')), blobSha: 'c'.repeat(40) },
    { path: 'grants/svc/new-name.yaml', content: grant('new-name', 'service-account', entry('prod-s3', 'read')), blobSha: 'd'.repeat(40) },
    { path: 'grants/contractors/moved.yaml', content: grant('moved', 'human', entry('jira', 'user')), blobSha: '4'.repeat(40) },
    { path: 'grants/people/broken.yaml', content: 'identity: [unclosed', blobSha: 'e'.repeat(40) },
    { path: 'systems/prod-postgres.yaml', content: 'id: prod-postgres\nname: PG\ncategory: database\napprovers: [dave]\n', blobSha: '6'.repeat(40) },
  ]);
  const files = [
    { path: 'grants/people/bob.yaml', status: 'modified' as const },
    { path: 'grants/people/carol.yaml', status: 'added' as const },
    { path: 'grants/svc/exporter.yaml', status: 'removed' as const },
    { path: 'grants/svc/new-name.yaml', status: 'renamed' as const, previousPath: 'grants/svc/old-name.yaml' },
    { path: 'grants/contractors/moved.yaml', status: 'renamed' as const, previousPath: 'grants/people/moved.yaml' },
    { path: 'grants/people/broken.yaml', status: 'added' as const },
    { path: 'systems/prod-postgres.yaml', status: 'modified' as const },
    { path: 'README.md', status: 'modified' as const },
  ];

  it('lists each identity with action, blob SHAs and changed entries', () => {
    const changes = grantChanges({ files, base, head });
    expect(
      changes.map((c) => [
        c.path,
        c.identity,
        c.kind,
        c.action,
        c.before_blob?.[0] ?? null,
        c.after_blob?.[0] ?? null,
        c.entries.map((e) => `${e.action}:${e.system}/${e.role}`),
      ]),
    ).toEqual([
      ['grants/contractors/moved.yaml', 'moved', 'human', 'modified', '4', '4', []],
      ['grants/people/bob.yaml', 'bob', 'human', 'modified', '1', 'a', ['added:prod-postgres/admin']],
      ['grants/people/broken.yaml', 'broken', null, 'added', null, 'e', []],
      ['grants/people/carol.yaml', 'carol', 'human', 'added', null, 'c', ['added:jira/user']],
      ['grants/svc/exporter.yaml', 'exporter', 'service-account', 'removed', '2', null, ['removed:prod-s3/read']],
      ['grants/svc/new-name.yaml', 'new-name', 'service-account', 'added', null, 'd', ['added:prod-s3/read']],
      ['grants/svc/old-name.yaml', 'old-name', 'service-account', 'removed', '3', null, ['removed:prod-s3/read']],
    ]);
  });

  it('prefers blob SHAs read at the merge commit', () => {
    const mergeBlobs = new Map([['grants/people/bob.yaml', 'f'.repeat(40)]]);
    const bob = grantChanges({ files, base, head, mergeBlobs }).find((c) => c.identity === 'bob')!;
    expect(bob.after_blob).toBe('f'.repeat(40));
  });

  it('lists config and system files as policy changes', () => {
    expect(policyChanges({ files, base, head })).toEqual([
      { path: 'systems/prod-postgres.yaml', role: 'system', action: 'modified', before_blob: '5'.repeat(40), after_blob: '6'.repeat(40) },
    ]);
  });
});

describe('grant-change draft', () => {
  const base = buildSnapshot([]);
  const head = buildSnapshot([{ path: 'grants/people/bob.yaml', content: grant('bob', 'human', entry('prod-postgres', 'read')), blobSha: 'a'.repeat(40) }]);
  const facts = {
    files: [{ path: 'grants/people/bob.yaml', status: 'added' as const }],
    base,
    head,
    reviews: [
      { reviewer: 'erin', reviewerIsBot: false, state: 'COMMENTED' as const, commitId: 'h'.repeat(40), submittedAt: '2026-11-19T08:00:00Z' },
      { reviewer: 'dave', reviewerIsBot: false, state: 'APPROVED' as const, commitId: 'o'.repeat(40), submittedAt: '2026-11-19T09:00:00.000Z' },
      { reviewer: 'dave', reviewerIsBot: false, state: 'APPROVED' as const, commitId: 'h'.repeat(40), submittedAt: '2026-11-20T09:30:00Z' },
      { reviewer: 'frank', reviewerIsBot: false, state: 'PENDING' as const, commitId: 'h'.repeat(40), submittedAt: '2026-11-20T09:40:00Z' },
    ],
    commitAuthors: ['bob', null, 'bob', 'alice'],
  };

  it('holds the PR identity, SHAs, changes, every review with its commit, commit authors and the verdict', () => {
    const draft = buildGrantChangeDraft({ repository: 'acme/access', pull, facts, verdict: verdict('pass') });
    expect(draft.kind).toBe('grant-change');
    expect(draft.key).toBe('pr-45-merged');
    expect(draft.occurred_at).toBe('2026-11-20T10:00:00Z');
    const s = draft.subject;
    expect(s.pr).toEqual({
      number: 45,
      title: pull.title,
      url: pull.html_url,
      author: 'bob',
      created_at: '2026-11-18T09:00:00Z',
      merged_at: '2026-11-20T10:00:00Z',
      merged_by: 'carol',
    });
    expect([s.base_sha, s.head_sha, s.merge_sha]).toEqual(['b'.repeat(40), 'h'.repeat(40), 'm'.repeat(40)]);
    expect(s.reviews).toEqual([
      { reviewer: 'erin', state: 'COMMENTED', submitted_at: '2026-11-19T08:00:00Z', commit_id: 'h'.repeat(40), on_head: true },
      { reviewer: 'dave', state: 'APPROVED', submitted_at: '2026-11-19T09:00:00Z', commit_id: 'o'.repeat(40), on_head: false },
      { reviewer: 'dave', state: 'APPROVED', submitted_at: '2026-11-20T09:30:00Z', commit_id: 'h'.repeat(40), on_head: true },
    ]);
    expect(s.commit_authors).toEqual(['alice', 'bob']);
    expect(s.verdict.result).toBe('pass');
    expect(s.changes).toHaveLength(1);
    expect(draft.controls).toContain('SOC2:CC6.3');
    // The draft seals: plain JSON only.
    expect(() => sealRecord(draft, null, '2026-11-20T10:00:06Z')).not.toThrow();
  });

  it('refuses a PR that was not merged', () => {
    expect(() => buildGrantChangeDraft({ repository: 'acme/access', pull: { ...pull, merged_at: null }, facts, verdict: verdict('pass') })).toThrow(
      /not merged/,
    );
  });

  it('adds revocation and privileged-access controls when the change has them', () => {
    const removal = [
      {
        path: 'p',
        identity: 'svc',
        kind: 'service-account' as const,
        action: 'removed' as const,
        before_blob: 'x',
        after_blob: null,
        entries: [{ system: 's', role: 'r', privileged: true, action: 'removed' as const, expires: null }],
      },
    ];
    expect(grantChangeControls(removal)).toEqual(expect.arrayContaining(['CIS-v8:6.2', 'OWASP-NHI:NHI1:2025', 'ISO27001:A.8.2']));
    expect(grantChangeControls([])).not.toContain('CIS-v8:6.2');
  });

  it('drops PENDING reviews and marks on_head', () => {
    expect(reviewRecords(facts.reviews, 'h'.repeat(40)).map((r) => r.on_head)).toEqual([true, false, true]);
  });
});

describe('unapproved-merge', () => {
  it.each([
    [null, 'unknown'],
    [{ runs: [] }, 'gate-outage'],
    [{ runs: [{ status: 'in_progress', conclusion: null }] }, 'gate-outage'],
    [{ runs: [{ status: 'completed', conclusion: 'failure' }] }, 'admin-bypass'],
    [{ runs: [{ status: 'completed', conclusion: 'action_required' }] }, 'admin-bypass'],
    [
      {
        runs: [
          { status: 'completed', conclusion: 'success' },
          { status: 'completed', conclusion: 'failure' },
        ],
      },
      'unknown',
    ],
    // The status the gate sets on the head under pull_request_target (its check run is on the base tip).
    [{ runs: [], statuses: [] }, 'gate-outage'],
    [{ runs: [], statuses: [{ context: 'access-ledger/gate', state: 'failure' }] }, 'admin-bypass'],
    [{ runs: [], statuses: [{ context: 'access-ledger/gate', state: 'error' }] }, 'admin-bypass'],
    [{ runs: [], statuses: [{ context: 'access-ledger/gate', state: 'pending' }] }, 'gate-outage'],
    [{ runs: [], statuses: [{ context: 'access-ledger/gate', state: 'success' }] }, 'unknown'],
    // A passing check elsewhere (a forged one named like the job, say) cannot hide the gate's failing status ...
    [{ runs: [{ status: 'completed', conclusion: 'success' }], statuses: [{ context: 'access-ledger/gate', state: 'failure' }] }, 'admin-bypass'],
    // ... nor make a gate that was still judging look decided.
    [{ runs: [{ status: 'completed', conclusion: 'success' }], statuses: [{ context: 'access-ledger/gate', state: 'pending' }] }, 'gate-outage'],
    [{ runs: [{ status: 'completed', conclusion: 'failure' }], statuses: [{ context: 'access-ledger/gate', state: 'success' }] }, 'admin-bypass'],
  ] as const)('cause of %j is %s', (obs, cause) => {
    expect(classifyCause(obs as never)).toBe(cause);
  });

  it('links the grant-change record, lists what was missing and the issue', () => {
    const d = buildUnapprovedMergeDraft({
      repository: 'acme/access',
      pull,
      verdict: verdict('fail', 1),
      cause: 'admin-bypass',
      issue: { number: 46, url: 'https://github.com/acme/access/issues/46' },
    });
    expect(d.key).toBe('pr-45-unapproved');
    expect(d.subject.grant_change_key).toBe('pr-45-merged');
    expect(d.subject.missing_approvals).toEqual([{ system: 'prod-postgres', required: 1, approved_by: [], missing: 1 }]);
    expect(d.subject.findings.map((f) => f.rule)).toEqual(['approvals']);
    expect(d.subject.issue?.number).toBe(46);
  });

  it('writes an issue that mentions the admins, links the PR and says what was missing', () => {
    const body = unapprovedIssueBody({
      pull,
      verdict: verdict('fail', 1),
      cause: 'admin-bypass',
      admins: ['@acme/security', 'zoe', 'not a login!'],
      branch: 'access-ledger',
      recordPath: 'records/2026/11/pr-45-merged.json',
    });
    expect(hasUnapprovedIssueMarker(body, 45)).toBe(true);
    expect(hasUnapprovedIssueMarker(body, 4)).toBe(false);
    expect(body.startsWith(unapprovedIssueMarker(45))).toBe(true);
    expect(body).toContain('@acme/security @zoe');
    expect(body).not.toContain('not a login');
    expect(body).toContain(pull.html_url);
    expect(body).toContain('`prod-postgres`: 1 required, no eligible approval; 1 missing');
    // Quoted from a finding: shown, but mentioning nobody (a zero-width space after the @).
    expect(body).toContain('needs 1 more approval from @\u200bacme/dba');
    expect(body).toContain('records/2026/11/pr-45-merged.json');
  });

  it('mentions', () => {
    expect(mentions(undefined)).toBe('');
    expect(mentions(['@a/b', 'c'])).toBe('@a/b @c');
  });
});

describe('provisioned', () => {
  const run = {
    id: 9001,
    name: 'Provision',
    path: '.github/workflows/provision.yml',
    head_sha: 'm'.repeat(40),
    run_attempt: 1,
    html_url: 'https://github.com/acme/access/actions/runs/9001',
    status: 'completed',
    conclusion: 'success',
    updated_at: '2026-11-20T10:05:00Z',
  };
  it.each([
    ['provision.yml', true],
    ['.github/workflows/provision.yml', true],
    ['./.github/workflows/provision.yml', true],
    ['Provision', true],
    ['vision.yml', false],
    ['deploy.yml', false],
    ['', false],
    [undefined, false],
  ] as const)('configured %j matches: %s', (configured, expected) => {
    expect(matchesProvisioningWorkflow(configured, run)).toBe(expected);
  });

  it('matches a reusable caller path with @ref', () => {
    expect(matchesProvisioningWorkflow('provision.yml', { ...run, path: 'acme/infra/.github/workflows/provision.yml@main' })).toBe(true);
  });

  it('links the grant-change record with run URL, conclusion and time', () => {
    const d = buildProvisionedDraft({ repository: 'acme/access', pr: { number: 45, url: pull.html_url }, run });
    expect(d.key).toBe('pr-45-provisioned-9001');
    expect(d.subject).toEqual({
      pr: { number: 45, url: pull.html_url },
      grant_change_key: 'pr-45-merged',
      workflow: '.github/workflows/provision.yml',
      run_id: 9001,
      run_attempt: 1,
      run_url: run.html_url,
      head_sha: 'm'.repeat(40),
      conclusion: 'success',
      completed_at: '2026-11-20T10:05:00Z',
    });
  });

  it('gives a re-run attempt its own key', () => {
    expect(provisionedRecordKey(45, { id: 9001, run_attempt: 2 })).toBe('pr-45-provisioned-9001-attempt-2');
  });

  it('refuses a run that has not completed', () => {
    expect(() =>
      buildProvisionedDraft({ repository: 'acme/access', pr: { number: 45, url: '' }, run: { ...run, status: 'in_progress', conclusion: null } }),
    ).toThrow(/not completed/);
  });
});

describe('sticky comment', () => {
  const ctx = { branch: 'access-ledger', repositoryUrl: 'https://github.com/acme/access' };
  const head = buildSnapshot([{ path: 'grants/people/bob.yaml', content: grant('bob', 'human', entry('prod-postgres', 'read')), blobSha: 'a'.repeat(40) }]);
  const facts = { files: [{ path: 'grants/people/bob.yaml', status: 'added' as const }], base: buildSnapshot([]), head, reviews: [], commitAuthors: [] };
  const gc = sealRecord(
    buildGrantChangeDraft({ repository: 'acme/access', pull, facts, verdict: verdict('pass') }),
    { seq: 11, hash: 'e'.repeat(64) },
    '2026-11-20T10:00:06Z',
  );
  const prov = sealRecord(
    buildProvisionedDraft({
      repository: 'acme/access',
      pr: { number: 45, url: pull.html_url },
      run: {
        id: 7,
        path: '.github/workflows/provision.yml',
        head_sha: 'm'.repeat(40),
        html_url: 'u',
        status: 'completed',
        conclusion: 'failure',
        updated_at: '2026-11-20T10:06:00Z',
      },
    }),
    { seq: 12, hash: gc.hash },
    '2026-11-20T10:06:01Z',
  );

  it('anchors each record with the hidden marker that verify --online reads', () => {
    const { body, changed } = updateRecordComment(null, [gc], ctx);
    expect(changed).toBe(true);
    expect(body.startsWith(COMMENT_MARKER)).toBe(true);
    expect(parseRecordMarkers(body)).toEqual([{ key: 'pr-45-merged', seq: 12, hash: gc.hash }]);
    expect(body).toContain('[`records/2026/11/20/pr-45-merged.json`](https://github.com/acme/access/blob/access-ledger/records/2026/11/20/pr-45-merged.json)');
    expect(body).toContain(gc.hash);
    expect(body).toContain('`bob` added (+prod-postgres/read)');
    expect(body).toContain('policy at merge: **pass**');
  });

  it('links a record of a ledger from before day folders to its month folder, and a later one to its day folder', () => {
    // gc is seq 12, prov seq 13: day folders from seq 13 on.
    const body = updateRecordComment(null, [gc, prov], { ...ctx, dayFoldersFrom: 13 }).body;
    expect(body).toContain('(https://github.com/acme/access/blob/access-ledger/records/2026/11/pr-45-merged.json)');
    expect(body).toContain('(https://github.com/acme/access/blob/access-ledger/records/2026/11/20/pr-45-provisioned-7.json)');
  });

  it('updates in place: keeps earlier blocks verbatim, adds new ones in seq order, and is unchanged on a repeat', () => {
    const first = updateRecordComment(null, [gc], ctx).body;
    const second = updateRecordComment(first, [prov], ctx);
    expect(parseRecordMarkers(second.body).map((m) => m.key)).toEqual(['pr-45-merged', 'pr-45-provisioned-7']);
    expect(second.body).toContain('concluded **failure**');
    expect(updateRecordComment(second.body, [gc, prov], ctx)).toEqual({ body: second.body, changed: false, conflicts: [] });
    expect(updateRecordComment(second.body.replace(/\n/g, '\r\n'), [prov], ctx).changed).toBe(false);
  });

  it('never overwrites an anchor with a different hash, and reports it', () => {
    const first = updateRecordComment(null, [gc], ctx).body;
    const forged = { ...gc, hash: 'f'.repeat(64) };
    const again = updateRecordComment(first, [forged], ctx);
    expect(again.conflicts).toEqual(['pr-45-merged']);
    expect(parseRecordMarkers(again.body)[0]!.hash).toBe(gc.hash);
  });

  it('parses blocks back', () => {
    const body = updateRecordComment(null, [gc, prov], ctx).body;
    expect(parseCommentBlocks(body).map((b) => [b.key, b.seq])).toEqual([
      ['pr-45-merged', 12],
      ['pr-45-provisioned-7', 13],
    ]);
  });
});

describe('observeGateCheck', () => {
  const repo = { owner: 'acme', repo: 'access' };
  const requester = (answers: Record<string, unknown>, asked: string[]) => ({
    request: async (route: string, params?: Record<string, unknown>) => {
      asked.push(route);
      const key = params?.page && params.page !== 1 ? `${route} page ${params.page}` : route;
      if (!(key in answers)) throw Object.assign(new Error('Not Found'), { status: 404 });
      const a = answers[key];
      if (a instanceof Error) throw a;
      return { status: 200, data: a };
    },
  });
  const RUNS = 'GET /repos/{owner}/{repo}/commits/{ref}/check-runs';
  const COMBINED = 'GET /repos/{owner}/{repo}/commits/{ref}/status';
  const none = { state: 'pending', statuses: [] };

  it('reads the check runs, newest first, and the combined status', async () => {
    const asked: string[] = [];
    const obs = await observeGateCheck(
      requester(
        {
          [RUNS]: {
            check_runs: [
              { status: 'completed', conclusion: 'success', completed_at: '2026-11-19T10:00:00Z' },
              { status: 'completed', conclusion: 'failure', completed_at: '2026-11-19T11:00:00Z' },
            ],
          },
          [COMBINED]: none,
        },
        asked,
      ),
      repo,
      'h',
      'gate',
      'access-ledger/gate',
      () => undefined,
    );
    expect(obs).toEqual({
      runs: [
        { status: 'completed', conclusion: 'failure' },
        { status: 'completed', conclusion: 'success' },
      ],
      statuses: [],
    });
    expect(asked).toEqual([RUNS, COMBINED]);
  });

  it("reads the gate's status access-ledger/gate on the head: a merge over its failure is an admin bypass, without it an outage", async () => {
    const combined = {
      state: 'failure',
      statuses: [
        { context: 'ci/build', state: 'success' },
        { context: 'Access-Ledger/Gate', state: 'failure' },
      ],
    };
    const obs = await observeGateCheck(
      requester({ [RUNS]: { check_runs: [] }, [COMBINED]: combined }, []),
      repo,
      'h',
      'gate',
      'access-ledger/gate',
      () => undefined,
    );
    expect(obs).toEqual({ runs: [], statuses: [{ context: 'Access-Ledger/Gate', state: 'failure' }] });
    expect(classifyCause(obs)).toBe('admin-bypass');
    const missing = await observeGateCheck(
      requester({ [RUNS]: { check_runs: [] }, [COMBINED]: { state: 'success', statuses: [{ context: 'ci/build', state: 'success' }] } }, []),
      repo,
      'h',
      'gate',
      'access-ledger/gate',
      () => undefined,
    );
    expect(classifyCause(missing)).toBe('gate-outage');
  });

  it('reads a status named like the check (a gate run by another CI system)', async () => {
    const obs = await observeGateCheck(
      requester(
        {
          [RUNS]: { check_runs: [] },
          [COMBINED]: {
            state: 'failure',
            statuses: [
              { context: 'other', state: 'success' },
              { context: 'gate', state: 'error' },
            ],
          },
        },
        [],
      ),
      repo,
      'h',
      'gate',
      'access-ledger/gate',
      () => undefined,
    );
    expect(obs).toEqual({ runs: [], statuses: [{ context: 'gate', state: 'error' }] });
    expect(classifyCause(obs)).toBe('admin-bypass');
  });

  it('pages through a commit with more than 100 contexts until it finds the gate', async () => {
    const asked: string[] = [];
    const many = Array.from({ length: 100 }, (_, i) => ({ context: `ci/${i}`, state: 'success' }));
    const obs = await observeGateCheck(
      requester(
        {
          [RUNS]: { check_runs: [] },
          [COMBINED]: { state: 'failure', statuses: many },
          [`${COMBINED} page 2`]: { state: 'failure', statuses: [{ context: 'access-ledger/gate', state: 'failure' }] },
        },
        asked,
      ),
      repo,
      'h',
      'gate',
      'access-ledger/gate',
      () => undefined,
    );
    expect(obs!.statuses).toEqual([{ context: 'access-ledger/gate', state: 'failure' }]);
    expect(asked).toEqual([RUNS, COMBINED, COMBINED]);
  });

  it('records the cause as unknown, with a warning naming the permission, when it cannot read them', async () => {
    const warnings: string[] = [];
    const obs = await observeGateCheck(
      requester({ [RUNS]: Object.assign(new Error('Forbidden'), { status: 403 }) }, []),
      repo,
      'h',
      'gate',
      'access-ledger/gate',
      (m) => warnings.push(m),
    );
    expect(obs).toBeNull();
    expect(classifyCause(obs)).toBe('unknown');
    expect(warnings[0]).toMatch(/checks: read/);
    const noStatus = await observeGateCheck(
      requester({ [RUNS]: { check_runs: [] }, [COMBINED]: Object.assign(new Error('Forbidden'), { status: 403 }) }, []),
      repo,
      'h',
      'gate',
      'access-ledger/gate',
      (m) => warnings.push(m),
    );
    expect(noStatus).toBeNull();
    expect(warnings[1]).toMatch(/status "access-ledger\/gate".*statuses: read/);
  });
});
