/**
 * The record kinds of the evidence ledger and the shape of each kind's `subject`
 * (docs/ledger.md).
 *
 * Subjects are plain JSON built by the callers (the App's handlers, the sweep, the reconcile). They
 * hold only strings, integers, booleans, null, arrays and objects: the hash is computed over their
 * RFC 8785 canonical form, and keeping numbers integral lets an auditor recompute it with any
 * JSON library. Timestamps are ISO 8601 UTC with a `Z` suffix as GitHub reports them; dates are
 * `YYYY-MM-DD`. Fields are only ever added to a kind, never renamed or re-purposed: records written
 * years ago must keep their meaning.
 *
 * One module per kind under src/core/ledger/kinds/ holds its subject type and the controls its
 * records cite; this file lists them, one line per kind, in the order kinds were published
 * (test/ledger/kinds.test.ts pins it). A new kind is a new module and a new line at the end,
 * never a change to an existing one.
 */
import type { KindDefinition } from './kinds/common.ts';
import grantChange from './kinds/grant-change.ts';
import unapprovedMerge from './kinds/unapproved-merge.ts';
import reviewCampaign from './kinds/review-campaign.ts';
import identityLeftOrg from './kinds/identity-left-org.ts';
import provisioned from './kinds/provisioned.ts';
import anomaly from './kinds/anomaly.ts';
import accessSnapshot from './kinds/access-snapshot.ts';

export * from './kinds/common.ts';
export type * from './kinds/grant-change.ts';
export type * from './kinds/unapproved-merge.ts';
export type * from './kinds/review-campaign.ts';
export type * from './kinds/identity-left-org.ts';
export type * from './kinds/provisioned.ts';
export type * from './kinds/anomaly.ts';
export type * from './kinds/access-snapshot.ts';

/** The kinds, in published order. */
// biome-ignore format: one line per kind, so adding one is a one-line change
export const KIND_DEFINITIONS = [
  grantChange,
  unapprovedMerge,
  reviewCampaign,
  identityLeftOrg,
  provisioned,
  anomaly,
  accessSnapshot,
] as const;

type Defined = (typeof KIND_DEFINITIONS)[number];

/** Subject type per kind, as each kind's module declares it. */
export type SubjectByKind = {
  [D in Defined as D['kind']]: D extends KindDefinition<string, infer Subject> ? Subject : never;
};

export type RecordKind = keyof SubjectByKind;

export const RECORD_KINDS: readonly RecordKind[] = KIND_DEFINITIONS.map((d) => d.kind);

/**
 * Controls each kind is evidence for (ids as in src/core/controls.ts, listed in docs/controls.md). Callers may pass their own
 * list; these are the defaults so every record is mapped even when a caller does not care.
 */
export const DEFAULT_CONTROLS: Readonly<Record<RecordKind, readonly string[]>> = Object.fromEntries(
  KIND_DEFINITIONS.map((d) => [d.kind, d.controls]),
) as Record<RecordKind, readonly string[]>;

/**
 * Controls a record cites beyond its kind's defaults, and when: a grant-change record adds these
 * for the change it records (grantChangeControls in src/core/records/grant-change.ts).
 * docs/controls.md and the binder's control matrix list them with the kind.
 */
export const CONDITIONAL_CONTROLS: Readonly<Partial<Record<RecordKind, readonly { control: string; when: string }[]>>> = Object.fromEntries(
  KIND_DEFINITIONS.flatMap((d: KindDefinition) => (d.conditionalControls ? [[d.kind, d.conditionalControls]] : [])),
);
