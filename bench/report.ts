/**
 * Writes one `## <title>` section of docs/performance.md, leaving every other section as it is.
 * With BENCH_NO_WRITE=1 (the test suite's smoke runs, at tiny sizes) it writes nothing.
 */
import { readFileSync, writeFileSync, existsSync } from 'node:fs';

const FILE = new URL('../docs/performance.md', import.meta.url).pathname;
const HEADER = `# Performance

Every figure here is measured by a benchmark under bench/ and written by it; the command that
reproduces each figure is given in its section. Times and memory are of whole processes, from
start to exit (bench/process.ts: CPU of every thread of the process and of the git processes it
waits for, true peak resident memory, wall time), and each is shown beside a floor, the least any
implementation must do, measured the same way in the same run. These machines are shared and
noisy, so each section gives the load average of its run: read the ratios as the figures, and the
absolute times as indicative. \`npm test\` runs every benchmark at a tiny size (test/bench/), so a
benchmark that no longer runs fails the suite. \`npm run bench\` runs every benchmark in turn and
ends with a table of the benchmarks' targets: the figure measured, the limit, their ratio
and met or NOT met (a missed target is shown there, and does not by itself fail the run).
`;

export function writeSection(title: string, lines: string[]): void {
  if (process.env.BENCH_NO_WRITE === '1') return;
  const current = existsSync(FILE) ? readFileSync(FILE, 'utf8') : HEADER;
  const heading = `## ${title}`;
  const body = `${heading}\n\n${lines.join('\n')}\n`;
  const start = current.indexOf(heading + '\n');
  let next: string;
  if (start < 0) {
    next = current.trimEnd() + '\n\n' + body;
  } else {
    const rest = current.slice(start + heading.length);
    const end = rest.search(/\n## /);
    next = current.slice(0, start) + body + (end < 0 ? '' : '\n' + rest.slice(end + 1));
  }
  writeFileSync(FILE, next.replace(/\n{3,}/g, '\n\n'));
}
