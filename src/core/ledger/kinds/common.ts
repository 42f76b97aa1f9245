/**
 * What every record kind's module shares: the timestamp and pull request shapes its subject uses,
 * and `defineKind`, which carries a kind's name, the controls its records cite and (as a type
 * only) the shape of its `subject`. src/core/ledger/kinds.ts lists the kinds.
 */

/** An ISO 8601 UTC timestamp, `YYYY-MM-DDTHH:MM:SSZ` (fractional seconds allowed). */
export type Timestamp = string;

/** The pull request an event is about, as GitHub reported it. */
export interface PullRequestRef {
  number: number;
  title: string;
  url: string;
  /** Login of the PR's author. */
  author: string;
  created_at: Timestamp;
  merged_at: Timestamp | null;
  /** Login of whoever merged it (null if GitHub did not say, e.g. a merge queue bot is hidden). */
  merged_by: string | null;
}

/** A control a record cites beyond its kind's defaults, and when. */
export interface ConditionalControl {
  control: string;
  when: string;
}

/**
 * A record kind: its name, the controls its records cite by default (ids as in
 * src/core/controls.ts) and those it cites only for some records. `Subject` is the shape of its
 * records' `subject`, carried as a type: it is never set at run time.
 */
export interface KindDefinition<Kind extends string = string, Subject = unknown> {
  readonly kind: Kind;
  readonly controls: readonly string[];
  readonly conditionalControls?: readonly ConditionalControl[];
  /** Type only: the subject's shape. */
  readonly subject?: Subject;
}

/** Declares a kind; `defineKind<MySubject>()({ kind: 'my-kind', controls: [...] })` keeps the kind's name literal. */
export function defineKind<Subject>() {
  return <const Kind extends string>(definition: {
    kind: Kind;
    controls: readonly string[];
    conditionalControls?: readonly ConditionalControl[];
  }): KindDefinition<Kind, Subject> => definition;
}
