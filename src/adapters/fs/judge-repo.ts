/**
 * An access repo read from disk and parsed, with its file scope judged, for `validate`: on this
 * thread alone for an ordinary repo, on every core for a large one.
 *
 * A large repo is cut into parts of a thousand grant files. This thread and a worker thread per
 * other core (one to three) each start with a part of their own (this thread the first, the first
 * worker the second, and so on), then take the next part from a counter they share until none is
 * left, so a thread slowed by other work on the machine takes fewer. Each reads its part, parses it
 * (YAML, positions, schema) and runs the file rules over it beside the config and every system
 * file (judge-part.ts); the workers post theirs back as plain data (judge-worker.ts). This thread
 * then puts the files together in the order one thread would have read them and hands over the
 * file scope's findings with them, for the repo and time rules to run here over the whole repo
 * (validateSnapshot's `fileFindings`). The report is the same, byte for byte, as one thread's.
 *
 * A worker that throws or stops fails the whole read: a report that left files out would pass
 * what it never judged.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { Finding } from '../../core/findings.ts';
import { SnapshotBuilder, fromPortable, roleOf, type Snapshot } from '../../core/model/snapshot.ts';
import type { IsoDate } from '../../core/model/types.ts';
import { listRepoPaths, readAccessFile } from './read-repo.ts';
import { judgePart, withPlainEnv, type JudgedPart, type Part, type RepoPlan } from './judge-part.ts';
import type { PartMessage, WorkerData } from './judge-worker.ts';

/**
 * From how many files a repo is judged on several threads. Below it the workers cost more than
 * they save: each starts a Node worker, loads the parser, the schemas and the rules, compiles the
 * schemas and warms up its own compiled code (about half a second of CPU on the benchmark
 * machine), and every file's data is copied back to this thread. At 10,000 files that is a third
 * more CPU (a ratio to the floor of 1.12 instead of 0.86) for a third of a second; at 20,000 the
 * wall time falls by a fifth, at 100,000 by a third (docs/performance.md, "Core: validate").
 */
export const PARALLEL_FILES = 20_000;

/** Grant files per part: small enough that the threads share the work evenly whatever else runs on the machine. */
const PART_FILES = 1000;

// In this repository the worker is TypeScript run directly; in the published package, compiled.
const WORKER = new URL(`./judge-worker${import.meta.url.endsWith('.ts') ? '.ts' : '.js'}`, import.meta.url);

export interface JudgeRepoOptions {
  today: IsoDate;
  /** Judge the file scope of these paths only (`--changed-since`); every file is still read. */
  changed?: ReadonlySet<string>;
  /** From how many files to use worker threads (default PARALLEL_FILES). */
  parallelFrom?: number;
}

export interface JudgedRepo {
  snapshot: Snapshot;
  /** The file scope's findings when it was judged in parts (validateSnapshot's `fileFindings`); absent when it is still to judge. */
  fileFindings?: Finding[];
}

export async function judgeRepo(root: string, options: JudgeRepoOptions): Promise<JudgedRepo> {
  const paths = await listRepoPaths(root);
  if (paths.length < (options.parallelFrom ?? PARALLEL_FILES)) {
    // Blocking reads, each file parsed as it is read and its bytes let go: for many small files
    // several times faster than reads on libuv's thread pool, and nothing else waits meanwhile.
    const builder = new SnapshotBuilder();
    withPlainEnv(() => {
      for (const path of paths) builder.add(readAccessFile(root, path));
    });
    return { snapshot: builder.finish() };
  }
  return judgeInParts(plan(root, paths, options));
}

function plan(root: string, paths: string[], options: JudgeRepoOptions): RepoPlan {
  const context = paths.filter((p) => roleOf(p) !== 'grant');
  const grants = paths.filter((p) => roleOf(p) === 'grant');
  const parts: Part[] = [];
  for (let i = 0; i === 0 || i < grants.length; i += PART_FILES) {
    const part: Part = { paths: [...(i === 0 ? context : []), ...grants.slice(i, i + PART_FILES)] };
    if (options.changed) part.judge = part.paths.filter((p) => options.changed!.has(p));
    parts.push(part);
  }
  return { root, context, parts, today: options.today };
}

async function judgeInParts(plan: RepoPlan): Promise<JudgedRepo> {
  const count = Math.max(1, Math.min(4, availableParallelism()) - 1);
  // Parts 0 to `count` are taken at the start, one per thread; the counter hands out the rest.
  const next = new Int32Array(new SharedArrayBuffer(4));
  next[0] = count + 1;
  const judged: (JudgedPart | undefined)[] = new Array(plan.parts.length);
  let failure: unknown;
  const workers: Worker[] = [];
  const ended: Promise<void>[] = [];
  for (let w = 0; w < count; w++) {
    const worker = new Worker(WORKER, { workerData: { plan, first: w + 1, next } satisfies WorkerData });
    workers.push(worker);
    ended.push(
      new Promise((resolve) => {
        worker.on('message', (m: PartMessage) => {
          try {
            judged[m.part] = { files: m.files.map((f) => fromPortable(f)), findings: m.findings };
          } catch (err) {
            failure ??= new Error(`a worker thread handed back what is not a part of the repo (${(err as Error).message})`);
          }
        });
        worker.on('error', (err) => {
          failure ??= err;
        });
        worker.on('exit', (code) => {
          if (code !== 0) failure ??= new Error(`a worker thread stopped with exit code ${code}`);
          resolve();
        });
      }),
    );
  }
  try {
    // This thread takes parts too, and between two of them receives what the workers posted.
    for (let i = 0; failure === undefined && i < plan.parts.length; i = Atomics.add(next, 0, 1)) {
      judged[i] = withPlainEnv(() => judgePart(plan, plan.parts[i]!));
      await new Promise((resolve) => setImmediate(resolve));
    }
    if (failure !== undefined) await Promise.all(workers.map((w) => w.terminate()));
    await Promise.all(ended);
  } catch (err) {
    await Promise.all(workers.map((w) => w.terminate()));
    throw err;
  }
  const fail = (why: string) => {
    const files = plan.parts.reduce((n, part) => n + part.paths.length, 0);
    return new Error(
      `validate could not read and judge every file of ${plan.root} on worker threads (${why}), so it gives no report: one without some files would pass what it never judged. ` +
        `Run it again; if it fails again, validate on one thread: ACCESS_LEDGER_PARALLEL_FILES=${files + 1}`,
    );
  };
  if (failure !== undefined) throw fail(reason(failure));
  const builder = new SnapshotBuilder();
  const fileFindings: Finding[] = [];
  plan.parts.forEach((part, i) => {
    const got = judged[i];
    // Every file of every part, and no other, or no report.
    if (!got || got.files.length !== part.paths.length || got.files.some((f, j) => f.path !== part.paths[j])) {
      throw fail(`part ${i + 1} of ${plan.parts.length}, ${part.paths.length} files, was not handed back`);
    }
    for (const file of got.files) builder.addLoaded(file);
    for (const f of got.findings) fileFindings.push(f);
  });
  return { snapshot: builder.finish(), fileFindings };
}

function reason(err: unknown): string {
  if ((err as { code?: unknown } | null)?.code === 'ERR_WORKER_OUT_OF_MEMORY') return 'a worker thread ran out of memory';
  const message = err instanceof Error ? err.message : String(err);
  return message || 'a worker thread stopped without saying why';
}
