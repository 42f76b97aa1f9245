/**
 * What the completeness population reads from a clone: every listing on the ledger branch in and
 * after the period (its record, its stored export rebuilt as `observe --from` rebuilds it, and the
 * access repo as of the moment it was taken), and the merged grant changes after it on the listed
 * systems, with each grant as merged. The rows themselves are the core's
 * (src/core/binder/completeness.ts).
 *
 * Cost: per listing, one `git cat-file blob` of its export and one `git rev-list`; per distinct
 * access commit the listings fall on, one `git ls-tree` and its config, system and grant files
 * through the shared `cat-file --batch`; per later change to a listed system, its grant file.
 */
import type { Pack } from '../../core/engine/policy.ts';
import { completenessRows, type ChangeInput, type CompletenessRow, type ListingInput } from '../../core/binder/completeness.ts';
import type { LedgerIndex } from '../../core/binder/ledger-index.ts';
import { parseAccessFile } from '../../core/binder/parse.ts';
import type { InventorySystem } from '../../core/binder/types.ts';
import type { ExportParams } from '../../core/binder/types.ts';
import { buildSnapshot, type Snapshot } from '../../core/model/snapshot.ts';
import type { Grant } from '../../core/model/types.ts';
import { StoredSnapshotError, snapshotFromRecord } from '../../core/observe/record.ts';
import { connectorOf } from '../../core/observe/snapshot.ts';
import { git } from './git.ts';
import { lastCommitAtOrBefore, readTreeFiles, treeFiles, type CatFile } from './history.ts';

export interface CompletenessReadInput {
  repoDir: string;
  cat: CatFile;
  params: ExportParams;
  ledger: LedgerIndex;
  /** The system files of the as-of tree. */
  systems: readonly InventorySystem[];
  packs: ReadonlyMap<string, Pack>;
}

export async function completenessFromClone(input: CompletenessReadInput): Promise<CompletenessRow[]> {
  const { repoDir, cat, params, ledger } = input;
  const systems = input.systems.map((s) => ({
    id: s.system?.id ?? s.path.replace(/^.*\//, '').replace(/\.ya?ml$/, ''),
    observed: Boolean(connectorOf(s.system?.observe) ?? (s.system?.id === 'github' ? 'github-org' : undefined)),
  }));
  // Systems listed in the period, and every listing of them from the period's start on.
  const listed = new Set(
    ledger.snapshots
      .filter((l) => l.subject.taken_at.slice(0, 10) >= params.period.from && l.subject.taken_at.slice(0, 10) <= params.period.to)
      .map((l) => l.subject.system),
  );
  const relevant = ledger.snapshots.filter((l) => listed.has(l.subject.system) && l.subject.taken_at.slice(0, 10) >= params.period.from);
  const repos = new Map<string, Snapshot>();
  const listings: ListingInput[] = [];
  for (const l of relevant) {
    const commit = await lastCommitAtOrBefore(repoDir, params.refSha, l.subject.taken_at);
    let repo: Snapshot | null = null;
    if (commit) {
      repo = repos.get(commit) ?? null;
      if (!repo) {
        const files = [];
        for await (const f of readTreeFiles(cat, await treeFiles(repoDir, commit)))
          if (f.content !== null) files.push({ path: f.path, content: f.content, blobSha: f.blob });
        repo = buildSnapshot(files);
        repos.clear(); // listings come in time order: one access commit's files at a time
        repos.set(commit, repo);
      }
    }
    let snapshot: ListingInput['snapshot'] = null;
    let problem: string | null = null;
    const raw = params.ledgerSha ? await git(repoDir, ['cat-file', 'blob', `${params.ledgerSha}:${l.subject.raw_path}`]).catch(() => null) : null;
    if (!raw) problem = `${l.subject.raw_path}, the export ${l.ref.key} names, is not on the ledger branch`;
    else {
      const config = repo?.systems.find((s) => s.data?.id === l.subject.system)?.data?.observe;
      try {
        snapshot = snapshotFromRecord(l.subject, l.ref.key, raw, config);
      } catch (err) {
        if (!(err instanceof StoredSnapshotError)) throw err;
        problem = err.message;
      }
    }
    listings.push({
      record: { seq: l.ref.seq, hash: l.ref.hash, key: l.ref.key, occurred_at: l.ref.occurred_at },
      subject: l.subject,
      snapshot,
      problem,
      repo,
      commit,
    });
  }

  // Merged changes to the listed systems after the first of those listings: what may resolve a difference.
  const since = relevant.reduce<string | null>((min, l) => (min === null || l.subject.taken_at < min ? l.subject.taken_at : min), null);
  const changes: ChangeInput[] = [];
  if (since !== null) {
    const grants = new Map<string, Grant | null>();
    for (const gc of ledger.grantChangeByKey.values()) {
      if (gc.ref.occurred_at <= since) continue;
      for (const e of gc.entries) {
        if (!listed.has(e.system)) continue;
        const at = `${gc.merge_sha}:${e.path}`;
        if (!grants.has(at))
          grants.set(at, e.action === 'removed' && e.file_action === 'removed' ? null : parseAccessFile<Grant>(await cat.read(at), 'grant').data);
        changes.push({
          seq: gc.ref.seq,
          key: gc.ref.key,
          occurred_at: gc.pr.merged_at ?? gc.ref.occurred_at,
          pr: gc.pr.number,
          pr_url: gc.pr.url,
          path: e.path,
          system: e.system,
          role: e.role,
          action: e.action,
          grant: grants.get(at) ?? null,
        });
      }
    }
  }
  return completenessRows({ period: params.period, systems, listings, changes, packs: input.packs });
}
