/**
 * The rules run over the tree as of the as-of day (every scope but pull-request), as the sweep
 * would: the control matrix counts their findings. The rules need the whole tree at once, so the
 * tree is kept for them as the tree pass parsed it, off the heap (TextStore), and they run once
 * the ledger index is gone: the one moment every grant of the tree is in memory as objects is
 * the moment little else is.
 */
import type { Finding } from '../findings.ts';
import { evaluate } from '../engine/evaluate.ts';
import { resolvePolicy, type Pack } from '../engine/policy.ts';
import type { LoadedFile, Snapshot } from '../model/snapshot.ts';
import type { Grant, RepoConfig, System } from '../model/types.ts';
import type { RuleRegistry } from '../rules/index.ts';
import { lightLoadedFile, parseAccessFile } from './parse.ts';
import { localeOrder } from './populations/shared.ts';
import type { InventoryGrant, InventorySystem } from './types.ts';
import { TextStore, type TextRef } from './text-store.ts';

export interface AsOfFindings {
  findings: Finding[];
  /** Whether the policy in force on the as-of day runs a rule. */
  enabled: (ruleId: string) => boolean;
}

/** A grant of the tree as kept: its data, or (when JSON cannot hold it) the file's text to parse again. */
interface KeptGrant {
  path: string;
  blob: string;
  problem: string | null;
  grant: Grant | null;
  content: string | null;
}

/** The as-of tree as parsed once: its config text, its systems, and its grants kept as JSON text. */
export class AsOfTree {
  config: string | null = null;
  readonly systems: InventorySystem[] = [];
  private readonly text = new TextStore();
  private readonly refs: TextRef[] = [];
  private taken = false;

  /**
   * A grant file as parsed: `json` is its data as JSON when the parser made it (plain data, which
   * JSON keeps exactly). Otherwise the file's text is kept and parsed again for the rules, so a
   * value JSON cannot hold (an infinite number, say) reaches them as the parser gave it.
   */
  addGrant(g: InventoryGrant, json: string | undefined, content: string | null): void {
    const kept =
      g.grant === null || json === undefined ? `"grant":null,"content":${JSON.stringify(g.grant === null ? null : content)}` : `"grant":${json},"content":null`;
    this.refs.push(this.text.put(`{"path":${JSON.stringify(g.path)},"blob":${JSON.stringify(g.blob)},"problem":${JSON.stringify(g.problem)},${kept}}`));
  }

  get grantCount(): number {
    return this.refs.length;
  }

  /**
   * The grants, once: their text is freed as they are read (the rules hold them as objects
   * meanwhile, and both need not be in memory at once).
   */
  *takeGrants(): Generator<InventoryGrant> {
    if (this.taken) throw new Error('the as-of tree’s grants were already taken: their text is released');
    this.taken = true;
    for (const ref of this.refs) {
      this.text.releaseBefore(ref);
      const { path, blob, problem, grant, content } = JSON.parse(this.text.get(ref)) as KeptGrant;
      yield content === null ? { path, blob, grant, problem } : { path, blob, grant: parseAccessFile<Grant>(content, 'grant').data, problem };
    }
    this.release();
  }

  /** Frees the grants' text (after the rules ran). */
  release(): void {
    this.text.release();
    this.refs.length = 0;
  }
}

/** The rules' findings over the tree, with the policy of the tree's own config (the tree's grants are used up). */
export function findingsAsOf(tree: AsOfTree, registry: RuleRegistry, packs: ReadonlyMap<string, Pack>, today: string): AsOfFindings {
  const byPath = (a: { path: string }, b: { path: string }): number => localeOrder(a.path, b.path);
  const snapshot: Snapshot = {
    systems: [...tree.systems].sort(byPath).map((s) => lightLoadedFile<System>(s.path, s.system, s.problem, s.blob)),
    grants: [...tree.takeGrants()].sort(byPath).map((g) => lightLoadedFile<Grant>(g.path, g.grant, g.problem, g.blob)),
  };
  if (tree.config !== null) {
    const parsed = parseAccessFile<RepoConfig>(tree.config, 'config');
    snapshot.config = lightLoadedFile<RepoConfig>('access-ledger.yaml', parsed.data, parsed.problem) as LoadedFile<RepoConfig>;
  }
  const { policy, findings: policyFindings } = resolvePolicy(snapshot.config, packs, registry);
  const findings = [...policyFindings, ...evaluate({ snapshot, policy, registry, today, scopes: ['file', 'repo', 'time'] })];
  const enabled = (id: string): boolean => {
    const s = policy.rules.get(id)?.severity;
    return s !== undefined && s !== 'off';
  };
  return { findings, enabled };
}
