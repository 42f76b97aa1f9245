/**
 * The record kinds' registry is a contract: records written years ago name these kinds and cite
 * these controls. The list is pinned here, in order, with every kind's controls, so a kind's
 * module moving or a new kind being added cannot silently change what an old kind cites.
 */
import { describe, expect, expectTypeOf, it } from 'vitest';
import { CONTROLS } from '../../src/core/controls.ts';
import {
  CONDITIONAL_CONTROLS,
  DEFAULT_CONTROLS,
  KIND_DEFINITIONS,
  RECORD_KINDS,
  type AccessSnapshotSubject,
  type AnomalySubject,
  type GrantChangeSubject,
  type IdentityLeftOrgSubject,
  type ProvisionedSubject,
  type RecordKind,
  type ReviewCampaignSubject,
  type SubjectByKind,
  type UnapprovedMergeSubject,
} from '../../src/core/ledger/kinds.ts';
import * as ledger from '../../src/core/ledger/index.ts';

const PINNED_KINDS = ['grant-change', 'unapproved-merge', 'review-campaign', 'identity-left-org', 'provisioned', 'anomaly', 'access-snapshot'];

const PINNED_CONTROLS: Record<string, string[]> = {
  'grant-change': ['SOC2:CC6.2', 'SOC2:CC6.3', 'SOC2:CC8.1', 'NIST-CSF-2.0:PR.AA-01', 'NIST-CSF-2.0:PR.AA-05', 'ISO27001:A.5.18', 'CIS-v8:6.1'],
  'unapproved-merge': ['SOC2:CC6.2', 'SOC2:CC8.1', 'NIST-CSF-2.0:ID.RA-07', 'ISO27001:A.5.18'],
  'review-campaign': ['SOC2:CC6.2', 'SOC2:CC6.3', 'NIST-CSF-2.0:PR.AA-05', 'OWASP-NHI:NHI5:2025', 'ISO27001:A.5.18', 'CIS-v8:5.5', 'CIS-v8:6.8'],
  'identity-left-org': ['SOC2:CC6.2', 'NIST-CSF-2.0:GV.RR-04', 'NIST-CSF-2.0:PR.AA-01', 'OWASP-NHI:NHI1:2025', 'CIS-v8:6.2'],
  provisioned: ['SOC2:CC6.2', 'SOC2:CC8.1', 'NIST-CSF-2.0:PR.AA-05', 'CIS-v8:6.1'],
  anomaly: ['SOC2:CC7.2', 'NIST-CSF-2.0:DE.CM-03', 'NIST-CSF-2.0:ID.RA-07'],
  'access-snapshot': ['SOC2:CC6.1', 'SOC2:CC6.2', 'NIST-CSF-2.0:PR.AA-05', 'NIST-CSF-2.0:ID.AM-02', 'CIS-v8:5.1', 'CIS-v8:5.5', 'ISO27001:A.5.18'],
};

const PINNED_CONDITIONAL = {
  'grant-change': [
    { control: 'CIS-v8:6.2', when: 'when the change removes access' },
    { control: 'OWASP-NHI:NHI1:2025', when: "when the change removes a non-human identity's access" },
    { control: 'ISO27001:A.8.2', when: 'when the change touches a privileged access entry' },
  ],
};

describe('record kinds', () => {
  it('lists the kinds in their published order', () => {
    expect([...RECORD_KINDS]).toEqual(PINNED_KINDS);
  });

  it.each(PINNED_KINDS)('%s cites its controls, in order', (kind) => {
    expect(DEFAULT_CONTROLS[kind as keyof typeof DEFAULT_CONTROLS]).toEqual(PINNED_CONTROLS[kind]);
  });

  it('serializes the defaults and the conditional controls byte for byte as published', () => {
    expect(JSON.stringify(DEFAULT_CONTROLS)).toBe(JSON.stringify(PINNED_CONTROLS));
    expect(JSON.stringify(CONDITIONAL_CONTROLS)).toBe(JSON.stringify(PINNED_CONDITIONAL));
  });

  it('names each kind once, so two modules cannot claim one kind', () => {
    expect(new Set(KIND_DEFINITIONS.map((d) => d.kind)).size).toBe(KIND_DEFINITIONS.length);
    expect(KIND_DEFINITIONS.map((d) => d.kind)).toEqual([...RECORD_KINDS]);
  });

  it('maps every kind and no other', () => {
    expect(Object.keys(DEFAULT_CONTROLS)).toEqual(PINNED_KINDS);
    for (const kind of Object.keys(CONDITIONAL_CONTROLS)) expect(PINNED_KINDS).toContain(kind);
  });

  it('cites only control ids of src/core/controls.ts', () => {
    const known = new Set(CONTROLS.map((c) => c.id));
    const cited = [...Object.values(DEFAULT_CONTROLS).flat(), ...Object.values(CONDITIONAL_CONTROLS).flatMap((l) => (l ?? []).map((c) => c.control))];
    expect(cited.filter((id) => !known.has(id))).toEqual([]);
  });

  it('is what the ledger index exports', () => {
    expect(ledger.RECORD_KINDS).toBe(RECORD_KINDS);
    expect(ledger.DEFAULT_CONTROLS).toBe(DEFAULT_CONTROLS);
    expect(ledger.CONDITIONAL_CONTROLS).toBe(CONDITIONAL_CONTROLS);
  });
});

describe('subject types', () => {
  it('gives each kind its own subject type', () => {
    expectTypeOf<RecordKind>().toEqualTypeOf<
      'grant-change' | 'unapproved-merge' | 'review-campaign' | 'identity-left-org' | 'provisioned' | 'anomaly' | 'access-snapshot'
    >();
    expectTypeOf<SubjectByKind['grant-change']>().toEqualTypeOf<GrantChangeSubject>();
    expectTypeOf<SubjectByKind['unapproved-merge']>().toEqualTypeOf<UnapprovedMergeSubject>();
    expectTypeOf<SubjectByKind['review-campaign']>().toEqualTypeOf<ReviewCampaignSubject>();
    expectTypeOf<SubjectByKind['identity-left-org']>().toEqualTypeOf<IdentityLeftOrgSubject>();
    expectTypeOf<SubjectByKind['provisioned']>().toEqualTypeOf<ProvisionedSubject>();
    expectTypeOf<SubjectByKind['anomaly']>().toEqualTypeOf<AnomalySubject>();
    expectTypeOf<SubjectByKind['access-snapshot']>().toEqualTypeOf<AccessSnapshotSubject>();
    // A subject of one kind is not accepted as another's.
    expectTypeOf<SubjectByKind['provisioned']>().not.toEqualTypeOf<SubjectByKind['anomaly']>();
  });
});
