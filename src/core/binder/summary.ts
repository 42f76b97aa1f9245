/** summary.md: the binder in a page of Markdown, for pasting into an audit request tracker. */
import type { Binder } from './binder.ts';
import { exportCommand } from './commands.ts';
import { mdCell, mdCode, mdText } from '../text/escape.ts';
import { gapTitle, type GapKind } from './gaps.ts';

export function renderSummary(b: Binder): string {
  const p = b.params;
  const lines: string[] = [];
  lines.push(`# Access binder${p.repository ? `: ${mdText(p.repository)}` : ''}, ${p.period.from} to ${p.period.to}`, '');
  lines.push(
    `- Period: ${p.period.from} to ${p.period.to} (UTC days, inclusive); inventory as of ${p.asOf}${p.asOfCommit ? ` (commit ${mdCode(p.asOfCommit.slice(0, 12))})` : ''}`,
  );
  lines.push(
    `- Access branch: ${mdCode(p.ref)} at ${mdCode(p.refSha.slice(0, 12))}; ledger branch ${mdCode(p.ledgerBranch)}${p.ledgerSha ? ` at ${mdCode(p.ledgerSha.slice(0, 12))}` : ''} (${b.ledger.records} records)`,
  );
  lines.push(`- Ledger verification: **${b.verification.ok ? 'passed' : 'FAILED'}**: ${mdText(b.verification.summary)}`);
  for (const w of b.verification.warnings ?? []) lines.push(`  - Note: ${mdText(w)}`);
  lines.push(
    `- Generated ${p.generatedAt} by ${p.tool.name} ${p.tool.version}; sample seed **${p.seed}**${p.sampleSize !== null ? `, --sample ${p.sampleSize}` : ', default sizes'}`,
  );
  lines.push(`- Reproduce: ${mdCode(exportCommand(p))}`, '');
  lines.push('## Populations', '');
  lines.push('| Population | Rows | Sampled | Rows with gaps | File |', '|---|---:|---:|---:|---|');
  b.populations.forEach((pop, i) => {
    const rows = pop.tally ? `${pop.rowCount} (${mdCell(pop.tally)})` : String(pop.rowCount);
    lines.push(
      `| ${mdCell(pop.title)} | ${rows} | ${b.samples[i]!.size} | ${pop.columns.some((c) => c.key === 'gaps') ? pop.gapRows : '–'} | populations/${pop.id}.csv |`,
    );
  });
  lines.push('');
  lines.push('Each population file states the git command that lists its source and the row count it ties back to; `populations/<id>.json` carries both.', '');
  // Start from the exceptions: every gap of the period, by population and kind (populations/gaps.csv lists each).
  const byPopulation = b.populations.filter((pop) => pop.gapKinds && Object.keys(pop.gapKinds).length > 0);
  lines.push('## Gaps by population', '');
  if (byPopulation.length === 0) lines.push('None: no row of any population lacks evidence.', '');
  else {
    lines.push('| Population | Gap | Count |', '|---|---|---:|');
    for (const pop of byPopulation)
      for (const [kind, n] of Object.entries(pop.gapKinds!)) lines.push(`| ${mdCell(pop.title)} | ${mdCell(gapTitle(kind as GapKind))} | ${n} |`);
    lines.push('', 'Each gap is a row of `populations/gaps.csv`, which names the population and the row it belongs to.', '');
  }
  if (!p.provisioningWorkflow && !b.ledger.by_kind.provisioned) {
    lines.push(
      'No provisioning workflow is configured (`ledger.provisioning_workflow`) and no provisioning run is recorded: the ledger holds no provisioning evidence, so a blank "Provisioned at" is not counted as a gap. Each system names its own provisioning evidence (`evidence.provisioning`, in the evidence map).',
      '',
    );
  }
  const gapEntries = Object.entries(b.evidenceMap.gap_counts).sort((a, b2) => b2[1] - a[1]);
  lines.push('## Evidence map gaps', '');
  if (gapEntries.length === 0)
    lines.push(
      'None: every system has an owner, approvers and evidence sources, and every access entry has an owner, an approval record and a log source.',
      '',
    );
  else {
    lines.push('| Gap | Count |', '|---|---:|');
    for (const [k, v] of gapEntries) lines.push(`| ${mdCell(k)} | ${v} |`);
    lines.push('');
  }
  lines.push('## Control matrix', '');
  lines.push('| Control | Rules | Populations | Findings at merge | Findings as of ' + p.asOf + ' |', '|---|---|---|---:|---:|');
  for (const c of b.controlMatrix) {
    lines.push(
      `| ${c.control} ${mdCell(c.title)} | ${c.rules.length} | ${c.populations.map((x) => x.id).join(', ') || '–'} | ${c.findings_at_merge} | ${c.findings_as_of} |`,
    );
  }
  lines.push('');
  const unapproved = b.populations.find((x) => x.id === 'unapproved-merges')!.rowCount;
  lines.push('## Exceptions to note', '');
  lines.push(`- Unapproved merges in the period: ${unapproved}`);
  lines.push(`- Sampled items with gaps in their evidence chain: ${b.chains.filter((c) => c.gaps.length > 0).length} of ${b.chains.length}`);
  if (b.ledger.malformed > 0) lines.push(`- Ledger records whose subject could not be read: ${b.ledger.malformed}`);
  lines.push('', 'Open `index.html` for the charts, the searchable populations and every sampled chain; `manifest.json` lists the SHA-256 of every file.', '');
  return lines.join('\n');
}
