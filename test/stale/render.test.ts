import { describe, expect, it } from 'vitest';
import { desiredIssues, evaluateStale, parseStaleMarker, formatStaleMarker, MANAGED_LABEL } from '../../src/core/stale/index.ts';
import { CTX, PACKS, human, repo } from './fixtures.ts';
import { HOSTILE_ROLE, expectInertMarkdown, yamlString } from '../support/hostile.ts';

function issuesOn(today: string, grants: Record<string, string>, membership?: Record<string, boolean>) {
  const { problems } = evaluateStale(repo(grants), { packs: PACKS, today, ...(membership ? { membership } : {}) });
  return desiredIssues(problems, { ...CTX, ...(membership ? { membership } : {}) });
}

describe('rendered issues', () => {
  const grants = {
    'grants/people/bob.yaml': human({
      entries: [{ system: 'prod-postgres', role: 'dba', expires: '2026-11-01', privileged: true }],
      lastReviewed: '2026-11-01',
    }),
  };

  it('says what is wrong, since when, what to do, which controls, and which config produced it', () => {
    const [issue] = issuesOn('2026-11-26', grants);
    expect(issue!.title).toBe('Access expired: bob');
    expect(issue!.body).toContain('| `prod-postgres` | `dba` | yes | 2026-11-01 |');
    expect(issue!.body).toContain('**Since:** 2026-11-02');
    expect(issue!.body).toContain('**Revoke**');
    expect(issue!.body).toContain('**Renew**');
    expect(issue!.body).toContain('`SOC2:CC6.2`');
    expect(issue!.body).toContain('under `access-ledger.yaml`');
    expect(issue!.body).toContain('https://github.com/acme/access/blob/main/grants/people/bob.yaml');
    expect(issue!.labels).toEqual([MANAGED_LABEL, 'access-ledger']);
    expect(issue!.assignees).toEqual(['alice']);
  });

  it('keeps the same content (and hash) from one day to the next while the grant does not change', () => {
    const a = issuesOn('2026-11-26', grants)[0]!;
    const b = issuesOn('2026-12-09', grants)[0]!;
    expect(b.body).toBe(a.body);
    expect(b.hash).toBe(a.hash);
  });

  it('changes the hash when the grant changes', () => {
    const a = issuesOn('2026-11-26', grants)[0]!;
    const changed = { 'grants/people/bob.yaml': grants['grants/people/bob.yaml'].replace('role: dba', 'role: dba_admin') };
    expect(issuesOn('2026-11-26', changed)[0]!.hash).not.toBe(a.hash);
  });

  it('carries a marker the sweep parses back, first in the body', () => {
    const issue = issuesOn('2026-11-26', grants)[0]!;
    expect(issue.body.startsWith('<!-- access-ledger:stale id=bob kind=expired hash=')).toBe(true);
    expect(parseStaleMarker(issue.body)).toEqual({ id: 'bob', kind: 'expired', hash: issue.hash });
    expect(parseStaleMarker('edited by a person\n' + issue.body)).toEqual({ id: 'bob', kind: 'expired', hash: issue.hash });
    expect(parseStaleMarker('no marker here')).toBeUndefined();
    expect(() => formatStaleMarker({ id: 'x --> y', kind: 'expired', hash: issue.hash })).toThrow();
  });

  it('marks a leaver urgent, assigns the remaining owners, never the leaver, and copies the admins', () => {
    const g = { 'grants/bob.yaml': human({ id: 'bob', owner: 'alice' }), 'grants/eve.yaml': human({ id: 'eve', owner: 'bob' }) };
    const [issue] = issuesOn('2026-11-26', g, { bob: false, alice: true, eve: true });
    expect(issue!.title).toMatch(/^Urgent: @bob left the organization/);
    expect(issue!.labels).toContain('urgent');
    expect(issue!.assignees).toEqual(['alice']);
    expect(issue!.body).toContain('cc @acme/security');
  });

  it('honours stale.assign_owner: false and custom labels', () => {
    const { problems } = evaluateStale(repo(grants), { packs: PACKS, today: '2026-11-26' });
    const [issue] = desiredIssues(problems, { ...CTX, assignOwner: false, labels: ['security', 'Security'] });
    expect(issue!.assignees).toEqual([]);
    expect(issue!.labels).toEqual([MANAGED_LABEL, 'Security']);
  });
});

describe('rendered issues on hostile grant files', () => {
  // A folder name people chose, a role that attacks Markdown, an unknown system: every kind of issue quotes them.
  const DIR = 'grants/`x`|[y](https://evil.example) @mchen <!-- z -->';
  const role = yamlString(HOSTILE_ROLE);
  const grants = {
    [`${DIR}/bob.yaml`]: human({
      entries: [
        { system: 'prod-postgres', role, expires: '2026-11-01' },
        { system: 'gone', role, expires: '2027-06-01' },
      ],
      lastReviewed: '2025-01-01',
    }),
    [`${DIR}/eve.yaml`]: human({ id: 'eve', owner: 'bob', entries: [{ system: 'jira', role, expires: '2026-12-01' }] }),
  };

  it('quotes paths and roles inert in every kind, leaver issues included, mentioning only owners, grantees, the last reviewer and admins', () => {
    const issues = issuesOn('2026-11-26', grants, { bob: false, alice: true, eve: true });
    expect(issues.map((i) => i.kind).sort()).toEqual(['expired', 'expiring-soon', 'left-org', 'review-overdue', 'unknown-system']);
    for (const issue of issues) {
      const marker = issue.body.split('\n')[0]!;
      expectInertMarkdown(issue.body, { mentions: ['alice', 'bob', 'eve', 'dave', 'acme/security'], markers: [marker] });
      expect(issue.title).not.toMatch(/\n/);
    }
    const leaver = issues.find((i) => i.kind === 'left-org')!;
    // The path is a link to the file: its text a code span that cannot end the table's cell, its
    // destination encoded so that no parenthesis of the folder's name ends it.
    expect(leaver.body).toContain(
      '| [``grants/`x`\\|[y](https://evil.example) @mchen <\u200b!-- z --\u200b>/bob.yaml``](https://github.com/acme/access/blob/main/grants/%60x%60%7C%5By%5D%28https%3A//evil.example%29%20%40mchen%20%3C%21--%20z%20--%3E/bob.yaml) |',
    );
  });
});
