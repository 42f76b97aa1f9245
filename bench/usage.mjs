// Preloaded into every process a benchmark measures (`node --import ./bench/usage.mjs …`): when
// the process exits it writes its whole CPU time (user + system of every thread, workers included,
// plus its finished child processes such as git, where /proc says), its true peak resident memory
// (getrusage's maxrss) and its wall time since it started, to the file named by BENCH_USAGE_FILE.
// Start-up, module loading and exit are all counted.
import { readFileSync, writeFileSync } from 'node:fs';

const file = process.env.BENCH_USAGE_FILE;

/** CPU of the children this process waited for (git, …), in ms: fields cutime and cstime of /proc/self/stat. */
function childrenCpuMs() {
  try {
    const stat = readFileSync('/proc/self/stat', 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // After "pid (comm) ", field 3 is at index 0: cutime is field 16, cstime field 17, in clock ticks (100 a second on Linux).
    return ((Number(fields[13]) + Number(fields[14])) * 1000) / 100;
  } catch {
    return 0;
  }
}

if (file) {
  // The children this process starts report to it, not to the benchmark.
  delete process.env.BENCH_USAGE_FILE;
  process.on('exit', () => {
    const u = process.resourceUsage();
    const own = (u.userCPUTime + u.systemCPUTime) / 1000;
    const children = childrenCpuMs();
    writeFileSync(
      file,
      JSON.stringify({ cpuMs: own + children, ownCpuMs: own, childrenCpuMs: children, maxRssMb: u.maxRSS / 1024, wallMs: performance.now() }),
    );
  });
}
