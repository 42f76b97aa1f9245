// A snapshot built with shared strings (as the sweep's worker builds the one it holds) is the
// same data, finding for finding, as one built without: sharing changes which copy of a string a
// value holds, never the value, whatever the files hold.
import fc from 'fast-check';
import { stringify } from 'yaml';
import { describe, expect, it } from 'vitest';
import { SnapshotBuilder, type RepoFile, type Snapshot } from '../../src/core/model/snapshot.ts';

function build(files: RepoFile[], shareStrings: boolean): Snapshot {
  const builder = new SnapshotBuilder({ shareStrings });
  for (const f of files) builder.add(f);
  return builder.finish();
}

/** What a snapshot says, as data: paths, parsed values, validity and findings. */
function said(s: Snapshot) {
  const file = (f: Snapshot['grants'][number] | Snapshot['systems'][number]) => ({
    path: f.path,
    value: f.source.value,
    valid: f.data !== undefined,
    problems: f.problems,
    text: f.source.text,
  });
  return { systems: s.systems.map(file), grants: s.grants.map(file) };
}

const grant = (i: number, expires: string) => `identity:
  id: id-${i}
  kind: human
  github: user${i % 3}
  owner: owner${i % 2}
access:
  - system: sys-${i % 2}
    role: reader
    privileged: false
    justification: Needed for the workload number ${i}, which runs every night on the cluster
    expires: ${expires}
`;

const SYSTEM = 'id: sys-0\nname: System zero\nowners: [owner0]\n';

describe('a snapshot with shared strings', () => {
  it('holds the same data and findings as one without, for clean, broken and hostile files', () => {
    const files: RepoFile[] = [
      { path: 'systems/sys-0.yaml', content: SYSTEM },
      ...Array.from({ length: 30 }, (_, i) => ({ path: `grants/g${i}.yaml`, content: grant(i, i % 2 ? '2027-01-01' : '2027-06-30') })),
      // A key named like the prototype, as data: shared or not, it stays a key and pollutes nothing.
      { path: 'grants/proto.yaml', content: `${grant(99, '2027-01-01')}__proto__:\n  polluted: yes\nconstructor: reader\n` },
      { path: 'grants/alias.yaml', content: 'identity: &a\n  id: id-a\n  kind: human\n  github: user1\n  owner: owner0\nother: *a\n' },
      { path: 'grants/broken.yaml', content: 'identity: [unclosed\n' },
      { path: 'grants/bytes.yaml', content: new Uint8Array([0xff, 0xfe, 0x00]) },
    ];
    const plain = build(files, false);
    const shared = build(files, true);
    expect(said(shared)).toEqual(said(plain));
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    const proto = shared.grants.find((g) => g.path === 'grants/proto.yaml')!.source.value as Record<string, unknown>;
    expect(Object.getPrototypeOf(proto)).toBe(Object.prototype);
    expect(Object.keys(proto)).toContain('__proto__');
    expect(shared.grants.filter((g) => g.data).length).toBe(plain.grants.filter((g) => g.data).length);
  });

  it('holds the same values as one without, for any YAML data', () => {
    const scalar = fc.oneof(fc.constantFrom('2027-01-01', 'reader', 'owner0', ''), fc.string({ maxLength: 50 }), fc.integer(), fc.boolean(), fc.constant(null));
    const value = fc.letrec((tie) => ({
      node: fc.oneof(
        { depthSize: 'small' },
        scalar,
        fc.array(tie('node'), { maxLength: 4 }),
        fc.dictionary(fc.string({ maxLength: 8 }), tie('node'), { maxKeys: 4 }),
      ),
    })).node;
    fc.assert(
      fc.property(fc.array(value, { minLength: 1, maxLength: 6 }), (values) => {
        const files = values.map((v, i) => ({ path: `grants/f${i}.yaml`, content: stringify({ doc: v }) }));
        expect(said(build(files, true))).toEqual(said(build(files, false)));
      }),
      { numRuns: 150 },
    );
  });
});
