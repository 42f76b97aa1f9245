/**
 * What one change did to a grant file, entry by entry and field by field. An access entry is
 * known by its system and role (the n-th entry with the same pair gets `#n`), so an edited expiry
 * is a modification while a new role on the same system is an addition.
 */
import type { AccessEntry, Grant } from '../model/types.ts';

export interface EntryRef {
  key: string;
  entry: AccessEntry;
}

export interface FieldChange {
  field: string;
  before: string | null;
  after: string | null;
}

export interface EntryModification {
  key: string;
  before: AccessEntry;
  after: AccessEntry;
  fields: FieldChange[];
}

export interface GrantDiff {
  added: EntryRef[];
  removed: EntryRef[];
  modified: EntryModification[];
  /** Changes outside `access` (identity, credential, review, exception, …), flattened. */
  fields: FieldChange[];
}

export function entryRefs(grant: Grant | null | undefined): EntryRef[] {
  if (!grant) return [];
  const seen = new Map<string, number>();
  return grant.access.map((entry) => {
    const base = `${entry.system}\u0000${entry.role}`;
    const n = (seen.get(base) ?? 0) + 1;
    seen.set(base, n);
    return { key: n === 1 ? base : `${base}\u0000#${n}`, entry };
  });
}

function show(value: unknown): string | null {
  if (value === undefined || value === null) return null;
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** Leaf values of an object as dotted paths (arrays of scalars stay one value). */
function flatten(value: unknown, prefix: string, out: Map<string, string | null>): void {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) flatten(v, prefix ? `${prefix}.${k}` : k, out);
    return;
  }
  out.set(prefix, show(value));
}

export function fieldChanges(before: unknown, after: unknown, prefix = ''): FieldChange[] {
  const a = new Map<string, string | null>();
  const b = new Map<string, string | null>();
  flatten(before ?? {}, prefix, a);
  flatten(after ?? {}, prefix, b);
  const out: FieldChange[] = [];
  for (const field of new Set([...a.keys(), ...b.keys()])) {
    const x = a.get(field) ?? null;
    const y = b.get(field) ?? null;
    if (x !== y) out.push({ field, before: x, after: y });
  }
  return out.sort((p, q) => p.field.localeCompare(q.field));
}

export function diffGrant(before: Grant | null | undefined, after: Grant | null | undefined): GrantDiff {
  const was = new Map(entryRefs(before).map((r) => [r.key, r]));
  const now = new Map(entryRefs(after).map((r) => [r.key, r]));
  const added: EntryRef[] = [];
  const removed: EntryRef[] = [];
  const modified: EntryModification[] = [];
  for (const [key, r] of now) {
    const old = was.get(key);
    if (!old) added.push(r);
    else {
      const fields = fieldChanges(old.entry, r.entry);
      if (fields.length > 0) modified.push({ key, before: old.entry, after: r.entry, fields });
    }
  }
  for (const [key, r] of was) if (!now.has(key)) removed.push(r);
  const strip = (g: Grant | null | undefined): unknown => {
    if (!g) return {};
    const { access: _a, ...rest } = g;
    return rest;
  };
  const fields = before && after ? fieldChanges(strip(before), strip(after)) : [];
  return { added, removed, modified, fields };
}
