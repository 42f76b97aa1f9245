/**
 * index.html: the binder for a person, in one self-contained file, and a page of its own
 * (populations/<id>.html) for each population too large to sit in it (paging.ts). Styles, script,
 * data and SVG charts are inline and a Content-Security-Policy forbids every network fetch, so
 * every page opens offline and cannot leak anything. Tables hold every row of their population,
 * are searched over all of them and shown a page at a time; charts are drawn here, so they print.
 * How the pages print is in page-assets.ts.
 */
import type { Binder, ManifestEntry } from './binder.ts';
import type { EvidenceChain } from './chains.ts';
import { renderBarChart, type ChartData } from './charts.ts';
import { exportCommand } from './commands.ts';
import { CARD_COLUMNS, PAGE_SCRIPT, PAGE_SIZE, PAGE_STYLE } from './page-assets.ts';
import { HTML_INLINE_ROWS, hasOwnPage, pageColumns, populationPagePath } from './paging.ts';
import { gitLink } from './populations/shared.ts';
import type { PopulationTable } from './population-sink.ts';
import type { Cell, Column, ExportParams, Population, Row, SampleSpec } from './types.ts';
import { htmlAttr, htmlText, stripControls } from '../text/escape.ts';

/** Identities listed per system in the page's evidence map; evidence-map.json holds them all. */
export const HTML_MAP_LIMIT = 200;
/** Rows of a table shown before its script runs (and when it does not). */
export const HTML_FIRST_PAGE = PAGE_SIZE;

const link = (url: string | null | undefined, text: string): string =>
  url && /^https:\/\/[^\s"'<>]+$/.test(url) ? `<a href="${htmlAttr(url)}" rel="noreferrer">${htmlText(text)}</a>` : htmlText(text);

const cellHtml = (v: Cell | undefined): string => {
  if (v === null || v === undefined) return '';
  const s = String(v);
  return /^https:\/\//.test(s) ? link(s, s.replace(/^https:\/\/(github\.com\/)?/, '')) : htmlText(s);
};

const SCRIPT_UNSAFE = /[<\u2028\u2029]/;

/** JSON inside <script type="application/json">: `<` escaped so no `</script>` can close it. */
export const scriptJson = (value: unknown): string => {
  const json = JSON.stringify(value);
  return SCRIPT_UNSAFE.test(json)
    ? json
        .replace(/</g, '\\u003c')
        .replace(/\u2028/g, '\\u2028')
        .replace(/\u2029/g, '\\u2029')
    : json;
};

/** A character stripControls removes (every escape sequence it drops starts with one): most cells have none. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: it finds the control characters stripControls removes
const STRIPPED = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;

/** A table's data around its rows: `{"c": keys, "r": [rows]}`, escaped for a `<script>`. */
export function tableDataFrame(keys: readonly string[]): { before: string; after: string } {
  return { before: `{"c":${scriptJson(keys)},"r":[`, after: ']}' };
}

/**
 * One row of a population as the page's table data holds it (cells in column order), without the
 * control and bidi characters that would reorder what the table shows (the CSV and JSON keep them).
 */
export function htmlDataRow(keys: readonly string[], row: Row): string {
  return scriptJson(
    keys.map((k) => {
      const v = row[k] ?? null;
      return typeof v === 'string' && STRIPPED.test(v) ? stripControls(v) : v;
    }),
  );
}

/** One row of a population as the table's first page shows it, each cell labelled with its column (for the printed cards). */
export function htmlTableRow(columns: readonly Pick<Column, 'key' | 'title'>[], row: Row): string {
  let tr = '<tr>';
  for (const c of columns) tr += `<td data-label="${htmlAttr(c.title)}">${cellHtml(row[c.key])}</td>`;
  return tr + '</tr>';
}

function chartFigure(c: ChartData): string {
  const table = `<details><summary>Figures</summary><div class="scroll"><table><thead><tr><th>${htmlText(c.categories.length ? 'Bucket' : '')}</th>${c.series.map((s) => `<th>${htmlText(s.label)}</th>`).join('')}</tr></thead><tbody>${c.categories
    .map((cat, i) => `<tr><td>${htmlText(cat)}</td>${c.series.map((s) => `<td>${Math.abs(s.values[i] ?? 0)}</td>`).join('')}</tr>`)
    .join('')}</tbody></table></div></details>`;
  return `<figure id="${c.id}"><figcaption>${htmlText(c.title)}</figcaption><div class="note">${htmlText(c.note)}</div>${renderBarChart(c)}${table}</figure>`;
}

/** The heading of a population's section: what it answers, its sample, how to reproduce it. */
function populationHead(pop: Population, sample: SampleSpec, headingTag: 'h1' | 'h3'): string {
  return `<${headingTag}>${htmlText(pop.title)} <span class="status-count">(${pop.rowCount.toLocaleString('en-US')} rows)</span></${headingTag}>
<p>${htmlText(pop.question)} <span class="note">${htmlText(pop.unit)}. Sample: ${sample.size} (${htmlText(sample.basis)}).</span></p>
<details><summary>Reproduce</summary>
<p class="note">Source (run inside the clone): ${htmlText(pop.reproduce.tie_back)}</p><pre>${htmlText(pop.reproduce.git)}</pre>
<p class="note">Rewrite this file:</p><pre>${htmlText(pop.reproduce.access_ledger)}</pre>
<p class="note">Files: <code>populations/${htmlText(pop.id)}.csv</code>, <code>populations/${htmlText(pop.id)}.json</code>. Controls: ${htmlText(pop.controls.join(', '))}</p></details>`;
}

/**
 * A population's table up to the content of its data `<script>`; the rows and the rest follow.
 * The table lists every row of the population; a wide one (more than CARD_COLUMNS columns)
 * prints as cards.
 */
function populationTable(pop: Population, table: PopulationTable): string {
  const csvPath = `populations/${pop.id}.csv`;
  const columns = pageColumns(pop.columns);
  const head = columns.map((c) => `<th title="${htmlAttr(c.description)}">${htmlText(c.title)}</th>`).join('');
  const classes = columns.length > CARD_COLUMNS ? 'rows print-cards' : 'rows';
  const count = table.embedded.toLocaleString('en-US');
  return `<div class="tablebox" data-table="${htmlAttr(pop.id)}" data-matching="${table.embedded}" data-csv="${htmlAttr(csvPath)}">
<div class="tools"><input class="filter" type="search" placeholder="Filter ${htmlText(pop.title.toLowerCase())}…" aria-label="Filter ${htmlText(pop.title)}">
<select class="col" aria-label="Column to filter"><option value="">any column</option>${columns.map((c, i) => `<option value="${i}">${htmlText(c.title)}</option>`).join('')}</select>
<span class="pager"><button class="prev" type="button">Previous</button> <button class="next" type="button">Next</button></span> <span class="status">${table.embedded > PAGE_SIZE ? `rows 1–${PAGE_SIZE} of ${count} rows` : `${count} rows`}</span></div>
<p class="printed">Printed: ${table.embedded > PAGE_SIZE ? `rows 1–${PAGE_SIZE} of ${count}; every row is in ${htmlText(csvPath)}` : `all ${count} rows`}.</p>
<div class="scroll"><table class="${classes}"><thead><tr>${head}</tr></thead><tbody>${table.firstPage}</tbody></table></div>
</div>
<script type="application/json" id="data-${htmlText(pop.id)}">`;
}

/** A population's section of index.html up to the content of its data `<script>`. */
function populationSection(pop: Population, table: PopulationTable, sample: SampleSpec, first: boolean): string {
  return `<section class="population${first ? ' first' : ''}" id="pop-${htmlText(pop.id)}">
${populationHead(pop, sample, 'h3')}
${populationTable(pop, table)}`;
}

/** The section of index.html for a population shown on a page of its own. */
function populationLinkSection(pop: Population, sample: SampleSpec, first: boolean): string {
  const page = populationPagePath(pop.id);
  return `<section class="population${first ? ' first' : ''}" id="pop-${htmlText(pop.id)}">
${populationHead(pop, sample, 'h3')}
<p class="own-page">${pop.rowCount.toLocaleString('en-US')} rows: too many to sit in this page, so they have a page of their own, <a href="${htmlAttr(page)}" data-population-page="${htmlAttr(pop.id)}">${htmlText(page)}</a>, which holds and searches every row and opens offline like this one. <code>populations/${htmlText(pop.id)}.csv</code> and <code>.json</code> hold them too.</p>
</section>`;
}

/** The start of a page of the binder, up to and including `<body>`. */
function pageStart(title: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'">
<meta name="referrer" content="no-referrer">
<title>${htmlText(title)}</title><style>${PAGE_STYLE}</style></head>
<body>
`;
}

const binderTitle = (p: ExportParams): string => `Access binder${p.repository ? `: ${p.repository}` : ''}, ${p.period.from} to ${p.period.to}`;

function chainCard(c: EvidenceChain): string {
  const item = c.item.login
    ? `login <strong>${htmlText(c.item.login)}</strong>`
    : c.item.account
      ? `account <strong>${htmlText(c.item.account)}</strong> listed by ${htmlText(c.item.system ?? '')}${c.item.identity ? ` (grant ${htmlText(c.item.identity)})` : ''}`
      : `<strong>${htmlText(c.item.identity ?? '')}</strong>${c.item.kind ? ` (${htmlText(c.item.kind)})` : ''}${c.item.system ? ` → ${htmlText(c.item.system)} as ${htmlText(c.item.role ?? '')}` : ''}${c.item.path ? ` <span class="note">${htmlText(c.item.path)}</span>` : ''}`;
  const steps: string[] = [];
  if (c.request)
    steps.push(
      `<li><b>Request</b>: ${link(c.request.url, `PR #${c.request.pr}`)} “${htmlText(c.request.title)}” by ${htmlText(c.request.author)}, opened ${htmlText(c.request.opened_at)}</li>`,
    );
  else steps.push('<li><b>Request</b>: <span class="gap">no pull request on record</span></li>');
  if (c.approvals.length === 0) steps.push(`<li><b>Approvals</b>: <span class="${c.request ? 'note' : 'gap'}">none recorded</span></li>`);
  else
    steps.push(
      `<li><b>Approvals</b>:<ul>${c.approvals
        .map(
          (a) =>
            `<li>${htmlText(a.reviewer)}: ${htmlText(a.state)} at ${htmlText(a.at)}; reviewed commit = merged head: <b>${a.reviewed_commit_is_merged_head ? 'yes' : 'no'}</b>; ${a.counted ? 'counted' : 'not counted'}: ${htmlText(a.eligible_because)}</li>`,
        )
        .join('')}</ul></li>`,
    );
  if (c.merge)
    steps.push(
      `<li><b>Merge</b>: ${htmlText(c.merge.at ?? 'time unknown')} by ${htmlText(c.merge.by ?? 'unknown')}, commit ${link(c.merge.url, c.merge.commit.slice(0, 12))}</li>`,
    );
  if (c.provisioning.length)
    steps.push(
      `<li><b>Provisioning</b>: ${c.provisioning.map((pv) => `${link(pv.url, `run ${pv.run_id}`)} ${htmlText(pv.conclusion)} at ${htmlText(pv.completed_at)}`).join('; ')}</li>`,
    );
  else if (c.request) steps.push('<li><b>Provisioning</b>: <span class="note">not recorded</span></li>');
  if (c.reviews_since.length)
    steps.push(
      `<li><b>Reviews since</b>: ${c.reviews_since.map((r) => `${htmlText(r.reviewed_on)} ${htmlText(r.outcome)} by ${htmlText(r.reviewers.join(', '))} (${link(r.url, `PR #${r.pr}`)}, seq ${r.seq})`).join('; ')}</li>`,
    );
  else if (c.request) steps.push('<li><b>Reviews since</b>: none recorded</li>');
  if (c.removal)
    steps.push(
      `<li><b>Removal</b>: ${htmlText(c.removal.at)}${c.removal.pr ? ` by ${link(c.removal.url, `PR #${c.removal.pr}`)}` : c.removal.commit ? ` in commit ${htmlText(c.removal.commit.slice(0, 12))}` : ''}</li>`,
    );
  if (c.affected)
    steps.push(
      `<li><b>Grants naming the login</b>: ${c.affected.map((a) => `${htmlText(a.path)} (${htmlText(a.role)}): ${a.removed_at ? `removed ${htmlText(a.removed_at)}` : '<span class="gap">not removed</span>'}`).join('; ') || 'none'}</li>`,
    );
  const ledger = c.ledger.length
    ? `<li><b>Ledger</b>: ${c.ledger.map((l) => `${htmlText(l.role)} ${link(l.url, `seq ${l.seq}`)} <code title="${htmlAttr(l.hash)}">${htmlText(l.hash.slice(0, 16))}…</code>`).join('; ')}</li>`
    : '<li><b>Ledger</b>: <span class="gap">no record</span></li>';
  const gaps = c.gaps.length ? `<p class="gap">Gaps: ${htmlText(c.gaps.join('; '))}</p>` : '';
  return `<article class="chain${c.gaps.length ? ' has-gaps' : ''}" data-population="${htmlAttr(c.population)}" data-row="${c.row + 1}"><div>Draw ${c.draw + 1}, row ${c.row + 1}: ${item}</div><ol>${steps.join('')}${ledger}</ol>${gaps}</article>`;
}

/** A piece of index.html: text, or the place of a population's embedded rows (see PopulationOutput.html). */
export type HtmlPiece = string | { rowsOf: string };

/**
 * index.html, in pieces. A population's table embeds every row of it (a larger one has a page of
 * its own: renderPopulationPage), so the page is handed on section by section, and each table's
 * rows are marked by a `{ rowsOf: id }` piece for the writer to fill from where the population's
 * sink put them, so they are never held in memory.
 */
export function* renderHtml(b: Binder, files: readonly ManifestEntry[]): Generator<HtmlPiece> {
  const p = b.params;
  const charts = b.charts;
  const title = binderTitle(p);
  const v = b.verification;
  const cards = b.populations
    .map(
      (x, i) =>
        `<a class="card" href="#pop-${htmlText(x.id)}" style="text-decoration:none;color:inherit"><div class="n">${x.rowCount.toLocaleString('en-US')}</div><div class="t">${htmlText(x.title)} · sample ${b.samples[i]!.size}</div></a>`,
    )
    .join('');
  const gapRows = Object.entries(b.evidenceMap.gap_counts)
    .sort((a, c) => c[1] - a[1])
    .map(([k, n]) => `<tr><td>${htmlText(k)}</td><td>${n}</td></tr>`)
    .join('');
  const mapHtml = b.evidenceMap.systems
    .map((s) => {
      const ids = s.identities.slice(0, HTML_MAP_LIMIT);
      const more =
        s.identity_count > ids.length
          ? `<p class="truncated">${ids.length} of ${s.identity_count} identities shown; all are in <code>evidence-map.json</code> and <code>evidence-map.csv</code>.</p>`
          : '';
      return `<details class="system"${b.evidenceMap.systems.length <= 12 ? ' open' : ''}><summary>${htmlText(s.id)}${s.name ? ` — ${htmlText(s.name)}` : ''} <span class="note">${htmlText(s.category ?? '?')}, ${htmlText(s.environment ?? 'environment not stated')}, ${s.identity_count} access entries</span>${s.gaps.length ? ` <span class="gap">(${htmlText(s.gaps.join('; '))})</span>` : ''}</summary>
<p>Owner: ${htmlText(s.owner ?? '—')} · Approvers: ${htmlText(s.approvers.join(', ') || '—')} · Review cadence: ${htmlText(s.evidence.review_cadence_days ?? '—')} days<br>Provisioning evidence: ${htmlText(s.evidence.provisioning ?? '—')} · Activity log: ${htmlText(s.evidence.activity ?? '—')}${s.listings?.length ? `<br>Listed by the system itself: ${s.listings.map((l) => `${link(gitLink(p, 'ledger', l.raw_path), l.taken_at)} (record ${htmlText(l.key)}, seq ${l.seq}; export SHA-256 <code>${htmlText(l.raw_sha256)}</code>)`).join('; ')}` : ''}</p>
<div class="scroll"><table class="rows"><thead><tr><th>Identity</th><th>Kind</th><th>Role</th><th>Privileged</th><th>Access path</th><th>Expires</th><th>Owner</th><th>Approval record</th><th>Use logged in</th><th>Gaps</th></tr></thead><tbody>${ids
        .map(
          (i) =>
            `<tr><td>${htmlText(i.identity)}</td><td>${htmlText(i.kind)}</td><td>${htmlText(i.role)}</td><td>${i.privileged ? 'yes' : 'no'}</td><td>${htmlText(i.access_path)}</td><td>${htmlText(i.expires ?? '')}</td><td>${htmlText(i.owner ?? '')}</td><td>${i.approval ? `${link(i.approval.url, `PR #${i.approval.pr}`)}, seq ${i.approval.seq}` : ''}</td><td>${htmlText(i.log_source ?? '')}</td><td class="gap">${htmlText(i.gaps.join('; '))}</td></tr>`,
        )
        .join('')}</tbody></table></div>${more}</details>`;
    })
    .join('\n');
  const samples = b.populations
    .map((x, i) => {
      const s = b.samples[i]!;
      const chains = b.chains.filter((c) => c.population === x.id);
      return `<details class="sample" id="sample-${htmlText(x.id)}"${chains.length ? ' open' : ''}><summary>${htmlText(x.title)}: ${s.size} of ${s.population_rows}</summary><p class="note">${htmlText(s.basis)}; seed ${s.seed}, stream seed ${s.stream_seed}; rows ${htmlText(s.rows.map((r) => r + 1).join(', ') || 'none')}</p>${chains.map(chainCard).join('')}</details>`;
    })
    .join('\n');
  const matrix = b.controlMatrix
    .map(
      (c) =>
        `<tr><td><b>${htmlText(c.control)}</b></td><td>${htmlText(c.title)}</td><td>${htmlText(c.rules.join(', '))}</td><td>${htmlText(c.record_kinds.join(', '))}</td><td>${c.populations.map((x) => `<a href="#pop-${htmlText(x.id)}">${htmlText(x.id)}</a> (${x.rows})`).join(', ')}</td><td>${c.findings_at_merge}</td><td>${c.findings_as_of}</td></tr>`,
    )
    .join('');
  const problems = v.problems
    .slice(0, 50)
    .map((x) => `<tr><td>${htmlText(x.seq ?? '')}</td><td>${htmlText(x.check)}</td><td>${htmlText(x.problem)}</td></tr>`)
    .join('');
  yield `${pageStart(title)}<header><h1>${htmlText(title)}</h1>
<p class="meta">Inventory as of ${htmlText(p.asOf)}${p.asOfCommit ? ` (commit <code>${htmlText(p.asOfCommit.slice(0, 12))}</code>)` : ''} · access branch <code>${htmlText(p.ref)}</code> at <code>${htmlText(p.refSha.slice(0, 12))}</code> · ledger <code>${htmlText(p.ledgerBranch)}</code>${p.ledgerSha ? ` at <code>${htmlText(p.ledgerSha.slice(0, 12))}</code>` : ''}</p>
<p class="meta">Ledger verification: <span class="badge ${v.ok ? 'ok' : 'bad'}" id="verification-badge">${v.ok ? 'passed' : 'FAILED'}</span> ${htmlText(v.summary)}</p>
<p class="meta">Generated ${htmlText(p.generatedAt)} by ${htmlText(p.tool.name)} ${htmlText(p.tool.version)} · sample seed <b>${p.seed}</b> · reproduce with <code>${htmlText(exportCommand(p))}</code></p></header>
<nav><a href="#summary">Summary</a><a href="#evidence-map">Evidence map</a><a href="#charts">Charts</a><a href="#populations">Populations</a><a href="#samples">Samples and chains</a><a href="#controls">Control matrix</a><a href="#verification">Verification</a><a href="#files">Files</a></nav>
<main>
<h2 id="summary">Summary</h2>
<div class="cards">${cards}</div>
<h3>Evidence gaps</h3>
${gapRows ? `<table style="max-width:640px"><thead><tr><th>Gap</th><th>Count</th></tr></thead><tbody>${gapRows}</tbody></table>` : '<p>None.</p>'}
<p class="note">Findings of the rules on ${htmlText(p.asOf)}: ${b.asOfFindings.total}. Ledger: ${b.ledger.records} records (${htmlText(
    Object.entries(b.ledger.by_kind)
      .map(([k, n]) => `${k} ${n}`)
      .join(', ') || 'none',
  )}).</p>
<h2 id="evidence-map">Evidence map</h2>
<p class="note">Every system in scope on ${htmlText(p.asOf)}, and under it every identity with access to it. Gaps are marked in red.</p>
${
  b.evidenceMap.unreadable.length
    ? `<p class="gap">${b.evidenceMap.unreadable.length} grant files could not be read at the as-of commit: ${htmlText(
        b.evidenceMap.unreadable
          .slice(0, 20)
          .map((u) => u.path)
          .join(', '),
      )}</p>`
    : ''
}
${mapHtml || '<p>No systems.</p>'}
<h2 id="charts">Charts</h2>
<div class="charts">${charts.map(chartFigure).join('')}</div>
<h2 id="populations">Populations</h2>
<p class="note">Each population is complete and unfiltered; rows lacking evidence are kept and name their gap. Every table holds every row of its population, shown ${PAGE_SIZE} at a time: filter it by typing (the filter searches all rows), choose a column to narrow the search. A population of more than ${HTML_INLINE_ROWS.toLocaleString('en-US')} rows has a page of its own, linked below.</p>
`;
  for (let i = 0; i < b.populations.length; i++) {
    const pop = b.populations[i]!;
    const sep = i > 0 ? '\n' : '';
    if (hasOwnPage(pop)) {
      yield sep + populationLinkSection(pop, b.samples[i]!, i === 0);
      continue;
    }
    const frame = tableDataFrame(b.tables[i]!.keys);
    yield sep + populationSection(pop, b.tables[i]!, b.samples[i]!, i === 0) + frame.before;
    yield { rowsOf: pop.id };
    yield `${frame.after}</script>\n</section>`;
  }
  yield `
<h2 id="samples">Samples and evidence chains</h2>
<p class="note">Drawn with mulberry32 from seed ${p.seed}: per population the stream seed is the seed XOR the FNV-1a-32 hash of the population id, and k rows are the first k steps of a Fisher-Yates shuffle (docs/binder.md). Row numbers are 1-based in the population's CSV.</p>
${samples}
<h2 id="controls">Control matrix</h2>
<div class="scroll"><table id="control-matrix"><thead><tr><th>Control</th><th>Title</th><th>Rules</th><th>Ledger records</th><th>Populations</th><th>Findings at merge (period)</th><th>Findings as of ${htmlText(p.asOf)}</th></tr></thead><tbody>${matrix}</tbody></table></div>
<h2 id="verification">Ledger verification</h2>
<p><span class="badge ${v.ok ? 'ok' : 'bad'}">${v.ok ? 'passed' : 'FAILED'}</span> ${htmlText(v.summary)}</p>
${v.first_problem ? `<p class="gap">First problem: ${htmlText(v.first_problem)}</p>` : ''}
${(v.warnings ?? []).map((w) => `<p class="note">Note: ${htmlText(w)}</p>`).join('')}
${problems ? `<table><thead><tr><th>Seq</th><th>Check</th><th>Problem</th></tr></thead><tbody>${problems}</tbody></table>` : ''}
<p class="note">Re-run: <code>${htmlText(v.command)}</code></p>
<h2 id="files">Files</h2>
<p class="note">SHA-256 of each file written before this page; <code>manifest.json</code> lists every file including this one.</p>
<div class="scroll"><table><thead><tr><th>File</th><th>Bytes</th><th>SHA-256</th></tr></thead><tbody>${files.map((f) => `<tr><td>${htmlText(f.path)}</td><td>${f.bytes}</td><td><code>${htmlText(f.sha256)}</code></td></tr>`).join('')}</tbody></table></div>
</main>
<script>${PAGE_SCRIPT}</script>
</body></html>
`;
}

/**
 * populations/<id>.html, in pieces, for a population with a page of its own (hasOwnPage): the
 * population's section of the binder with every row embedded, self-contained like index.html,
 * which it links back to. The rows are a `{ rowsOf: id }` piece, as in renderHtml.
 */
export function* renderPopulationPage(b: Binder, index: number): Generator<HtmlPiece> {
  const p = b.params;
  const pop = b.populations[index]!;
  const table = b.tables[index]!;
  const frame = tableDataFrame(table.keys);
  yield `${pageStart(`${pop.title}: ${binderTitle(p)}`)}<header>
<p class="meta"><a href="../index.html#pop-${htmlAttr(pop.id)}">${htmlText(binderTitle(p))}</a> · inventory as of ${htmlText(p.asOf)} · access branch <code>${htmlText(p.ref)}</code> at <code>${htmlText(p.refSha.slice(0, 12))}</code> · ledger <code>${htmlText(p.ledgerBranch)}</code>${p.ledgerSha ? ` at <code>${htmlText(p.ledgerSha.slice(0, 12))}</code>` : ''} · generated ${htmlText(p.generatedAt)}</p>
</header>
<main>
<section class="population first" id="pop-${htmlText(pop.id)}">
${populationHead(pop, b.samples[index]!, 'h1')}
<p class="note">Every row of the population is in this page, shown ${PAGE_SIZE} at a time: filter by typing (the filter searches all rows), choose a column to narrow the search. Sampled rows and their evidence chains are in <a href="../index.html#sample-${htmlAttr(pop.id)}">the binder</a>.</p>
${populationTable(pop, table)}${frame.before}`;
  yield { rowsOf: pop.id };
  yield `${frame.after}</script>
</section>
</main>
<script>${PAGE_SCRIPT}</script>
</body></html>
`;
}
