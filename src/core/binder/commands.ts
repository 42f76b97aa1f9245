/**
 * The commands printed beside each population: a git command an auditor runs inside the clone to
 * see the source rows, and the access-ledger command that rewrites the binder. They use exactly
 * the selection the export itself used (same flags, same bounds), so a count ties back.
 */
import { addDays } from '../dates.ts';
import type { ExportParams } from './types.ts';

const q = (s: string): string => (/^[A-Za-z0-9_./:@=+-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`);

/** `--since/--until` bounds of the period, inclusive UTC days. */
export function periodBounds(p: ExportParams): { since: string; until: string } {
  return { since: `${p.period.from}T00:00:00Z`, until: `${p.period.to}T23:59:59Z` };
}

/**
 * A folder of the access repo as a git pathspec, whatever its case: `Grants/x.yaml` is read as a
 * grant (a case-insensitive file system would), so the history must include it.
 */
export function folderSpec(folder: 'grants/' | 'systems/'): string {
  return `:(icase)${folder}`;
}

/** The git log selection of the period's changes under one folder (the adapter runs the same). */
export function gitLogArgs(p: ExportParams, folder: 'grants/' | 'systems/'): string[] {
  const { since, until } = periodBounds(p);
  return ['log', '--first-parent', '--diff-merges=first-parent', '--no-renames', `--since=${since}`, `--until=${until}`, p.refSha, '--', folderSpec(folder)];
}

function gitLog(p: ExportParams, folder: 'grants/' | 'systems/', show: string): string {
  const [cmd, ...rest] = gitLogArgs(p, folder);
  const at = rest.indexOf(p.refSha);
  const opts = rest.slice(0, at);
  return ['git', cmd, ...opts, `--format='commit %H %cI'`, show, q(p.refSha), '--', q(folderSpec(folder))].join(' ');
}

export function changeListCommand(p: ExportParams, folder: 'grants/' | 'systems/'): string {
  return `${gitLog(p, folder, '--name-status')} | grep -cE '^[AMD][[:space:]]'`;
}

export function changeDiffCommand(p: ExportParams): string {
  return gitLog(p, 'grants/', '-p');
}

export function asOfCommitCommand(p: ExportParams): string {
  return `git rev-list -1 --first-parent --until=${p.asOf}T23:59:59Z ${q(p.refSha)}`;
}

export function inventoryCommand(p: ExportParams): string {
  const commit = p.asOfCommit ?? `$(${asOfCommitCommand(p)})`;
  return `git ls-tree -r --name-only ${commit} -- grants/ | grep -cE '\\.ya?ml$'`;
}

/** Records of one kind whose occurred_at falls in the period, read straight from the ledger branch. */
export function ledgerSelectCommand(p: ExportParams, kind: string, count: string): string {
  const end = addDays(p.period.to, 1);
  return (
    `git archive --format=tar ${q(p.ledgerSha ?? p.ledgerBranch)} records | tar -xO | ` +
    `jq -s '[.[] | select(.kind == "${kind}" and .occurred_at >= "${p.period.from}" and .occurred_at < "${end}")] | ${count}'`
  );
}

export function exportCommand(p: ExportParams): string {
  const parts = [
    'access-ledger export --repo .',
    `--from ${p.period.from}`,
    `--to ${p.period.to}`,
    `--as-of ${p.asOf}`,
    `--ref ${q(p.refSha)}`,
    `--branch ${q(p.ledgerBranch)}`,
    `--seed ${p.seed}`,
    ...(p.sampleSize !== null ? [`--sample ${p.sampleSize}`] : []),
    '--out binder',
  ];
  return parts.join(' ');
}
