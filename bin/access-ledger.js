#!/usr/bin/env node
// In this repository Node 24 runs the TypeScript sources directly (type stripping). Node does not
// strip types inside node_modules, so the published package carries them compiled to build/
// (`npm run build`, run by `prepack`), and that is what an installed copy runs; so does the
// container image, which holds build/ and not the sources.
import { existsSync } from 'node:fs';

const [major] = process.versions.node.split('.').map(Number);
if (major < 24) {
  process.stderr.write(`access-ledger needs Node.js 24 or newer (this is ${process.version}).\n`);
  process.exit(2);
}
const built = new URL('../build/src/cli/main.js', import.meta.url);
const source = new URL('../src/cli/main.ts', import.meta.url);
const insideNodeModules = import.meta.url.includes('/node_modules/');
const useBuild = existsSync(built) && (insideNodeModules || !existsSync(source));
const { main } = await import(useBuild ? built.href : source.href);
process.exitCode = await main(process.argv.slice(2));
