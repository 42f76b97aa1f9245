/**
 * index.html: the binder for a person, in one self-contained file. Styles, script, data and SVG
 * charts are inline and a Content-Security-Policy forbids every network fetch, so it opens
 * offline and cannot leak anything. Tables are searchable; charts are drawn here, so they print.
 */
import type { Binder, ManifestEntry } from './binder.ts';
import type { EvidenceChain } from './chains.ts';
import { renderBarChart, type ChartData } from './charts.ts';
import { exportCommand } from './commands.ts';
import { gitLink } from './populations.ts';
import type { PopulationTable } from './population-sink.ts';
import type { Cell, Population, Row, SampleSpec } from './types.ts';
import { htmlAttr, htmlText, stripControls } from '../text/escape.ts';

/** Rows of one population embedded in the page; the CSV and JSON always hold them all. */
export const HTML_ROW_LIMIT = 25_000;
/** Identities listed per system in the page's evidence map; evidence-map.json holds them all. */
export const HTML_MAP_LIMIT = 200;
/** Rows of a table shown before its script runs (and when it does not). */
export const HTML_FIRST_PAGE = 25;


const link = (url: string | null | undefined, text: string): string =>
  url && /^https:\/\/[^\s"'<>]+$/.test(url) ? `<a href="${htmlAttr(url)}" rel="noreferrer">${htmlText(text)}</a>` : htmlText(text);

const cellHtml = (v: Cell | undefined): string => {
  if (v === null || v === undefined) return '';
  const s = String(v);
  return /^https:\/\//.test(s) ? link(s, s.replace(/^https:\/\/(github\.com\/)?/, '')) : htmlText(s);
};

/** JSON inside <script type="application/json">: `<` escaped so no `</script>` can close it. */
export const scriptJson = (value: unknown): string => JSON.stringify(value).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');

/** A table's data around its rows: `{"c": keys, "r": [rows]}`, escaped for a `<script>`. */
export function tableDataFrame(keys: readonly string[]): { before: string; after: string } {
  return { before: `{"c":${scriptJson(keys)},"r":[`, after: ']}' };
}

/**
 * One row of a population as the page's table data holds it (cells in column order), without the
 * control and bidi characters that would reorder what the table shows (the CSV and JSON keep them).
 */
export function htmlDataRow(keys: readonly string[], row: Row): string {
  return scriptJson(keys.map((k) => {
    const v = row[k] ?? null;
    return typeof v === 'string' ? stripControls(v) : v;
  }));
}

/** One row of a population as the table's first page shows it. */
export function htmlTableRow(keys: readonly string[], row: Row): string {
  let tr = '<tr>';
  for (const k of keys) tr += `<td>${cellHtml(row[k])}</td>`;
  return tr + '</tr>';
}

const STYLE = `
:root{--fg:#1d232a;--muted:#5b6570;--line:#d8dde3;--bg:#fff;--soft:#f4f6f8;--ok:#1f7a3a;--bad:#b3261e;--accent:#2b5c8a}
*{box-sizing:border-box}
body{margin:0;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;color:var(--fg);background:var(--bg)}
header{padding:20px 28px 12px;border-bottom:1px solid var(--line)}
h1{font-size:22px;margin:0 0 6px}h2{font-size:18px;margin:28px 0 10px;padding-top:6px;border-top:2px solid var(--fg)}h3{font-size:15px;margin:18px 0 6px}
.meta{color:var(--muted);margin:2px 0}
nav{position:sticky;top:0;background:var(--bg);border-bottom:1px solid var(--line);padding:6px 28px;z-index:2}
nav a{margin-right:14px;color:var(--accent);text-decoration:none;font-weight:600}
main{padding:0 28px 40px;max-width:1400px}
a{color:var(--accent)}
code,pre{font:12px/1.4 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace}
pre{background:var(--soft);padding:8px 10px;border-radius:4px;white-space:pre-wrap;word-break:break-all;margin:4px 0}
.badge{display:inline-block;padding:2px 8px;border-radius:10px;font-weight:700;color:#fff}
.badge.ok{background:var(--ok)}.badge.bad{background:var(--bad)}
.cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(190px,1fr));gap:10px}
.card{border:1px solid var(--line);border-radius:6px;padding:10px 12px;background:var(--soft)}
.card .n{font-size:22px;font-weight:700}.card .t{color:var(--muted);font-size:12px}
.charts{display:grid;grid-template-columns:repeat(auto-fill,minmax(420px,1fr));gap:18px}
figure{margin:0;border:1px solid var(--line);border-radius:6px;padding:10px}
figcaption{font-weight:600;margin-bottom:4px}.note{color:var(--muted);font-size:12px}
svg.chart{width:100%;height:auto;font-family:inherit}
table{border-collapse:collapse;width:100%;margin:6px 0}
th,td{border:1px solid var(--line);padding:3px 6px;text-align:left;vertical-align:top;font-size:12px}
th{background:var(--soft)}
.scroll{overflow-x:auto}
.tools{display:flex;gap:8px;align-items:center;flex-wrap:wrap;margin:6px 0}
.tools input{padding:4px 8px;min-width:260px;border:1px solid var(--line);border-radius:4px}
.tools select,.tools button{padding:4px 8px;border:1px solid var(--line);border-radius:4px;background:var(--bg)}
.status{color:var(--muted)}
.gap{color:var(--bad)}
.chain{border:1px solid var(--line);border-left:4px solid var(--accent);border-radius:4px;padding:8px 12px;margin:8px 0;break-inside:avoid}
.chain.has-gaps{border-left-color:var(--bad)}
.chain ol{margin:4px 0 0 18px;padding:0}.chain li{margin:2px 0}
details>summary{cursor:pointer;font-weight:600}
.truncated{background:#fff6e0;border:1px solid #e9c46a;padding:4px 8px;border-radius:4px}
@media print{
  nav,.tools,.pager{display:none}
  body{font-size:10.5px}
  h2{break-before:page}
  h2:first-of-type{break-before:auto}
  .chain,figure,tr{break-inside:avoid}
  a{color:inherit;text-decoration:none}
  .scroll{overflow:visible}
}
`;

const SCRIPT = `
(function(){
  'use strict';
  function cellNode(v){
    var td=document.createElement('td');
    if(v===null||v===undefined)return td;
    var s=String(v);
    if(/^https:\\/\\/[^\\s"'<>]+$/.test(s)){var a=document.createElement('a');a.href=s;a.rel='noreferrer';a.textContent=s.replace(/^https:\\/\\/(github\\.com\\/)?/,'');td.appendChild(a);}
    else td.textContent=s;
    return td;
  }
  document.querySelectorAll('[data-table]').forEach(function(box){
    var id=box.getAttribute('data-table');
    var data=JSON.parse(document.getElementById('data-'+id).textContent);
    var rows=data.r,filtered=rows,page=0,size=25;
    var input=box.querySelector('input.filter'),sel=box.querySelector('select.col'),tbody=box.querySelector('tbody'),status=box.querySelector('.status');
    var prev=box.querySelector('button.prev'),next=box.querySelector('button.next');
    function render(){
      var start=page*size,end=Math.min(filtered.length,start+size);
      var frag=document.createDocumentFragment();
      for(var i=start;i<end;i++){var tr=document.createElement('tr');var r=filtered[i];for(var k=0;k<r.length;k++)tr.appendChild(cellNode(r[k]));frag.appendChild(tr);}
      tbody.replaceChildren(frag);
      box.setAttribute('data-matching',String(filtered.length));
      status.textContent=(filtered.length?('rows '+(start+1)+'\\u2013'+end+' of '):'')+filtered.length+(filtered.length===rows.length?' rows':' matching (of '+rows.length+')');
      prev.disabled=page===0;next.disabled=end>=filtered.length;
    }
    function apply(){
      var q=input.value.trim().toLowerCase(),c=sel.value===''?-1:Number(sel.value);
      filtered=!q?rows:rows.filter(function(r){
        if(c>=0){var v=r[c];return v!==null&&String(v).toLowerCase().indexOf(q)>=0;}
        for(var k=0;k<r.length;k++){var w=r[k];if(w!==null&&String(w).toLowerCase().indexOf(q)>=0)return true;}
        return false;
      });
      page=0;render();
    }
    input.addEventListener('input',apply);sel.addEventListener('change',apply);
    prev.addEventListener('click',function(){if(page>0){page--;render();}});
    next.addEventListener('click',function(){if((page+1)*size<filtered.length){page++;render();}});
    render();
  });
  window.addEventListener('beforeprint',function(){document.querySelectorAll('details').forEach(function(d){d.open=true;});});
})();
`;

function chartFigure(c: ChartData): string {
  const table = `<details><summary>Figures</summary><div class="scroll"><table><thead><tr><th>${htmlText(c.categories.length ? 'Bucket' : '')}</th>${c.series.map((s) => `<th>${htmlText(s.label)}</th>`).join('')}</tr></thead><tbody>${c.categories
    .map((cat, i) => `<tr><td>${htmlText(cat)}</td>${c.series.map((s) => `<td>${Math.abs(s.values[i] ?? 0)}</td>`).join('')}</tr>`)
    .join('')}</tbody></table></div></details>`;
  return `<figure id="${c.id}"><figcaption>${htmlText(c.title)}</figcaption><div class="note">${htmlText(c.note)}</div>${renderBarChart(c)}${table}</figure>`;
}

/** A population's section up to the content of its data `<script>`; the rows and the rest follow. */
function populationSection(pop: Population, table: PopulationTable, sample: SampleSpec): string {
  const head = pop.columns.map((c) => `<th title="${htmlAttr(c.description)}">${htmlText(c.title)}</th>`).join('');
  const first = table.firstPage;
  const truncated =
    pop.rowCount > HTML_ROW_LIMIT
      ? `<p class="truncated">This page holds the first ${HTML_ROW_LIMIT.toLocaleString('en-US')} of ${pop.rowCount.toLocaleString('en-US')} rows. The complete population is <code>populations/${htmlText(pop.id)}.csv</code> (and <code>.json</code>).</p>`
      : '';
  return `<section class="population" id="pop-${htmlText(pop.id)}">
<h3>${htmlText(pop.title)} <span class="status-count">(${pop.rowCount.toLocaleString('en-US')} rows)</span></h3>
<p>${htmlText(pop.question)} <span class="note">${htmlText(pop.unit)}. Sample: ${sample.size} (${htmlText(sample.basis)}).</span></p>
<details><summary>Reproduce</summary>
<p class="note">Source (run inside the clone): ${htmlText(pop.reproduce.tie_back)}</p><pre>${htmlText(pop.reproduce.git)}</pre>
<p class="note">Rewrite this file:</p><pre>${htmlText(pop.reproduce.access_ledger)}</pre>
<p class="note">Files: <code>populations/${htmlText(pop.id)}.csv</code>, <code>populations/${htmlText(pop.id)}.json</code>. Controls: ${htmlText(pop.controls.join(', '))}</p></details>
${truncated}
<div class="tablebox" data-table="${htmlAttr(pop.id)}" data-matching="${table.embedded}">
<div class="tools"><input class="filter" type="search" placeholder="Filter ${htmlText(pop.title.toLowerCase())}…" aria-label="Filter ${htmlText(pop.title)}">
<select class="col" aria-label="Column to filter"><option value="">any column</option>${pop.columns.map((c, i) => `<option value="${i}">${htmlText(c.title)}</option>`).join('')}</select>
<span class="pager"><button class="prev" type="button">Previous</button> <button class="next" type="button">Next</button></span> <span class="status">${table.embedded} rows</span></div>
<div class="scroll"><table><thead><tr>${head}</tr></thead><tbody>${first}</tbody></table></div>
</div>
<script type="application/json" id="data-${htmlText(pop.id)}">`;
}

function chainCard(c: EvidenceChain): string {
  const item = c.item.login
    ? `login <strong>${htmlText(c.item.login)}</strong>`
    : c.item.account
      ? `account <strong>${htmlText(c.item.account)}</strong> listed by ${htmlText(c.item.system ?? '')}${c.item.identity ? ` (grant ${htmlText(c.item.identity)})` : ''}`
      : `<strong>${htmlText(c.item.identity ?? '')}</strong>${c.item.kind ? ` (${htmlText(c.item.kind)})` : ''}${c.item.system ? ` → ${htmlText(c.item.system)} as ${htmlText(c.item.role ?? '')}` : ''}${c.item.path ? ` <span class="note">${htmlText(c.item.path)}</span>` : ''}`;
  const steps: string[] = [];
  if (c.request) steps.push(`<li><b>Request</b>: ${link(c.request.url, `PR #${c.request.pr}`)} “${htmlText(c.request.title)}” by ${htmlText(c.request.author)}, opened ${htmlText(c.request.opened_at)}</li>`);
  else steps.push('<li><b>Request</b>: <span class="gap">no pull request on record</span></li>');
  if (c.approvals.length === 0) steps.push(`<li><b>Approvals</b>: <span class="${c.request ? 'note' : 'gap'}">none recorded</span></li>`);
  else
    steps.push(
      `<li><b>Approvals</b>:<ul>${c.approvals
        .map((a) => `<li>${htmlText(a.reviewer)}: ${htmlText(a.state)} at ${htmlText(a.at)}; reviewed commit = merged head: <b>${a.reviewed_commit_is_merged_head ? 'yes' : 'no'}</b>; ${a.counted ? 'counted' : 'not counted'}: ${htmlText(a.eligible_because)}</li>`)
        .join('')}</ul></li>`,
    );
  if (c.merge) steps.push(`<li><b>Merge</b>: ${htmlText(c.merge.at ?? 'time unknown')} by ${htmlText(c.merge.by ?? 'unknown')}, commit ${link(c.merge.url, c.merge.commit.slice(0, 12))}</li>`);
  if (c.provisioning.length) steps.push(`<li><b>Provisioning</b>: ${c.provisioning.map((pv) => `${link(pv.url, `run ${pv.run_id}`)} ${htmlText(pv.conclusion)} at ${htmlText(pv.completed_at)}`).join('; ')}</li>`);
  else if (c.request) steps.push('<li><b>Provisioning</b>: <span class="note">not recorded</span></li>');
  if (c.reviews_since.length) steps.push(`<li><b>Reviews since</b>: ${c.reviews_since.map((r) => `${htmlText(r.reviewed_on)} ${htmlText(r.outcome)} by ${htmlText(r.reviewers.join(', '))} (${link(r.url, `PR #${r.pr}`)}, seq ${r.seq})`).join('; ')}</li>`);
  else if (c.request) steps.push('<li><b>Reviews since</b>: none recorded</li>');
  if (c.removal) steps.push(`<li><b>Removal</b>: ${htmlText(c.removal.at)}${c.removal.pr ? ` by ${link(c.removal.url, `PR #${c.removal.pr}`)}` : c.removal.commit ? ` in commit ${htmlText(c.removal.commit.slice(0, 12))}` : ''}</li>`);
  if (c.affected) steps.push(`<li><b>Grants naming the login</b>: ${c.affected.map((a) => `${htmlText(a.path)} (${htmlText(a.role)}): ${a.removed_at ? `removed ${htmlText(a.removed_at)}` : '<span class="gap">not removed</span>'}`).join('; ') || 'none'}</li>`);
  const ledger = c.ledger.length ? `<li><b>Ledger</b>: ${c.ledger.map((l) => `${htmlText(l.role)} ${link(l.url, `seq ${l.seq}`)} <code title="${htmlAttr(l.hash)}">${htmlText(l.hash.slice(0, 16))}…</code>`).join('; ')}</li>` : '<li><b>Ledger</b>: <span class="gap">no record</span></li>';
  const gaps = c.gaps.length ? `<p class="gap">Gaps: ${htmlText(c.gaps.join('; '))}</p>` : '';
  return `<article class="chain${c.gaps.length ? ' has-gaps' : ''}" data-population="${htmlAttr(c.population)}" data-row="${c.row + 1}"><div>Draw ${c.draw + 1}, row ${c.row + 1}: ${item}</div><ol>${steps.join('')}${ledger}</ol>${gaps}</article>`;
}

/** A piece of index.html: text, or the place of a population's embedded rows (see PopulationOutput.html). */
export type HtmlPiece = string | { rowsOf: string };

/**
 * index.html, in pieces. The population tables embed up to 25,000 rows each, so the page of a
 * large binder is tens of megabytes: it is handed on section by section, and each table's rows
 * are marked by a `{ rowsOf: id }` piece for the writer to fill from where the population's sink
 * put them, so they are never held in memory.
 */
export function* renderHtml(b: Binder, files: readonly ManifestEntry[]): Generator<HtmlPiece> {
  const p = b.params;
  const charts = b.charts;
  const title = `Access binder${p.repository ? `: ${p.repository}` : ''}, ${p.period.from} to ${p.period.to}`;
  const v = b.verification;
  const cards = b.populations
    .map((x, i) => `<a class="card" href="#pop-${htmlText(x.id)}" style="text-decoration:none;color:inherit"><div class="n">${x.rowCount.toLocaleString('en-US')}</div><div class="t">${htmlText(x.title)} · sample ${b.samples[i]!.size}</div></a>`)
    .join('');
  const gapRows = Object.entries(b.evidenceMap.gap_counts)
    .sort((a, c) => c[1] - a[1])
    .map(([k, n]) => `<tr><td>${htmlText(k)}</td><td>${n}</td></tr>`)
    .join('');
  const mapHtml = b.evidenceMap.systems
    .map((s) => {
      const ids = s.identities.slice(0, HTML_MAP_LIMIT);
      const more = s.identity_count > ids.length ? `<p class="truncated">${ids.length} of ${s.identity_count} identities shown; all are in <code>evidence-map.json</code> and <code>evidence-map.csv</code>.</p>` : '';
      return `<details class="system"${b.evidenceMap.systems.length <= 12 ? ' open' : ''}><summary>${htmlText(s.id)}${s.name ? ` — ${htmlText(s.name)}` : ''} <span class="note">${htmlText(s.category ?? '?')}, ${htmlText(s.environment ?? 'environment not stated')}, ${s.identity_count} access entries</span>${s.gaps.length ? ` <span class="gap">(${htmlText(s.gaps.join('; '))})</span>` : ''}</summary>
<p>Owner: ${htmlText(s.owner ?? '—')} · Approvers: ${htmlText(s.approvers.join(', ') || '—')} · Review cadence: ${htmlText(s.evidence.review_cadence_days ?? '—')} days<br>Provisioning evidence: ${htmlText(s.evidence.provisioning ?? '—')} · Activity log: ${htmlText(s.evidence.activity ?? '—')}${s.listings?.length ? `<br>Listed by the system itself: ${s.listings.map((l) => `${link(gitLink(p, 'ledger', l.raw_path), l.taken_at)} (record ${htmlText(l.key)}, seq ${l.seq}; export SHA-256 <code>${htmlText(l.raw_sha256)}</code>)`).join('; ')}` : ''}</p>
<div class="scroll"><table><thead><tr><th>Identity</th><th>Kind</th><th>Role</th><th>Privileged</th><th>Access path</th><th>Expires</th><th>Owner</th><th>Approval record</th><th>Use logged in</th><th>Gaps</th></tr></thead><tbody>${ids
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
    .map((c) => `<tr><td><b>${htmlText(c.control)}</b></td><td>${htmlText(c.title)}</td><td>${htmlText(c.rules.join(', '))}</td><td>${htmlText(c.record_kinds.join(', '))}</td><td>${c.populations.map((x) => `<a href="#pop-${htmlText(x.id)}">${htmlText(x.id)}</a> (${x.rows})`).join(', ')}</td><td>${c.findings_at_merge}</td><td>${c.findings_as_of}</td></tr>`)
    .join('');
  const problems = v.problems.slice(0, 50).map((x) => `<tr><td>${htmlText(x.seq ?? '')}</td><td>${htmlText(x.check)}</td><td>${htmlText(x.problem)}</td></tr>`).join('');
  yield `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'">
<meta name="referrer" content="no-referrer">
<title>${htmlText(title)}</title><style>${STYLE}</style></head>
<body>
<header><h1>${htmlText(title)}</h1>
<p class="meta">Inventory as of ${htmlText(p.asOf)}${p.asOfCommit ? ` (commit <code>${htmlText(p.asOfCommit.slice(0, 12))}</code>)` : ''} · access branch <code>${htmlText(p.ref)}</code> at <code>${htmlText(p.refSha.slice(0, 12))}</code> · ledger <code>${htmlText(p.ledgerBranch)}</code>${p.ledgerSha ? ` at <code>${htmlText(p.ledgerSha.slice(0, 12))}</code>` : ''}</p>
<p class="meta">Ledger verification: <span class="badge ${v.ok ? 'ok' : 'bad'}" id="verification-badge">${v.ok ? 'passed' : 'FAILED'}</span> ${htmlText(v.summary)}</p>
<p class="meta">Generated ${htmlText(p.generatedAt)} by ${htmlText(p.tool.name)} ${htmlText(p.tool.version)} · sample seed <b>${p.seed}</b> · reproduce with <code>${htmlText(exportCommand(p))}</code></p></header>
<nav><a href="#summary">Summary</a><a href="#evidence-map">Evidence map</a><a href="#charts">Charts</a><a href="#populations">Populations</a><a href="#samples">Samples and chains</a><a href="#controls">Control matrix</a><a href="#verification">Verification</a><a href="#files">Files</a></nav>
<main>
<h2 id="summary">Summary</h2>
<div class="cards">${cards}</div>
<h3>Evidence gaps</h3>
${gapRows ? `<table style="max-width:640px"><thead><tr><th>Gap</th><th>Count</th></tr></thead><tbody>${gapRows}</tbody></table>` : '<p>None.</p>'}
<p class="note">Findings of the rules on ${htmlText(p.asOf)}: ${b.asOfFindings.total}. Ledger: ${b.ledger.records} records (${htmlText(Object.entries(b.ledger.by_kind).map(([k, n]) => `${k} ${n}`).join(', ') || 'none')}).</p>
<h2 id="evidence-map">Evidence map</h2>
<p class="note">Every system in scope on ${htmlText(p.asOf)}, and under it every identity with access to it. Gaps are marked in red.</p>
${b.evidenceMap.unreadable.length ? `<p class="gap">${b.evidenceMap.unreadable.length} grant files could not be read at the as-of commit: ${htmlText(b.evidenceMap.unreadable.slice(0, 20).map((u) => u.path).join(', '))}</p>` : ''}
${mapHtml || '<p>No systems.</p>'}
<h2 id="charts">Charts</h2>
<div class="charts">${charts.map(chartFigure).join('')}</div>
<h2 id="populations">Populations</h2>
<p class="note">Each population is complete and unfiltered; rows lacking evidence are kept and name their gap. Filter a table by typing; choose a column to narrow the search.</p>
`;
  for (let i = 0; i < b.populations.length; i++) {
    const pop = b.populations[i]!;
    const table = b.tables[i]!;
    const frame = tableDataFrame(table.keys);
    yield (i > 0 ? '\n' : '') + populationSection(pop, table, b.samples[i]!) + frame.before;
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
<script>${SCRIPT}</script>
</body></html>
`;
}
