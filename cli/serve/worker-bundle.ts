import type { BuildOptions } from 'esbuild';

/**
 * How `flagstage serve` bundles and runs a Worker, the way wrangler does with the shipped
 * `control/template/wrangler.jsonc`; the benchmarks and the Gastown launcher build and run their
 * Workers with the same settings, so what they measure or demo is what `serve` and a deploy run.
 * Types only from esbuild: it stays an optional peer loaded when `serve` starts.
 */

/** The template's compatibility date, without `nodejs_compat` (the control plane imports no Node built-in). */
export const WORKER_COMPATIBILITY = { compatibilityDate: '2026-04-01', compatibilityFlags: [] as string[] };

/**
 * esbuild's options for one Worker module as wrangler bundles it: ESM, no Node platform, packages
 * resolved by workerd's export conditions. Add the entry, `write` and `logLevel`.
 *
 * @example
 * ```ts
 * const { outputFiles } = await build({ ...workerBundleOptions(), entryPoints: ['worker/index.ts'], write: false });
 * ```
 */
export function workerBundleOptions(): BuildOptions {
  return {
    bundle: true,
    format: 'esm',
    platform: 'neutral',
    target: 'es2022',
    conditions: ['workerd', 'worker', 'browser'],
    mainFields: ['module', 'main'],
  };
}
