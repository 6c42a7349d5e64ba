// The package's entry points, read from package.json `exports`: the one list the build
// (scripts/build.mjs), the tests' module aliases (vitest.config.ts) and the TypeScript path check
// use. To add an entry point, add an exports entry in package.json, e.g.
//   "./control": { "types": "./dist/control/index.d.ts", "default": "./dist/control/index.js" }
// built from control/index.ts (the `default` target with `dist/` dropped and `.ts`/`.tsx` for
// `.js`), and its line in tsconfig.json `paths` (the build names it if missing). An entry runs at the
// edge (workerd without nodejs_compat, browsers) unless NODE_ONLY below names it: the build fails
// when an edge entry reaches a Node built-in.
import { existsSync, readFileSync } from 'node:fs';

export const root = new URL('..', import.meta.url).pathname.replace(/\/$/, '');

/** Subpaths whose code may import Node built-ins (they are documented as Node only). */
export const NODE_ONLY = new Set(['./file', './codegen']);

/**
 * Packages only the codegen needs (it reads flags.config.ts with the TypeScript compiler). The build
 * fails when any other entry point reaches one: an app that only runs gates must not need them.
 */
export const CODEGEN_ONLY = new Set(['ts-morph', 'typescript']);
export const CODEGEN_ENTRIES = new Set(['./codegen']);

/** Not an exports entry, but built the same way: the CLI that bin/flagstage.js loads. */
const CLI = { subpath: null, specifier: null, source: 'cli/main.ts', output: 'dist/cli/main.js', types: null, platform: 'node' };

/**
 * @returns {Array<{ subpath: string | null, specifier: string | null, source: string, output: string, types: string | null, platform: 'edge' | 'node' }>}
 */
export function entries() {
  const pkg = JSON.parse(readFileSync(`${root}/package.json`, 'utf8'));
  const list = [];
  for (const [subpath, target] of Object.entries(pkg.exports)) {
    if (typeof target === 'string') continue; // ./package.json
    const output = target.default?.replace(/^\.\//, '');
    if (!output?.startsWith('dist/') || !output.endsWith('.js')) throw new Error(`package.json exports["${subpath}"].default must be ./dist/<path>.js, got ${target.default}`);
    const base = output.slice('dist/'.length, -'.js'.length);
    const source = [`${base}.ts`, `${base}.tsx`].find((file) => existsSync(`${root}/${file}`));
    if (!source) throw new Error(`package.json exports["${subpath}"]: no source ${base}.ts or ${base}.tsx for ${target.default}`);
    const types = target.types?.replace(/^\.\//, '') ?? null;
    if (types !== `dist/${base}.d.ts`) throw new Error(`package.json exports["${subpath}"].types must be ./dist/${base}.d.ts (listed before default), got ${target.types}`);
    const specifier = subpath === '.' ? pkg.name : `${pkg.name}/${subpath.slice(2)}`;
    list.push({ subpath, specifier, source, output, types, platform: NODE_ONLY.has(subpath) ? 'node' : 'edge' });
  }
  return [...list, CLI];
}
