/**
 * The population registry (src/core/binder/populations/): every population a module with its
 * metadata, columns and hooks, listed once; and the order the export drives them in, which is
 * part of the output: the `gaps` rows of one input come in the order its rows were made (a move
 * before the access it added, an inventory entry before its privileged row), whatever the
 * binder's order of the populations.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { CONTROLS } from '../../src/core/controls.ts';

const CONTROL_IDS: ReadonlySet<string> = new Set(CONTROLS.map((x) => x.id));
import { POPULATION_ORDER, POPULATIONS, ROW_ORDER } from '../../src/core/binder/populations/index.ts';
import type { Row } from '../../src/core/binder/types.ts';
import { buildCore, type CoreBinder, type HistoryCommit } from './core.ts';

const sha = (n: number): string => n.toString(16).padStart(40, '0');
const system = (id: string) =>
  `id: ${id}\nname: ${id}\ncategory: database\nowner: carol\napprovers: [dave]\nreview_cadence_days: 90\nevidence:\n  provisioning: Terraform\n  activity: SIEM\n`;
const person = (id: string, team: string, entries: [system: string, role: string, privileged: boolean][]) =>
  `identity:\n  id: ${id}\n  kind: human\n  owner: olga\n  github: ${id}\n  team: ${team}\naccess:\n${entries.map(([s, r, p]) => `  - system: ${s}\n    role: ${r}\n    privileged: ${p}\n    justification: Work\n    expires: 2026-12-31\n`).join('')}`;

describe('the population registry', () => {
  it("lists every population once, in the binder's order, and orders the hooks of each only once", () => {
    const ids = POPULATIONS.map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(POPULATION_ORDER).toEqual(ids);
    expect(new Set(ROW_ORDER).size).toBe(ROW_ORDER.length);
    for (const id of ROW_ORDER) expect(ids, id).toContain(id);
  });

  it('gives each population a title, a question, a unit, controls from the catalogue and columns with unique keys, ending in its gaps', () => {
    for (const p of POPULATIONS) {
      expect(p.meta.title, p.id).not.toBe('');
      expect(p.meta.question, p.id).toContain('?');
      expect(p.meta.unit, p.id).toMatch(/^one row per /);
      for (const c of p.meta.controls) expect(CONTROL_IDS.has(c), `${p.id}: ${c}`).toBe(true);
      const keys = p.columns.map((c) => c.key);
      expect(new Set(keys).size, p.id).toBe(keys.length);
      if (p.id !== 'gaps') expect(keys.at(-1), p.id).toBe('gaps');
    }
  });
});

describe('the order rows are made in', () => {
  // One commit of the period, pushed without a ledger record: sofia changes team (a move) and gains a privileged
  // entry (an addition); every row of the change has gaps. In the as-of tree, her privileged entry
  // is an inventory row and a privileged row, both without an approval record.
  const history: HistoryCommit[] = [
    {
      sha: sha(1),
      at: '2025-12-05T10:00:00Z',
      files: {
        'access-ledger.yaml': 'version: 1\norganization: acme\nadmins: [sam]\n',
        'systems/prod-db.yaml': system('prod-db'),
        'grants/people/sofia.yaml': person('sofia', 'payments', [['prod-db', 'read', false]]),
      },
    },
    {
      sha: sha(2),
      at: '2026-02-01T12:00:00Z',
      files: {
        'grants/people/sofia.yaml': person('sofia', 'data', [
          ['prod-db', 'read', false],
          ['prod-db', 'admin', true],
        ]),
      },
    },
  ];
  let b: CoreBinder;
  beforeAll(async () => {
    b = await buildCore({ history, records: [], from: '2026-01-01', to: '2026-06-30' });
  });
  const gapRows = (): Row[] => b.rows.get('gaps')!;

  it('lists the gaps of one change in the order its rows were made: the change, the move, what it added, then each field it changed', () => {
    const commit = gapRows()
      .filter((r) => r.population !== 'inventory' && r.population !== 'privileged')
      .map((r) => r.population);
    expect(commit).toEqual(['grant-changes', 'movers', 'additions', 'modifications']);
  });

  it('lists the gaps of the as-of tree entry by entry: each inventory row, then its privileged row', () => {
    const tree = gapRows()
      .filter((r) => r.population === 'inventory' || r.population === 'privileged')
      .map((r) => `${r.population}:${r.role}`);
    expect(tree).toEqual(['inventory:read', 'inventory:admin', 'privileged:admin']);
  });

  it("points each gap at its row by number, in the population's own file order", () => {
    for (const g of gapRows()) {
      const row = b.rows.get(String(g.population))![Number(g.row) - 1]!;
      expect(row.gaps, `${g.population} ${g.row}`).toContain(String(g.gap));
    }
  });

  it("keeps each population in the binder's order, whatever the order its hooks ran in", () => {
    expect([...b.populations.keys()]).toEqual([...POPULATION_ORDER]);
  });
});
