import { build } from 'esbuild';
import { Miniflare } from 'miniflare';
import { createWriteStream } from 'node:fs';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import type { Env } from '../worker/env';
// Built and run as `flagstage serve` runs the control plane (wrangler's settings, no nodejs_compat).
import { WORKER_COMPATIBILITY, workerBundleOptions } from '../../../cli/serve/worker-bundle';

/** What the launcher binds: every variable the worker reads (worker/env.ts), all set. */
export type WorkerBindings = Required<Env>;

export interface RunningWorker {
  readonly url: string;
  stop(): Promise<void>;
}

/**
 * Bundles the Hono worker the way wrangler does (esbuild, workerd conditions; `flagstage/*` from
 * the package's exports) and runs it in workerd through Miniflare on a free port, with the Cache
 * API the flag source layers on. No Cloudflare account or network access involved.
 */
export async function startWorker(options: { exampleDir: string; outDir: string; port: number; bindings: WorkerBindings; logFile: string }): Promise<RunningWorker> {
  const outfile = join(options.outDir, 'worker.js');
  await build({
    ...workerBundleOptions(),
    entryPoints: [join(options.exampleDir, 'worker/index.ts')],
    outfile,
    logLevel: 'warning',
  });
  const before = signalListeners();
  const miniflare = new Miniflare({
    modules: true,
    scriptPath: outfile,
    // Module names are relative to this root; the bundle lives outside the working directory.
    modulesRoot: options.outDir,
    ...WORKER_COMPATIBILITY,
    bindings: { ...options.bindings },
    host: '127.0.0.1',
    port: options.port,
    // Offline: no request.cf data fetched from Cloudflare.
    cf: false,
    // The worker's console goes to its log file; the terminal keeps the banner.
    handleRuntimeStdio(stdout: Readable, stderr: Readable) {
      const log = createWriteStream(options.logFile, { flags: 'a' });
      stdout.pipe(log);
      stderr.pipe(log);
    },
  });
  // Miniflare exits the process on SIGINT/SIGTERM, before the launcher could stop Next and the
  // flag server (they were orphaned). The launcher handles those signals itself and disposes of
  // this worker with the rest; Miniflare's own 'exit' hook (kill workerd) stays.
  for (const [signal, listeners] of signalListeners()) {
    for (const listener of listeners) if (!before.get(signal)?.includes(listener)) process.removeListener(signal, listener);
  }
  const url = (await miniflare.ready).toString().replace(/\/$/, '');
  return { url, stop: () => miniflare.dispose() };
}

type SignalListener = (...args: unknown[]) => void;

function signalListeners(): Map<NodeJS.Signals, SignalListener[]> {
  return new Map((['SIGINT', 'SIGTERM', 'SIGHUP'] as const).map((signal) => [signal, process.listeners(signal) as SignalListener[]]));
}
