/**
 * The as-of tree is kept for the rules as the tree pass parsed it, outside the heap: each grant
 * comes back as the parser gave it, whichever reader parsed it (the fast one, or the full YAML
 * parser for what the fast one leaves), unreadable files with their problem, and only once.
 */
import { describe, expect, it } from 'vitest';
import { AsOfTree } from '../../src/core/binder/findings-as-of.ts';
import { parseAccessFile } from '../../src/core/binder/parse.ts';
import type { Grant } from '../../src/core/model/types.ts';

const FILES: Record<string, string> = {
  'grants/a.yaml':
    'identity:\n  id: a\n  kind: human\n  owner: carol\n  github: a\naccess:\n  - system: prod-db\n    role: read\n    justification: Needed for ünïcödé reports\n    expires: 2026-12-31\n',
  // A block scalar: outside the fast reader's subset, so the full parser reads it.
  'grants/b.yaml':
    'identity:\n  id: b\n  kind: human\n  owner: carol\n  github: b\naccess:\n  - system: prod-db\n    role: read\n    justification: |\n      Two lines\n      of reasons\n',
  'grants/c.yaml': 'identity: [not, a, mapping]\n',
};

describe('AsOfTree', () => {
  it('gives every grant back as parsed, then lets its text go', () => {
    const tree = new AsOfTree();
    const parsed = Object.entries(FILES).map(([path, content]) => {
      const p = parseAccessFile<Grant>(content, 'grant');
      tree.addGrant({ path, blob: `${path.length}`.repeat(40).slice(0, 40), grant: p.data, problem: p.problem }, p.json, content);
      return { path, p };
    });
    expect(parsed[0]!.p.json).toBeDefined();
    expect(parsed[1]!.p.json).toBeUndefined();
    expect(parsed[1]!.p.data?.access[0]?.justification).toBe('Two lines\nof reasons\n');
    expect(parsed[2]!.p.data).toBeNull();
    const back = [...tree.takeGrants()];
    expect(back.map((g) => g.path)).toEqual(Object.keys(FILES));
    back.forEach((g, i) => {
      expect(g.grant).toEqual(parsed[i]!.p.data);
      expect(g.problem).toBe(parsed[i]!.p.problem);
    });
    expect(() => [...tree.takeGrants()]).toThrow(/released/);
  });
});
