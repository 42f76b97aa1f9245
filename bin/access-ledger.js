#!/usr/bin/env node
// In this repository Node 24 runs the TypeScript sources directly (type stripping). Node does not
// strip types inside node_modules, so the published package carries them compiled to build/
// (`npm run build`, run by `prepack`), and that is what an installed copy runs.
import { existsSync } from 'node:fs';

const [major] = process.versions.node.split('.').map(Number);
if (major < 24) {
  process.stderr.write(`access-ledger needs Node.js 24 or newer (this is ${process.version}).\n`);
  process.exit(2);
}
const built = new URL('../build/src/cli/main.js', import.meta.url);
const insideNodeModules = import.meta.url.includes('/node_modules/');
const entry = insideNodeModules && existsSync(built) ? built.href : '../src/cli/main.ts';
const { main } = await import(entry);
process.exitCode = await main(process.argv.slice(2));
