/**
 * The style and script every page of the binder carries inline (index.html and each population's
 * own page): the pages open offline under a Content-Security-Policy that forbids any fetch, so
 * nothing is shared between them but their text.
 *
 * On screen, a table scrolls sideways with its first column (the row's identity) held in place.
 * In print, pages are landscape; a table of more than CARD_COLUMNS columns is printed as cards
 * (one block per row, each cell as "column: value") so no column is cut off at the page's edge,
 * narrower tables wrap their cells to the page and repeat their header on every page, each
 * population starts a page, and the filter, pager and navigation are left out.
 */

/** Tables with more columns than this print as cards, one block per row. */
export const CARD_COLUMNS = 10;

/** At most this many rows of one table are laid out for print at once (the filtered rows, or else the page shown). */
export const PRINT_ROWS = 2_000;

/** Rows of a table shown per page on screen. */
export const PAGE_SIZE = 25;

export const PAGE_STYLE = `
:root{--fg:#1d232a;--muted:#5b6570;--line:#d8dde3;--bg:#fff;--soft:#f4f6f8;--ok:#1f7a3a;--bad:#b3261e;--accent:#2b5c8a}
*{box-sizing:border-box}
body{margin:0;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;color:var(--fg);background:var(--bg)}
header{padding:20px 28px 12px;border-bottom:1px solid var(--line)}
h1{font-size:22px;margin:0 0 6px}h2{font-size:18px;margin:28px 0 10px;padding-top:6px;border-top:2px solid var(--fg)}h3{font-size:15px;margin:18px 0 6px}
.meta{color:var(--muted);margin:2px 0}
nav{position:sticky;top:0;background:var(--bg);border-bottom:1px solid var(--line);padding:6px 28px;z-index:3}
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
table.rows{border-collapse:separate;border-spacing:0}
table.rows th,table.rows td{border-width:0 1px 1px 0}
table.rows tr>:first-child{border-left-width:1px}
table.rows thead th{border-top-width:1px}
table.rows tr>:first-child{position:sticky;left:0;z-index:1;background:var(--bg);box-shadow:2px 0 0 var(--line)}
table.rows thead tr>:first-child{background:var(--soft);z-index:2}
table.rows{width:max-content;min-width:100%}
table.rows td{max-width:24em;overflow-wrap:anywhere}
.tools{display:flex;gap:8px;align-items:center;flex-wrap:wrap;margin:6px 0}
.tools input{padding:4px 8px;min-width:260px;border:1px solid var(--line);border-radius:4px}
.tools select,.tools button{padding:4px 8px;border:1px solid var(--line);border-radius:4px;background:var(--bg)}
.status{color:var(--muted)}
.printed{display:none}
.gap{color:var(--bad)}
.chain{border:1px solid var(--line);border-left:4px solid var(--accent);border-radius:4px;padding:8px 12px;margin:8px 0;break-inside:avoid}
.chain.has-gaps{border-left-color:var(--bad)}
.chain ol{margin:4px 0 0 18px;padding:0}.chain li{margin:2px 0}
details>summary{cursor:pointer;font-weight:600}
.truncated,.own-page{background:#fff6e0;border:1px solid #e9c46a;padding:4px 8px;border-radius:4px}
.own-page{background:var(--soft);border-color:var(--line)}
@page{size:landscape;margin:10mm}
@media print{
  nav,.tools,.pager,.screen-only{display:none!important}
  body{font-size:10px}
  header{padding:0 0 8px}
  main{padding:0;max-width:none}
  h2{break-before:page;break-after:avoid}
  h2:first-of-type{break-before:auto}
  h3,figcaption,summary{break-after:avoid}
  section.population{break-before:page}
  section.population.first{break-before:auto}
  .chain,figure,tr{break-inside:avoid}
  a{color:inherit;text-decoration:none}
  details>summary{list-style:none;cursor:auto}
  details>summary::-webkit-details-marker{display:none}
  .scroll{overflow:visible}
  .charts{grid-template-columns:repeat(2,minmax(0,1fr))}
  table{width:100%;max-width:100%}
  thead{display:table-header-group}
  th,td{font-size:9px;padding:2px 4px;overflow-wrap:anywhere}
  code,pre{font-size:9px;overflow-wrap:anywhere}
  .note,.meta{font-size:9px}
  #control-matrix td:first-child{white-space:nowrap}
  th{overflow-wrap:break-word}
  table.rows{width:100%;min-width:0}
  table.rows td{max-width:none}
  .printed{display:block;color:var(--muted);font-size:9px;margin:2px 0}
  table.rows tr>:first-child{position:static;box-shadow:none}
  table.print-cards,table.print-cards tbody{display:block;border:0}
  table.print-cards thead{display:none}
  table.print-cards tr{display:grid;grid-template-columns:repeat(4,minmax(0,1fr));column-gap:12px;border:1px solid #999;border-radius:3px;padding:3px 6px;margin:0 0 5px}
  table.print-cards td{display:block;border:0;padding:1px 0}
  table.print-cards td::before{content:attr(data-label) ": ";font-weight:700;color:#444}
  table.print-cards td:empty::after{content:"\\2014";color:#888}
  table.print-cards tr>td:first-child{grid-column:1/-1;font-size:10.5px;font-weight:700;border-bottom:1px solid #ccc;margin-bottom:2px}
}
`;

/**
 * The tables' script. Each `[data-table]` box reads its rows from the JSON script beside it
 * (`{"c": keys, "r": [[cell, …], …]}`: every row of the population), shows them a page at a
 * time, and filters over all of them. Text only: a cell becomes a text node, or an anchor when
 * it is an https link. Before printing, a table lays out every matching row (up to PRINT_ROWS;
 * beyond that the page shown, and the printout says so) and every `<details>` opens.
 */
export const PAGE_SCRIPT = `
(function(){
  'use strict';
  var SIZE=${PAGE_SIZE},PRINT_ROWS=${PRINT_ROWS};
  var fmt=function(n){return n.toLocaleString('en-US');};
  function cellNode(v,label){
    var td=document.createElement('td');
    td.setAttribute('data-label',label);
    if(v===null||v===undefined)return td;
    var s=String(v);
    if(/^https:\\/\\/[^\\s"'<>]+$/.test(s)){var a=document.createElement('a');a.href=s;a.rel='noreferrer';a.textContent=s.replace(/^https:\\/\\/(github\\.com\\/)?/,'');td.appendChild(a);}
    else td.textContent=s;
    return td;
  }
  var low=function(v){return v===null||v===undefined?'':String(v).toLowerCase();};
  var tables=[];
  document.querySelectorAll('[data-table]').forEach(function(box){
    var id=box.getAttribute('data-table');
    var data=JSON.parse(document.getElementById('data-'+id).textContent);
    var rows=data.r,filtered=rows,page=0,hay=null;
    var labels=Array.prototype.map.call(box.querySelectorAll('thead th'),function(th){return th.textContent;});
    var input=box.querySelector('input.filter'),sel=box.querySelector('select.col'),tbody=box.querySelector('tbody'),status=box.querySelector('.status'),printed=box.querySelector('.printed');
    var prev=box.querySelector('button.prev'),next=box.querySelector('button.next');
    var what=box.getAttribute('data-csv');
    function fill(start,end){
      var frag=document.createDocumentFragment();
      for(var i=start;i<end;i++){var tr=document.createElement('tr');var r=filtered[i];for(var k=0;k<r.length;k++)tr.appendChild(cellNode(r[k],labels[k]));frag.appendChild(tr);}
      tbody.replaceChildren(frag);
    }
    function render(){
      var start=page*SIZE,end=Math.min(filtered.length,start+SIZE);
      fill(start,end);
      box.setAttribute('data-matching',String(filtered.length));
      box.setAttribute('data-shown',String(end-start));
      status.textContent=(filtered.length?('rows '+fmt(start+1)+'\\u2013'+fmt(end)+' of '):'')+fmt(filtered.length)+(filtered.length===rows.length?' rows':' matching (of '+fmt(rows.length)+')');
      prev.disabled=page===0;next.disabled=end>=filtered.length;
    }
    function forPrint(){
      var q=input.value.trim(),of=filtered.length===rows.length?fmt(rows.length)+' rows':fmt(filtered.length)+' rows matching \\u201c'+q+'\\u201d (of '+fmt(rows.length)+')';
      if(filtered.length<=PRINT_ROWS){fill(0,filtered.length);box.setAttribute('data-shown',String(filtered.length));printed.textContent='Printed: all '+of+'.';}
      else{var start=page*SIZE,end=Math.min(filtered.length,start+SIZE);printed.textContent='Printed: rows '+fmt(start+1)+'\\u2013'+fmt(end)+' of '+of+'; more than '+fmt(PRINT_ROWS)+' rows are not laid out for print at once: filter to print fewer, or read '+what+', which holds every row.';}
    }
    function apply(){
      var q=input.value.trim().toLowerCase(),c=sel.value===''?-1:Number(sel.value);
      if(!q)filtered=rows;
      else if(c>=0)filtered=rows.filter(function(r){return low(r[c]).indexOf(q)>=0;});
      else{
        // Each row as one lower-case text, cells apart (a query cannot span two), made on the first search.
        if(!hay){hay=new Array(rows.length);for(var i=0;i<rows.length;i++)hay[i]=rows[i].join('\\u0000').toLowerCase();}
        filtered=[];for(var j=0;j<rows.length;j++)if(hay[j].indexOf(q)>=0)filtered.push(rows[j]);
      }
      page=0;render();
    }
    input.addEventListener('input',apply);sel.addEventListener('change',apply);
    prev.addEventListener('click',function(){if(page>0){page--;render();}});
    next.addEventListener('click',function(){if((page+1)*SIZE<filtered.length){page++;render();}});
    render();
    box.setAttribute('data-ready','');
    tables.push({render:render,forPrint:forPrint});
  });
  var printing=false;
  function before(){if(printing)return;printing=true;document.querySelectorAll('details').forEach(function(d){d.open=true;});tables.forEach(function(t){t.forPrint();});}
  function after(){if(!printing)return;printing=false;tables.forEach(function(t){t.render();});}
  window.addEventListener('beforeprint',before);window.addEventListener('afterprint',after);
  var mq=window.matchMedia&&window.matchMedia('print');
  if(mq&&mq.addEventListener)mq.addEventListener('change',function(e){if(e.matches)before();else after();});
  document.documentElement.setAttribute('data-ready','');
})();
`;
