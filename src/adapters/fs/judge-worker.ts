/**
 * A worker thread of judge-repo.ts: takes its first part, then the next from the counter it shares
 * with the main thread and the other workers, reads and judges each (judge-part.ts), and posts it back as
 * plain data (each file a PortableFile: a structured clone carries no function), until no part is
 * left. Then it ends.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { toPortable, type PortableFile } from '../../core/model/snapshot.ts';
import type { Finding } from '../../core/findings.ts';
import { judgePart, withPlainEnv, type RepoPlan } from './judge-part.ts';

export interface WorkerData {
  plan: RepoPlan;
  /** The part this thread starts with. */
  first: number;
  /** Index of the next part to take after it, shared by every thread (Atomics.add). */
  next: Int32Array;
}

export interface PartMessage {
  part: number;
  files: PortableFile[];
  findings: Finding[];
}

const { plan, first, next } = workerData as WorkerData;
for (let part = first; part < plan.parts.length; part = Atomics.add(next, 0, 1)) {
  const judged = withPlainEnv(() => judgePart(plan, plan.parts[part]!));
  parentPort!.postMessage({ part, files: judged.files.map(toPortable), findings: judged.findings } satisfies PartMessage);
}
