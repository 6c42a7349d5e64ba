import { build, type LogLevel } from 'esbuild';
import { workerBundleOptions } from '../../cli/serve/worker-bundle';

/**
 * A test Worker bundled as `flagstage serve` bundles the control plane (wrangler's settings), for
 * Miniflare's `script`. `external` keeps imports the runtime provides (`cloudflare:workers`, Node
 * built-ins under nodejs_compat) out of the bundle. No vitest import: benches use it too.
 *
 * @example
 * ```ts
 * const mf = new Miniflare({ modules: true, script: await bundleWorker(`${repoRoot}test/sources/isolate-worker.ts`) });
 * ```
 */
export async function bundleWorker(entry: string, options: { readonly external?: string[]; readonly logLevel?: LogLevel } = {}): Promise<string> {
  const base = workerBundleOptions();
  const result = await build({
    ...base,
    // `source` first, as these tests always resolved: a package's untranspiled sources where it offers them.
    conditions: ['source', ...(base.conditions ?? [])],
    entryPoints: [entry],
    write: false,
    ...(options.external === undefined ? {} : { external: options.external }),
    ...(options.logLevel === undefined ? {} : { logLevel: options.logLevel }),
  });
  const script = result.outputFiles[0]?.text;
  if (script === undefined) throw new Error(`bundling ${entry} produced nothing`);
  return script;
}
