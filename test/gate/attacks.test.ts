/**
 * The gate's judgement against named attacks (test/support/attacks.ts): every attack fails,
 * naming who must approve; every narrowing passes with no approval.
 */
import { describe, expect, it } from 'vitest';
import { ORG_MEMBERS, SYSTEMS, TEAMS, CONFIG, attacks, baseFiles, narrowings, type Attack } from '../support/attacks.ts';
import { TODAY, judge, show } from './scenario.ts';

function run(a: Attack) {
  return judge({
    config: a.config ?? CONFIG,
    systems: { ...SYSTEMS, ...(a.systems ?? {}) },
    grants: { ...baseFiles(TODAY), ...(a.base ?? {}) },
    change: a.change,
    ...(a.renames ? { renames: a.renames } : {}),
    author: a.author ?? 'mallory',
    commitAuthors: a.commitAuthors ?? [a.author ?? 'mallory'],
    reviews: a.reviews ?? [],
    teams: TEAMS,
    orgMembers: ORG_MEMBERS,
  });
}

describe('the gate against named attacks', () => {
  const list = attacks(TODAY);
  it('has at least 40 of them, each named once', () => {
    expect(list.length).toBeGreaterThanOrEqual(40);
    expect(new Set(list.map((a) => a.name)).size).toBe(list.length);
  });

  it.each(list.map((a) => [a.name, a] as const))('%s', (_, a) => {
    const r = run(a);
    const said = [...show(r), r.nextStep].join('\n');
    expect(r.verdict, said).toBe('fail');
    for (const fragment of a.because) expect(said).toContain(fragment);
    expect(r.removalOnly).toBe(false);
  });
});

describe('narrowing and documentation edits pass with no approval', () => {
  it.each(narrowings(TODAY).map((a) => [a.name, a] as const))('%s', (_, a) => {
    const r = run(a);
    const said = [...show(r), r.nextStep].join('\n');
    expect(r.verdict, said).toBe('pass');
    expect(r.removalOnly, said).toBe(true);
    expect(
      r.findings.filter((f) => f.severity === 'error'),
      said,
    ).toEqual([]);
  });
});
