#!/usr/bin/env node
// The published CLI runs the built JavaScript in dist/ (made by `npm run build`, run on install).
import { existsSync } from 'node:fs';

const entry = new URL('../dist/cli/main.js', import.meta.url);
if (!existsSync(entry)) {
  process.stderr.write('flagstage: dist/ is missing; run `npm run build` in the flagstage package\n');
  process.exit(2);
}
const { runCli } = await import(entry.href);
process.exitCode = await runCli(process.argv.slice(2));
