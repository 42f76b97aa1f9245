// Loaded with `node --import` into `access-ledger validate` by test/cli/validate-parallel.test.ts:
// every worker thread the process starts fails as WORKER_FAULT says, so the test sees what the
// command does when a worker throws, stops, ends without handing back its files, or runs out of
// memory reading them.
//   throw    the worker throws before reading anything
//   exit     the worker ends the thread with exit code 70 in the middle of its work
//   silent   the worker reads and judges its parts but hands none back, and ends normally
//   oom      the real worker, with a heap too small for its part
import { syncBuiltinESMExports } from 'node:module';
import workerThreads from 'node:worker_threads';

const fault = process.env.WORKER_FAULT;
const Real = workerThreads.Worker;

const FAULTS = {
  throw: "throw new Error('the disk went away');",
  exit: 'setTimeout(() => process.exit(70), 50); setInterval(() => {}, 1000);',
  silent: `
    const { parentPort } = await import('node:worker_threads');
    parentPort.postMessage = () => {};
    await import(process.env.WORKER_FAULT_REAL);`,
};

if (fault) {
  workerThreads.Worker = class extends Real {
    constructor(filename, options = {}) {
      if (fault === 'oom') super(filename, { ...options, resourceLimits: { maxOldGenerationSizeMb: 8, maxYoungGenerationSizeMb: 1 } });
      else
        super(new URL(`data:text/javascript,${encodeURIComponent(FAULTS[fault])}`), {
          ...options,
          env: { ...process.env, WORKER_FAULT_REAL: String(filename) },
        });
    }
  };
  syncBuiltinESMExports();
}
