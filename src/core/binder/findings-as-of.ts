/**
 * The rules run over the tree as of the as-of day (every scope but pull-request), as the sweep
 * would: the control matrix counts their findings. The rules need the whole tree at once, so
 * this is the one step that holds every grant of the tree; the export runs it on its own, before
 * the ledger is read, and keeps only the findings.
 */
import type { Finding } from '../findings.ts';
import { evaluate } from '../engine/evaluate.ts';
import { resolvePolicy, type Pack } from '../engine/policy.ts';
import { roleOf, type LoadedFile, type Snapshot } from '../model/snapshot.ts';
import type { Grant, RepoConfig, System } from '../model/types.ts';
import type { RuleRegistry } from '../rules/index.ts';
import { lightLoadedFile, parseAccessFile } from './parse.ts';
import { localeOrder, type InventoryGrant, type InventorySystem } from './populations.ts';
import type { TreeFile } from './types.ts';

export interface AsOfFindings {
  findings: Finding[];
  /** Whether the policy in force on the as-of day runs a rule. */
  enabled: (ruleId: string) => boolean;
}

/** The as-of tree, collected file by file (any order) for the rules. */
export class RulesTree {
  private config: string | null = null;
  private readonly systems: InventorySystem[] = [];
  private readonly grants: InventoryGrant[] = [];

  add(file: TreeFile): void {
    const role = roleOf(file.path);
    if (role === 'grant') {
      const parsed = parseAccessFile<Grant>(file.content, 'grant');
      this.grants.push({ path: file.path, blob: file.blob, grant: parsed.data, problem: parsed.problem });
    } else if (role === 'system') {
      const parsed = parseAccessFile<System>(file.content ?? '', 'system');
      this.systems.push({ path: file.path, blob: file.blob, system: parsed.data, problem: parsed.problem });
    } else if (role === 'config') {
      this.config = file.content;
    }
  }

  /** The rules' findings over the files added, with the policy of the tree's own config. */
  findings(registry: RuleRegistry, packs: ReadonlyMap<string, Pack>, today: string): AsOfFindings {
    this.systems.sort((a, b) => localeOrder(a.path, b.path));
    this.grants.sort((a, b) => localeOrder(a.path, b.path));
    const snapshot: Snapshot = {
      systems: this.systems.map((s) => lightLoadedFile<System>(s.path, s.system, s.problem, s.blob)),
      grants: this.grants.map((g) => lightLoadedFile<Grant>(g.path, g.grant, g.problem, g.blob)),
    };
    if (this.config !== null) {
      const parsed = parseAccessFile<RepoConfig>(this.config, 'config');
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
}
