/**
 * The charts of index.html, drawn here as inline SVG from the populations: no script, no network,
 * and they print as they show. Each chart also carries its numbers as a table for screen readers
 * and for an auditor who wants the figures.
 */
import { addDays } from '../dates.ts';
import type { Row } from './types.ts';
import { htmlAttr, htmlText } from '../text/escape.ts';

export interface Series {
  label: string;
  color: string;
  values: number[];
}

export interface ChartData {
  id: string;
  title: string;
  note: string;
  categories: string[];
  series: Series[];
}

const KIND_COLORS: Record<string, string> = {
  human: '#3b6ea8',
  'service-account': '#c2703d',
  'api-key': '#7a9e3b',
  'ci-token': '#8a5fb0',
  integration: '#2f9a8f',
  'shared-account': '#b8475a',
  agent: '#a08a2c',
};
const KINDS = Object.keys(KIND_COLORS);

function months(from: string, to: string): string[] {
  const out: string[] = [];
  let y = Number(from.slice(0, 4));
  let m = Number(from.slice(5, 7));
  const endKey = to.slice(0, 7);
  for (let i = 0; i < 240; i++) {
    const key = `${y}-${String(m).padStart(2, '0')}`;
    out.push(key);
    if (key >= endKey) break;
    m++;
    if (m > 12) {
      m = 1;
      y++;
    }
  }
  return out;
}

const APPROVE_BUCKETS = [
  { label: '< 1 h', max: 1 },
  { label: '1–4 h', max: 4 },
  { label: '4–24 h', max: 24 },
  { label: '1–3 d', max: 72 },
  { label: '3–7 d', max: 168 },
  { label: '> 7 d', max: Infinity },
];

const REVOKE_BUCKETS = [
  { label: 'same day', max: 0 },
  { label: '1 d', max: 1 },
  { label: '2–3 d', max: 3 },
  { label: '4–7 d', max: 7 },
  { label: '8–30 d', max: 30 },
  { label: '> 30 d', max: Infinity },
];

/** The bucket a value falls in: the first whose max it does not exceed, else the last (NaN too). */
function bucketOf(buckets: readonly { max: number }[], value: number): number {
  const i = buckets.findIndex((b) => value <= b.max);
  return i < 0 ? buckets.length - 1 : i;
}

/**
 * The figures behind the charts, counted as the rows of the additions, removals and inventory
 * populations stream past: the rows themselves are written out and never held.
 */
export class ChartTally {
  private readonly months: string[];
  private readonly monthIndex: Map<string, number>;
  private readonly added = new Map<string, number[]>();
  private readonly removed = new Map<string, number[]>();
  private readonly asOf: string;
  private readonly expiryCats: string[];
  private readonly expiryIndex: Map<string, number>;
  private readonly expiries: number[];
  private readonly approve = new Array<number>(APPROVE_BUCKETS.length).fill(0);
  private readonly revoke = new Array<number>(REVOKE_BUCKETS.length).fill(0);
  private additions = 0;
  private approveSamples = 0;
  private removals = 0;
  private revokeSamples = 0;

  constructor(from: string, to: string, asOf: string) {
    this.months = months(from, to);
    this.monthIndex = new Map(this.months.map((c, i) => [c, i]));
    for (const kind of KINDS) {
      this.added.set(kind, new Array<number>(this.months.length).fill(0));
      this.removed.set(kind, new Array<number>(this.months.length).fill(0));
    }
    this.asOf = asOf;
    this.expiryCats = ['expired', ...months(asOf, addDays(asOf, 334)), 'later', 'none'];
    this.expiryIndex = new Map(this.expiryCats.map((c, i) => [c, i]));
    this.expiries = new Array<number>(this.expiryCats.length).fill(0);
  }

  /** A row of the additions population. */
  addition(r: Row): void {
    this.additions++;
    const perMonth = typeof r.kind === 'string' ? this.added.get(r.kind) : undefined;
    if (perMonth) {
      const i = this.monthIndex.get(String(r.changed_at).slice(0, 7));
      if (i !== undefined) perMonth[i]!++;
    }
    if (typeof r.requested_at === 'string' && typeof r.approved_at === 'string') {
      this.approveSamples++;
      this.approve[bucketOf(APPROVE_BUCKETS, (Date.parse(r.approved_at) - Date.parse(r.requested_at)) / 3_600_000)]!++;
    }
  }

  /** A row of the removals population. */
  removal(r: Row): void {
    this.removals++;
    const perMonth = typeof r.kind === 'string' ? this.removed.get(r.kind) : undefined;
    if (perMonth) {
      const i = this.monthIndex.get(String(r.removed_at).slice(0, 7));
      if (i !== undefined) perMonth[i]!--;
    }
    if (typeof r.days_to_remove === 'number') {
      this.revokeSamples++;
      this.revoke[bucketOf(REVOKE_BUCKETS, r.days_to_remove)]!++;
    }
  }

  /** A row of the inventory population. */
  inventory(r: Row): void {
    if (r.system === null) return;
    const e = r.expires;
    let key: string;
    if (typeof e !== 'string') key = 'none';
    else if (e < this.asOf) key = 'expired';
    else key = this.expiryIndex.has(e.slice(0, 7)) ? e.slice(0, 7) : 'later';
    this.expiries[this.expiryIndex.get(key)!]!++;
  }

  /** Access entries added (up) and removed (down) per month, by identity kind. */
  changesByKind(): ChartData {
    const series: Series[] = [];
    for (const kind of KINDS) {
      const add = this.added.get(kind)!;
      const rem = this.removed.get(kind)!;
      if (add.some((v) => v) || rem.some((v) => v)) {
        series.push({ label: `${kind} added`, color: KIND_COLORS[kind]!, values: [...add] });
        series.push({ label: `${kind} removed`, color: KIND_COLORS[kind]!, values: [...rem] });
      }
    }
    return {
      id: 'chart-grants',
      title: 'Grants over time by kind',
      note: 'Access entries added (above the axis) and removed (below) per month of the period, by identity kind.',
      categories: [...this.months],
      series,
    };
  }

  /** Inventory entries by month of expiry over the twelve months after the as-of day. */
  expiriesAhead(): ChartData {
    return {
      id: 'chart-expiries',
      title: 'Expiries ahead',
      note: `Access entries in the inventory by month of expiry, from the as-of day ${this.asOf}.`,
      categories: [...this.expiryCats],
      series: [{ label: 'entries', color: '#3b6ea8', values: [...this.expiries] }],
    };
  }

  timeToApprove(): ChartData {
    return {
      id: 'chart-approve',
      title: 'Time to approve',
      note: `Hours from the request (pull request opened) to the last counted approval, for ${this.approveSamples} of ${this.additions} additions that have both.`,
      categories: APPROVE_BUCKETS.map((b) => b.label),
      series: [{ label: 'items', color: '#2f9a8f', values: [...this.approve] }],
    };
  }

  timeToRevoke(): ChartData {
    return {
      id: 'chart-revoke',
      title: 'Time to revoke',
      note: `Days from authorization ending (expiry or leaving) to removal, for ${this.revokeSamples} of ${this.removals} removals whose authorization had ended.`,
      categories: REVOKE_BUCKETS.map((b) => b.label),
      series: [{ label: 'items', color: '#b8475a', values: [...this.revoke] }],
    };
  }

  /** The four charts of the page, in page order. */
  charts(): ChartData[] {
    return [this.changesByKind(), this.expiriesAhead(), this.timeToApprove(), this.timeToRevoke()];
  }
}

/** A bar chart (stacked above and below the axis) as an SVG string. */
export function renderBarChart(chart: ChartData): string {
  const W = 640;
  const H = 240;
  const left = 44;
  const bottom = 40;
  const top = 12;
  const n = Math.max(1, chart.categories.length);
  const pos = chart.categories.map((_, i) => chart.series.reduce((s, ser) => s + Math.max(0, ser.values[i] ?? 0), 0));
  const neg = chart.categories.map((_, i) => chart.series.reduce((s, ser) => s + Math.min(0, ser.values[i] ?? 0), 0));
  const maxV = Math.max(1, ...pos);
  const minV = Math.min(0, ...neg);
  const plotH = H - top - bottom;
  const y = (v: number): number => top + ((maxV - v) / (maxV - minV)) * plotH;
  const bw = (W - left - 8) / n;
  const parts: string[] = [];
  parts.push(`<line x1="${left}" x2="${W - 4}" y1="${y(0).toFixed(1)}" y2="${y(0).toFixed(1)}" stroke="#555"/>`);
  for (const tick of [maxV, minV].filter((v, i, a) => a.indexOf(v) === i && v !== 0)) {
    parts.push(`<text x="${left - 4}" y="${(y(tick) + 4).toFixed(1)}" text-anchor="end" font-size="10">${tick}</text>`);
  }
  parts.push(`<text x="${left - 4}" y="${(y(0) + 4).toFixed(1)}" text-anchor="end" font-size="10">0</text>`);
  chart.categories.forEach((cat, i) => {
    let up = 0;
    let down = 0;
    for (const s of chart.series) {
      const v = s.values[i] ?? 0;
      if (v === 0) continue;
      const from = v > 0 ? up : down;
      const to = from + v;
      if (v > 0) up = to;
      else down = to;
      const y1 = Math.min(y(from), y(to));
      const h = Math.abs(y(from) - y(to));
      const opacity = s.label.endsWith('removed') ? ' fill-opacity="0.55"' : '';
      parts.push(
        `<rect x="${(left + i * bw + 1).toFixed(1)}" y="${y1.toFixed(1)}" width="${Math.max(1, bw - 2).toFixed(1)}" height="${h.toFixed(1)}" fill="${s.color}"${opacity}><title>${htmlText(`${cat}: ${s.label} ${Math.abs(v)}`)}</title></rect>`,
      );
    }
    const every = Math.ceil(n / 12);
    if (i % every === 0)
      parts.push(`<text x="${(left + i * bw + bw / 2).toFixed(1)}" y="${H - bottom + 14}" text-anchor="middle" font-size="10">${htmlText(cat)}</text>`);
  });
  const legend = [...new Map(chart.series.map((s) => [s.label.replace(/ (added|removed)$/, ''), s.color])).entries()];
  legend.forEach(([label, color], i) => {
    const x = left + (i % 4) * 150;
    const ly = H - 12 + Math.floor(i / 4) * 12;
    parts.push(
      `<rect x="${x}" y="${ly - 8}" width="10" height="10" fill="${color}"/><text x="${x + 14}" y="${ly + 1}" font-size="10">${htmlText(label)}</text>`,
    );
  });
  return `<svg class="chart" viewBox="0 0 ${W} ${H + Math.max(0, Math.ceil(legend.length / 4) - 1) * 12}" role="img" aria-label="${htmlAttr(chart.title)}" xmlns="http://www.w3.org/2000/svg">${parts.join('')}</svg>`;
}
