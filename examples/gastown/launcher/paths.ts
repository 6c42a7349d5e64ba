import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

/** Where things are, from this file's location (the launcher may be started from any directory). */
export const exampleDir = dirname(dirname(fileURLToPath(import.meta.url)));
export const repoRoot = dirname(dirname(exampleDir));
export const defaultConfig = join(repoRoot, 'flags.config.ts');
export const flagstageBin = join(repoRoot, 'bin/flagstage.js');
export const nextBin = join(repoRoot, 'node_modules/next/dist/bin/next');
export const kitEntry = join(repoRoot, 'dist/runtime/index.js');
