#!/usr/bin/env node
// Node 24 runs the TypeScript sources directly (type stripping); no build step is needed.
const [major] = process.versions.node.split('.').map(Number);
if (major < 24) {
  process.stderr.write(`access-ledger needs Node.js 24 or newer (this is ${process.version}).\n`);
  process.exit(2);
}
const { main } = await import('../src/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
