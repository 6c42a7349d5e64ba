// What flagstage costs a Worker: everything `flagstage` and `flagstage/hono` export, bundled and
// minified for workerd (as wrangler bundles: esbuild, workerd/worker/browser conditions), against
// flagsmith-nodejs bundled the same way. flagsmith-nodejs imports Node built-ins, so it only runs
// with nodejs_compat; they are left external here (a lower bound on its real cost).
// The totals use the built package (dist/: run `npm run build` first), as users get it: tsconfig.json's
// `paths` are ignored so that `flagstage/*` resolves through package.json exports; the breakdown
// bundles the TypeScript sources (through those `paths`) to attribute bytes. Run: npm run bench:size
import { build, type Metafile } from 'esbuild';
import { builtinModules } from 'node:module';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { isMain, type BenchRow } from './table';
import { workerBundleOptions } from '../cli/serve/worker-bundle';
import { assertDistFresh } from '../test/adapters/dist';

const root = fileURLToPath(new URL('..', import.meta.url));
const nodeBuiltins = [...builtinModules, ...builtinModules.map((name) => `node:${name}`)];

interface Measured {
  readonly min: number;
  readonly gzip: number;
  readonly nodeImports: string[];
}

async function bundle(contents: string, external: string[], conditions: string[] = []) {
  return build({
    ...workerBundleOptions(),
    stdin: { contents, resolveDir: root, loader: 'ts' },
    write: false,
    minify: true,
    conditions: [...(workerBundleOptions().conditions ?? []), ...conditions],
    // Without the `source` condition, measure dist/ as installed: no tsconfig `paths` to the sources.
    ...(conditions.includes('source') ? {} : { tsconfigRaw: '{}' }),
    mainFields: ['browser', 'module', 'main'],
    external,
    metafile: true,
    logLevel: 'error',
  });
}

async function measure(contents: string, external: string[] = []): Promise<Measured> {
  const result = await bundle(contents, external);
  const code = result.outputFiles[0]!.contents;
  return { min: code.byteLength, gzip: gzipSync(code).byteLength, nodeImports: nodeImportsOf(result.metafile) };
}

function nodeImportsOf(metafile: Metafile): string[] {
  const found = new Set<string>();
  for (const output of Object.values(metafile.outputs)) for (const i of output.imports) if (i.external && nodeBuiltins.includes(i.path)) found.add(i.path);
  return [...found].sort();
}

/** Minified bytes per package (node_modules) or per source directory. */
async function breakdown(contents: string, external: string[]): Promise<[string, number][]> {
  const result = await bundle(contents, external, ['source']);
  const groups = new Map<string, number>();
  for (const output of Object.values(result.metafile.outputs)) {
    for (const [file, input] of Object.entries(output.inputs)) {
      const key = file.startsWith('node_modules/') ? file.split('/').slice(1, file.split('/')[1]!.startsWith('@') ? 3 : 2).join('/') : file.split('/').slice(0, 2).join('/');
      groups.set(key, (groups.get(key) ?? 0) + input.bytesInOutput);
    }
  }
  return [...groups].sort((a, b) => b[1] - a[1]);
}

const kib = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;
const row = (name: string, m: Measured) =>
  `${name.padEnd(48)} ${kib(m.min).padStart(10)} ${kib(m.gzip).padStart(10)}   ${m.nodeImports.length ? `needs nodejs_compat (${m.nodeImports.join(', ')})` : 'no Node built-ins'}`;

const entry = `export * from 'flagstage'; export * from 'flagstage/hono';`;
// The gate-only path: what a Worker that only gates routes imports.
const gateEntry = `export { createFlagstage, flagsmithSource, cachesApiCache } from 'flagstage'; export { flagstage, requireFlag } from 'flagstage/hono';`;
// Grants are their own entry point: what an app with continuing routes adds.
const grantsEntry = `${entry} export * from 'flagstage/grants';`;
const goal = 15 * 1024;

/** The bundle rows of `npm run bench`. */
export async function sizeRows(): Promise<BenchRow[]> {
  assertDistFresh();
  const all = await measure(entry, ['hono', 'hono/*']);
  const gate = await measure(gateEntry, ['hono', 'hono/*']);
  const withGrants = await measure(grantsEntry, ['hono', 'hono/*']);
  const flagsmith = await measure(`export * from 'flagsmith-nodejs';`, nodeBuiltins);
  return [
    {
      figure: 'edge bundle: all of flagstage + flagstage/hono (min+gzip)',
      value: kib(all.gzip),
      goal: '<= 15.0 KiB',
      reference: `flagsmith-nodejs: ${kib(flagsmith.gzip)}`,
      ratio: `${((all.gzip / flagsmith.gzip) * 100).toFixed(0)}%`,
      met: all.gzip <= goal && all.nodeImports.length === 0,
    },
    {
      figure: 'edge bundle: gate-only path (createFlagstage, flagsmithSource, cache, Hono flagstage + requireFlag)',
      value: kib(gate.gzip),
      goal: '',
      reference: `all exports: ${kib(all.gzip)}`,
      ratio: `${((gate.gzip / all.gzip) * 100).toFixed(0)}%`,
    },
    {
      figure: 'edge bundle: + flagstage/grants (only apps with continuing routes; jose)',
      value: `+${kib(withGrants.gzip - all.gzip)}`,
      goal: '',
      reference: `all three: ${kib(withGrants.gzip)}`,
      ratio: '',
    },
  ];
}

if (isMain(import.meta.url)) {
  assertDistFresh();
  const flagstage = await measure(entry, ['hono', 'hono/*']);
  const gate = await measure(gateEntry, ['hono', 'hono/*']);
  const withHono = await measure(`export * from 'flagstage'; export * from 'flagstage/hono'; export { Hono } from 'hono';`);
  const flagsmith = await measure(`export * from 'flagsmith-nodejs';`, nodeBuiltins);
  console.log(`${'bundle (esbuild, minified, workerd conditions)'.padEnd(48)} ${'min'.padStart(10)} ${'gzip'.padStart(10)}`);
  console.log(row('flagstage + flagstage/hono', flagstage));
  console.log(row('gate-only path', gate));
  console.log(row('flagstage + /hono + /grants', await measure(grantsEntry, ['hono', 'hono/*'])));
  console.log(row('flagstage + flagstage/hono + Hono itself', withHono));
  console.log(row('flagsmith-nodejs (Node built-ins external)', flagsmith));
  console.log(`goal: flagstage + flagstage/hono <= ${kib(goal)} gzip: ${flagstage.gzip <= goal ? 'met' : 'NOT met'} (${((flagstage.gzip / flagsmith.gzip) * 100).toFixed(0)}% of flagsmith-nodejs)`);
  console.log('\nwhere the flagstage + flagstage/hono bytes come from (minified, before gzip):');
  for (const [name, bytes] of await breakdown(entry, ['hono', 'hono/*'])) console.log(`  ${kib(bytes).padStart(9)}  ${name}`);
  console.log('\nwhere the gate-only path\'s bytes come from (minified, before gzip):');
  for (const [name, bytes] of await breakdown(gateEntry, ['hono', 'hono/*'])) console.log(`  ${kib(bytes).padStart(9)}  ${name}`);
  if (flagstage.nodeImports.length > 0) process.exitCode = 1;
}
