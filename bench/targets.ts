/**
 * The targets a benchmark states, one machine-readable line each on stdout, and the table that
 * `npm run bench` (bench/all.mjs) prints from those lines at the end of a run.
 *
 *   TARGET <tab> bench <tab> what <tab> measured <tab> limit <tab> ratio <tab> result
 *
 * e.g. `TARGET	export	export: wall time, median	71.94 s	< 30 s	2.40	NOT met`.
 * - measured: the figure the benchmark's own prose judges, with its unit; `-` when there is none
 *   (a size this run did not reach, or a burst that never finished).
 * - limit: the comparison and the bound, in the same unit (`< 30 s`, `<= 1.3 × floor`, `>= 1.1 s`).
 * - ratio: measured / limit, two decimals; `-` without a figure or with a limit of 0. For an upper
 *   bound a ratio above 1 is a miss, for a lower bound (`>=`) one below 1.
 * - result: `met`, `NOT met`, or `not measured`. The benchmark decides met itself, with the same
 *   comparison (and the same variable) as its prose in docs/performance.md.
 */

export type Comparison = '<' | '<=' | '>=' | '>';
export type TargetResult = 'met' | 'NOT met' | 'not measured';

export interface Target {
  /** The benchmark's name as package.json declares it, `bench:<bench>`. */
  bench: string;
  /** What is held to the target, short, e.g. "100,000 files: validate's wall time, median". */
  what: string;
  /** The measured figure, in `unit`; null when this run did not measure it. */
  measured: number | null;
  unit: string;
  comparison: Comparison;
  limit: number;
  /** Whether the target holds, as the benchmark judges it; null: not measured in this run. */
  met: boolean | null;
  /** Decimals of the measured figure (default 2); the limit is written as given. */
  digits?: number;
}

export interface TargetLine {
  bench: string;
  what: string;
  measured: string;
  limit: string;
  ratio: string;
  result: TargetResult;
}

const PREFIX = 'TARGET';
const RESULTS: readonly TargetResult[] = ['met', 'NOT met', 'not measured'];
const COMPARISONS: readonly Comparison[] = ['<', '<=', '>=', '>'];

function field(name: string, value: string): string {
  if (value.length === 0 || /[\t\r\n]/.test(value)) throw new Error(`target ${name} must be one line of text without tabs: ${JSON.stringify(value)}`);
  return value;
}

/** The target's line, without its newline. Throws on a target that cannot be written unambiguously. */
export function formatTarget(t: Target): string {
  const digits = t.digits ?? 2;
  if (!COMPARISONS.includes(t.comparison)) throw new Error(`target comparison must be one of ${COMPARISONS.join(' ')}: ${t.comparison}`);
  if (!Number.isFinite(t.limit) || /e/i.test(String(t.limit))) throw new Error(`target limit must be a finite number in plain notation: ${t.limit}`);
  if (t.measured !== null && !Number.isFinite(t.measured)) throw new Error(`target measured figure must be a finite number or null: ${t.measured}`);
  if (t.measured === null && t.met === true) throw new Error(`a target cannot be met without a measured figure: ${t.what}`);
  if (t.measured !== null && t.met === null) throw new Error(`a measured target is met or not: ${t.what}`);
  const unit = field('unit', t.unit);
  const measured = t.measured === null ? '-' : `${t.measured.toFixed(digits)} ${unit}`;
  const limit = `${t.comparison} ${t.limit} ${unit}`;
  const ratio = t.measured === null || t.limit === 0 ? '-' : (t.measured / t.limit).toFixed(2);
  const result: TargetResult = t.met === null ? 'not measured' : t.met ? 'met' : 'NOT met';
  return [PREFIX, field('bench', t.bench), field('what', t.what), measured, limit, ratio, result].join('\t');
}

/** Prints the target's line to stdout (where bench/all.mjs collects it) and returns it. */
export function reportTarget(t: Target): TargetLine {
  const line = formatTarget(t);
  process.stdout.write(`${line}\n`);
  return parseTargetLine(line)!;
}

/**
 * The target of one line of a benchmark's output; null when the line is not a target's. Throws,
 * naming the line, on a line that starts like a target's but is not one.
 */
export function parseTargetLine(line: string): TargetLine | null {
  const text = line.replace(/\r?\n$/, '');
  if (!text.startsWith(`${PREFIX}\t`)) return null;
  const parts = text.split('\t');
  const bad = (why: string) => new Error(`malformed target line (${why}): ${JSON.stringify(text)}`);
  if (parts.length !== 7) throw bad(`${parts.length} fields, not 7`);
  const [, bench, what, measured, limit, ratio, result] = parts as [string, string, string, string, string, string, string];
  if (!bench || !what) throw bad('no benchmark or no name');
  if (!RESULTS.includes(result as TargetResult)) throw bad(`result is not one of ${RESULTS.join(', ')}`);
  if (measured !== '-' && !/^-?\d+(\.\d+)? \S/.test(measured)) throw bad('measured is not a number and a unit, nor -');
  if (!/^(<|<=|>=|>) -?\d+(\.\d+)? \S/.test(limit)) throw bad('limit is not a comparison, a number and a unit');
  if (ratio !== '-' && !/^-?\d+(\.\d+)?$/.test(ratio)) throw bad('ratio is not a number nor -');
  if (result === 'not measured' && measured !== '-') throw bad('a measured figure, yet not measured');
  if (result === 'met' && measured === '-') throw bad('met without a measured figure');
  return { bench, what, measured, limit, ratio, result: result as TargetResult };
}

/**
 * Collects the target lines from a stream's chunks, which may split a line anywhere. Lines that
 * start like a target's but are not one are kept as problems rather than thrown.
 */
export class TargetCollector {
  readonly targets: TargetLine[] = [];
  readonly problems: string[] = [];
  #rest = '';

  push(chunk: string | Buffer): void {
    const lines = (this.#rest + chunk.toString()).split('\n');
    this.#rest = lines.pop() ?? '';
    for (const line of lines) this.#line(line);
  }

  /** Takes the last line when the stream ended without a newline. */
  end(): void {
    if (this.#rest) this.#line(this.#rest);
    this.#rest = '';
  }

  #line(line: string): void {
    try {
      const t = parseTargetLine(line);
      if (t) this.targets.push(t);
    } catch (err) {
      this.problems.push((err as Error).message);
    }
  }
}

/** The table of every target, one row each, columns padded to their widest cell. */
export function targetTable(targets: readonly TargetLine[]): string[] {
  const header = ['benchmark', 'target', 'measured', 'limit', 'ratio', 'result'];
  const rows = targets.map((t) => [t.bench, t.what, t.measured, t.limit, t.ratio, t.result]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  // Numbers read best right-aligned: measured, limit and ratio.
  const cell = (text: string, i: number) => (i >= 2 && i <= 4 ? text.padStart(widths[i]!) : text.padEnd(widths[i]!));
  return [header, ...rows].map((r) => r.map(cell).join('  ').trimEnd());
}

/** "N of M targets met", M being the targets this run measured, and what it did not measure or meet. */
export function targetSummary(targets: readonly TargetLine[]): string[] {
  const judged = targets.filter((t) => t.result !== 'not measured');
  const met = judged.filter((t) => t.result === 'met');
  const missed = judged.filter((t) => t.result === 'NOT met');
  const unmeasured = targets.length - judged.length;
  const lines = [`${met.length} of ${judged.length} targets met${unmeasured > 0 ? `; ${unmeasured} not measured in this run (a size it did not reach)` : ''}.`];
  if (missed.length > 0) lines.push(`NOT met: ${missed.map((t) => `${t.bench}: ${t.what} (${t.measured}, limit ${t.limit})`).join('; ')}.`);
  return lines;
}
