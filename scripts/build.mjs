// Builds dist/ with esbuild: the edge entry points for a neutral platform (no Node built-ins allowed),
// the codegen and CLI for Node. Types are served from the TypeScript sources (see package.json exports).
import { build } from 'esbuild';
import { existsSync, rmSync } from 'node:fs';

const root = new URL('..', import.meta.url).pathname;
rmSync(`${root}dist`, { recursive: true, force: true });

const edge = ['runtime/index.ts', 'runtime/engine/index.ts', 'adapters/hono/index.ts', 'adapters/trpc/index.ts', 'adapters/react/index.ts', 'adapters/openfeature/index.ts'];
const node = ['runtime/sources/file.ts', 'adapters/next/index.ts', 'codegen/index.ts', 'cli/main.ts'];
const shared = { absWorkingDir: root, bundle: true, splitting: true, format: 'esm', outdir: 'dist', outbase: '.', packages: 'external', target: 'es2022', logLevel: 'warning', jsx: 'automatic' };

await build({ ...shared, entryPoints: edge.filter((entry) => existsSync(`${root}${entry}`)), platform: 'neutral', chunkNames: 'chunks/edge-[hash]' });
await build({ ...shared, entryPoints: node.filter((entry) => existsSync(`${root}${entry}`)), platform: 'node', chunkNames: 'chunks/node-[hash]' });
