/** Commands beyond validate and init, each in its own module. */
import type { Command } from 'commander';
import type { Io } from '../io.ts';
import { registerExport } from './export.ts';
import { registerVerify } from './verify.ts';
import { registerReconcile } from './reconcile.ts';
import { registerSweep } from './sweep.ts';
import { registerDoctor } from './doctor.ts';
import { registerObserve } from './observe.ts';
import { registerDrift } from './drift.ts';
import { registerImport } from './import.ts';
import { registerServe } from './serve.ts';
import { registerKeygen } from './keygen.ts';

export async function registerOptionalCommands(program: Command, io: Io, setExit: (code: number) => void): Promise<void> {
  registerVerify(program, io, setExit);
  registerExport(program, io, setExit);
  registerReconcile(program, io, setExit);
  registerSweep(program, io, setExit);
  registerDoctor(program, io, setExit);
  registerObserve(program, io, setExit);
  registerDrift(program, io, setExit);
  registerImport(program, io, setExit);
  registerServe(program, io, setExit);
  registerKeygen(program, io, setExit);
}
