/**
 * What docs/controls.md says is cited where, is: the claims are read from the page, then checked
 * against what the product makes. The binder exported from the fixture repo has a control-matrix
 * row for exactly the controls the page says rules cite, each with the rules, record kinds and
 * populations the page names; each population's JSON lists the controls the page gives it; a
 * grant-change record cites the kind's controls and, for the change it records, the ones the
 * page names "when". A control the page says nothing cites appears nowhere in the binder.
 * (test/e2e/lifecycle.test.ts checks the records the App writes against the same claims.)
 */
import { POPULATION_ORDER } from '../../src/core/binder/populations/index.ts';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONTROLS } from '../../src/core/controls.ts';
import { DEFAULT_CONTROLS, RECORD_KINDS } from '../../src/core/ledger/kinds.ts';
import { grantChangeControls } from '../../src/core/records/grant-change.ts';
import type { RecordedGrantFileChange } from '../../src/core/records/changes.ts';
import { buildFixture, type Fixture } from '../binder/fixture.ts';
import { readJson, run } from '../binder/support.ts';
import { claimedForKind, controlClaims } from '../support/control-claims.ts';

const claims = controlClaims();
let fx: Fixture;
let work: string;
let out: string;

interface MatrixRow {
  control: string;
  rules: string[];
  record_kinds: string[];
  populations: { id: string; rows: number }[];
}

beforeAll(async () => {
  fx = buildFixture();
  work = mkdtempSync(join(tmpdir(), 'control-claims-'));
  out = join(work, 'binder');
  const r = await run(['export', '--repo', fx.dir, '--from', '2026-01-01', '--to', '2026-06-30', '--out', out]);
  expect(r.code, r.stderr).toBe(0);
});

afterAll(() => {
  fx?.cleanup();
  if (work) rmSync(work, { recursive: true, force: true });
});

const sorted = (xs: Iterable<string>): string[] => [...xs].sort();

describe('docs/controls.md against the binder', () => {
  it('has one row for every control in the catalogue', () => {
    expect(sorted(claims.keys())).toEqual(sorted(CONTROLS.map((c) => c.id)));
  });

  it("the control matrix has a row for exactly the controls the page says rules cite, with the page's rules, record kinds and populations", () => {
    const matrix = readJson(out, 'control-matrix.json').controls as MatrixRow[];
    expect(sorted(matrix.map((m) => m.control))).toEqual(sorted([...claims.values()].filter((c) => c.rules.length > 0).map((c) => c.control)));
    for (const row of matrix) {
      const claim = claims.get(row.control)!;
      expect(sorted(row.rules.map((r) => r.replace(/ \(off\)$/, ''))), row.control).toEqual(sorted(claim.rules));
      expect(sorted(row.record_kinds), row.control).toEqual(sorted(claim.records.map((r) => r.kind)));
      expect(sorted(row.populations.map((p) => p.id)), row.control).toEqual(sorted(claim.populations));
    }
  });

  it('a control the page says nothing cites is in no population, no rule and no record kind, and the binder does not list it', () => {
    const uncited = [...claims.values()].filter((c) => c.rules.length + c.records.length + c.populations.length === 0).map((c) => c.control);
    // The catalogue's NIST AI RMF GOVERN controls among them: no rule, record or population evidences them.
    expect(uncited).toEqual(expect.arrayContaining(['NIST-AI-RMF:GOVERN-1.6', 'NIST-AI-RMF:GOVERN-1.7', 'NIST-AI-RMF:GOVERN-2.1']));
    const files = [
      'control-matrix.json',
      'control-matrix.csv',
      'summary.md',
      'index.html',
      ...readdirSync(join(out, 'populations')).map((f) => `populations/${f}`),
    ];
    for (const f of files) {
      const text = readFileSync(join(out, f), 'utf8');
      for (const c of uncited) expect(text, `${c} in ${f}`).not.toContain(c);
    }
    for (const kind of RECORD_KINDS) for (const c of uncited) expect(DEFAULT_CONTROLS[kind], kind).not.toContain(c);
  });

  it('each population lists, in populations/<id>.json, the controls the page says it evidences', () => {
    const pops = readJson(out, 'binder.json').populations as { id: string }[];
    expect(pops.map((p) => p.id)).toEqual([...POPULATION_ORDER]);
    for (const { id } of pops) {
      const listed = readJson(out, `populations/${id}.json`).controls as string[];
      const claimed = [...claims.values()].filter((c) => c.populations.includes(id)).map((c) => c.control);
      expect(sorted(listed), id).toEqual(sorted(claimed));
    }
    for (const c of claims.values())
      for (const p of c.populations)
        expect(
          pops.map((x) => x.id),
          `${c.control} names ${p}`,
        ).toContain(p);
  });
});

describe('docs/controls.md against the records', () => {
  it('every kind of record cites the controls the page says all its records cite', () => {
    for (const kind of RECORD_KINDS) expect(sorted(claimedForKind(claims, kind).always), kind).toEqual(sorted(DEFAULT_CONTROLS[kind]));
  });

  const file = (over: Partial<RecordedGrantFileChange>, entries: RecordedGrantFileChange['entries']): RecordedGrantFileChange =>
    ({
      path: 'grants/x.yaml',
      identity: 'x',
      kind: 'human',
      action: 'modified',
      before_blob: 'a'.repeat(40),
      after_blob: 'b'.repeat(40),
      entries,
      ...over,
    }) as RecordedGrantFileChange;
  const entry = (action: 'added' | 'removed' | 'modified', privileged = false) => ({
    system: 'prod-db',
    role: 'read',
    privileged,
    action,
    expires: '2026-12-31',
  });

  it.each([
    ['adds a human’s standing access', [file({ action: 'added', before_blob: null }, [entry('added')])], [], []],
    ['removes a human’s access', [file({}, [entry('removed')])], ['CIS-v8:6.2'], ['when the change removes access']],
    [
      'deletes a service account’s file',
      [file({ kind: 'service-account', action: 'removed', after_blob: null }, [entry('removed')])],
      ['CIS-v8:6.2', 'OWASP-NHI:NHI1:2025'],
      ['when the change removes access', "when the change removes a non-human identity's access"],
    ],
    [
      'adds privileged access',
      [file({ action: 'added', before_blob: null }, [entry('added', true)])],
      ['ISO27001:A.8.2'],
      ['when the change touches a privileged access entry'],
    ],
    [
      'changes an agent’s privileged entry',
      [file({ kind: 'agent' }, [entry('modified', true)])],
      ['ISO27001:A.8.2'],
      ['when the change touches a privileged access entry'],
    ],
  ] as const)('a grant-change record that %s cites the kind’s controls and those the page names for it', (_, changes, extra, when) => {
    const { always, atMost } = claimedForKind(claims, 'grant-change');
    const cited = grantChangeControls(changes as unknown as RecordedGrantFileChange[]);
    expect(sorted(cited)).toEqual(sorted(new Set([...always, ...extra])));
    for (const c of cited) expect(atMost, c).toContain(c);
    // The page names the condition under which each extra control is cited.
    expect(extra.map((c) => claims.get(c)!.records.find((r) => r.kind === 'grant-change')!.when)).toEqual(when);
  });
});
