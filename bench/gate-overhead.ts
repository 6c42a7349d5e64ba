// What `requireFlag` costs a Worker: a Hono app in workerd (Miniflare), one route served ungated and
// behind `requireFlag` with a fresh document in the isolate's memory, in the same run and the same
// process, alternating short batches (so machine noise hits both alike). Each request carries a new
// user (no decision is reused across requests), allowed through the flag's percentage stage after its
// allowlist is checked, so the gated route does the full work: flagstage() setup, the policy, one
// engine evaluation with an MD5 bucket. Prints requests per second of each and the ratio.
//
// Requests per second are counted per second of workerd's own CPU time (the sum of its threads'
// run time, /proc/<pid>/task/*/schedstat, in ns): the Worker's capacity when it is busy, unaffected
// by other processes competing for this shared machine's cores, which wall-clock req/s is not (both
// are printed). The driver (Node's fetch) is outside workerd and not counted. Requests go to a socket
// wired straight to the Worker (Miniflare's `unsafeDirectSockets`), not through `dispatchFetch`:
// that path runs Miniflare's own entry Worker in the same workerd process before ours, JavaScript a
// deployed Worker does not run, which would add to both routes' CPU and make the gate look cheaper.
//
// Noise: on a shared machine one batch's CPU figure swings by ±10% with the neighbours' load. The
// rounds are many short pairs, each pair's order alternating (ABBA), and the figure is the median of
// the pairs' ratios; the quartiles of those ratios are printed beside it, so a reader sees how far
// the median can be trusted.
// Run: npx tsx bench/gate-overhead.ts   (part of `npm run bench`)
import { build } from 'esbuild';
import { Miniflare } from 'miniflare';
import { WORKER_COMPATIBILITY, workerBundleOptions } from '../cli/serve/worker-bundle';
import { readdirSync, readFileSync } from 'node:fs';
import process from 'node:process';
import { buildDocument } from '../runtime/testing/index';
import { manifest, userIds } from './documents';
import { isMain, printTable, stats, type BenchRow } from './table';

process.env.CLOUDFLARE_CF_FETCH_ENABLED = 'false';
process.env.WRANGLER_SEND_METRICS = 'false';

/** Pairs of batches (one ungated, one gated), and requests per batch. */
const ROUNDS = Number(process.env.GATE_BENCH_ROUNDS ?? 24);
const PER_BATCH = Number(process.env.GATE_BENCH_REQUESTS ?? 400);
/** Rounds of the in-isolate loop, and app.fetch calls per loop. */
const ISOLATE_ROUNDS = 9;
const PER_LOOP = 5_000;
/** Requests in flight at once, as concurrent users would keep a Worker busy. */
const CONCURRENCY = 16;
const VERBOSE = isMain(import.meta.url);

const document = buildDocument(manifest, {
  gastown: { stage: 'percentage', percent: 100, users: userIds(500, 'listed-'), orgs: ['org-9'] },
  convoys: { stage: 'allowlist', users: userIds(50, 'listed-') },
  prMerge: { stage: 'percentage', percent: 50 },
  multiRig: { stage: 'ga' },
  molecules: { stage: 'admin-only' },
});

interface Figures {
  /** Requests per second of workerd CPU. */
  readonly ungated: { median: number; best: number };
  readonly gated: { median: number; best: number };
  /** Median over rounds of gated req/s over ungated req/s (CPU), with the ratios' quartiles. */
  readonly ratio: number;
  readonly quartiles: readonly [number, number];
  /** Wall-clock req/s medians, for context. */
  readonly wall: { readonly ungated: number; readonly gated: number };
  /** CPU µs per request inside the isolate (app.fetch in a loop), medians; `mounted`: flagstage() app-wide. */
  readonly isolate: { readonly ungated: number; readonly gated: number };
  readonly mounted: { readonly ungated: number; readonly gated: number };
}

/** The workerd processes Miniflare started (children of this process). */
function workerdPids(): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[1]) === process.pid && stat.includes('(workerd')) pids.push(Number(entry));
    } catch {
      // a process that ended meanwhile
    }
  }
  return pids;
}

/** CPU time of those processes, all threads, in seconds. */
function cpuSeconds(pids: readonly number[]): number {
  let ns = 0;
  for (const pid of pids) {
    for (const task of readdirSync(`/proc/${pid}/task`)) {
      try {
        ns += Number(readFileSync(`/proc/${pid}/task/${task}/schedstat`, 'utf8').split(' ')[0]);
      } catch {
        // a thread that ended meanwhile
      }
    }
  }
  return ns / 1e9;
}

export async function measureGateOverhead(): Promise<Figures> {
  const bundle = await build({
    ...workerBundleOptions(),
    entryPoints: [new URL('./gate-overhead/worker.ts', import.meta.url).pathname],
    write: false,
    minify: true,
    mainFields: ['browser', 'module', 'main'],
    logLevel: 'error',
  });
  const mf = new Miniflare({
    modules: true,
    script: bundle.outputFiles[0]!.text,
    ...WORKER_COMPATIBILITY,
    bindings: { DOCUMENT: JSON.stringify(document) },
    unsafeDirectSockets: [{}],
  });
  try {
    const entry = await mf.ready;
    const url = await mf.unsafeGetDirectURL();
    const pids = workerdPids();
    if (pids.length === 0) throw new Error('gate-overhead bench: cannot find the workerd process (needs Linux /proc)');
    let next = 0;
    const request = async (route: 'ungated' | 'gated') => {
      const target = new URL(`/${route}/towns`, url);
      const init = { headers: { 'x-user': `user-${next++}` } };
      // workerd closes a keep-alive connection left idle (during the in-isolate loops); undici may
      // pick one just as it closes: send that request again, once.
      const response = await fetch(target, init).catch((error: unknown) => {
        if ((error as { cause?: { code?: string } })?.cause?.code !== 'UND_ERR_SOCKET') throw error;
        return fetch(target, init);
      });
      if (response.status !== 200) throw new Error(`gate-overhead bench: /${route}/towns answered ${response.status}: ${await response.text()}`);
      await response.arrayBuffer();
    };
    /** Runs `count` requests; returns req/s per second of workerd CPU, and per wall-clock second. */
    const batch = async (route: 'ungated' | 'gated', count: number): Promise<{ cpu: number; wall: number }> => {
      let issued = 0;
      const cpu = cpuSeconds(pids);
      const start = performance.now();
      await Promise.all(
        Array.from({ length: CONCURRENCY }, async () => {
          while (issued++ < count) await request(route);
        }),
      );
      const wall = (performance.now() - start) / 1000;
      return { cpu: count / (cpuSeconds(pids) - cpu), wall: count / wall };
    };
    // Warm-up: loads the document, JITs both paths.
    await batch('gated', 1_000);
    await batch('ungated', 1_000);
    /** CPU µs per request inside the isolate: `count` app.fetch calls within one request. */
    const inIsolate = async (route: `${'' | 'app/'}${'ungated' | 'gated'}`, count: number): Promise<number> => {
      const cpu = cpuSeconds(pids);
      // One request running the loop: Miniflare's entry Worker in front of it is one call per loop.
      const response = await mf.dispatchFetch(new URL(`/loop/${route}?n=${count}`, entry));
      if (response.status !== 200) throw new Error(`gate-overhead bench: /loop/${route} answered ${response.status}: ${await response.text()}`);
      await response.arrayBuffer();
      return ((cpuSeconds(pids) - cpu) * 1e6) / count;
    };
    /** Warms both routes, then alternates them (ABBA) for ISOLATE_ROUNDS rounds: median µs of each. */
    const isolatePair = async (prefix: '' | 'app/') => {
      const [open, gate] = [`${prefix}ungated`, `${prefix}gated`] as const;
      await inIsolate(gate, 2_000);
      await inIsolate(open, 2_000);
      const times = { [open]: [] as number[], [gate]: [] as number[] };
      for (let round = 0; round < ISOLATE_ROUNDS; round++) {
        const [a, b] = round % 2 === 0 ? [open, gate] : [gate, open];
        const first = await inIsolate(a, PER_LOOP);
        const second = await inIsolate(b, PER_LOOP);
        times[a]!.push(first);
        times[b]!.push(second);
        if (VERBOSE) console.log(`in-isolate round ${round + 1}: ${a} ${first.toFixed(1)} µs, ${b} ${second.toFixed(1)} µs CPU per request`);
      }
      return { ungated: stats(times[open]!).median, gated: stats(times[gate]!).median };
    };
    const isolate = await isolatePair('');
    // The same with flagstage() mounted app-wide (the README's layout): requireFlag alone.
    const mounted = await isolatePair('app/');
    const ungated: number[] = [];
    const gated: number[] = [];
    const ratios: number[] = [];
    const wallUngated: number[] = [];
    const wallGated: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      // Alternate which goes first, so neither always runs right after the other.
      const [a, b] = round % 2 === 0 ? (['ungated', 'gated'] as const) : (['gated', 'ungated'] as const);
      const first = await batch(a, PER_BATCH);
      const second = await batch(b, PER_BATCH);
      const u = a === 'ungated' ? first : second;
      const g = a === 'gated' ? first : second;
      ungated.push(u.cpu);
      gated.push(g.cpu);
      ratios.push(g.cpu / u.cpu);
      if (VERBOSE) console.log(`round ${round + 1}: ungated ${u.cpu.toFixed(0)}, gated ${g.cpu.toFixed(0)} req per CPU-second (${((1 - g.cpu / u.cpu) * 100).toFixed(1)}% fewer); wall ${u.wall.toFixed(0)} / ${g.wall.toFixed(0)} req/s`);
      wallUngated.push(u.wall);
      wallGated.push(g.wall);
    }
    // req/s: higher is better, so "best" is the highest; stats() orders ascending.
    const high = (values: number[]) => ({ median: stats(values).median, best: Math.max(...values) });
    const sorted = [...ratios].sort((x, y) => x - y);
    const quartile = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
    return {
      ungated: high(ungated),
      gated: high(gated),
      ratio: stats(ratios).median,
      quartiles: [quartile(0.25), quartile(0.75)],
      wall: { ungated: stats(wallUngated).median, gated: stats(wallGated).median },
      isolate,
      mounted,
    };
  } finally {
    await mf.dispose();
  }
}

/** The gate-overhead row of `npm run bench`. */
export async function gateOverheadRows(): Promise<BenchRow[]> {
  const { ungated, gated, ratio, quartiles, wall, isolate, mounted } = await measureGateOverhead();
  const cost = (1 - ratio) * 100;
  const percent = (r: number) => `${((1 - r) * 100).toFixed(1)}%`;
  return [
    {
      figure: `gate overhead in a Worker: Hono route behind requireFlag (workerd; req per CPU-second)`,
      value: `${gated.median.toFixed(0)} req/s`,
      goal: '<= 3% fewer req/s',
      reference: `same route ungated: ${ungated.median.toFixed(0)} req/s`,
      ratio: `${cost.toFixed(1)}% fewer (median of ${ROUNDS} pairs of ${PER_BATCH}; quartiles ${percent(quartiles[1])} to ${percent(quartiles[0])})`,
      met: cost <= 3,
    },
    {
      figure: `gate overhead in a Worker: wall-clock req/s (${CONCURRENCY} in flight; machine load shows here)`,
      value: `${wall.gated.toFixed(0)} req/s`,
      goal: '',
      reference: `ungated: ${wall.ungated.toFixed(0)} req/s`,
      ratio: `${((1 - wall.gated / wall.ungated) * 100).toFixed(1)}% fewer`,
    },
    {
      figure: 'gate overhead inside the isolate: CPU per request, app.fetch in a loop (no HTTP around it)',
      value: `${isolate.gated.toFixed(1)} µs gated`,
      goal: '',
      reference: `ungated: ${isolate.ungated.toFixed(1)} µs`,
      ratio: `+${(isolate.gated - isolate.ungated).toFixed(1)} µs per request (${((isolate.gated / isolate.ungated - 1) * 100).toFixed(1)}%)`,
    },
    {
      figure: 'requireFlag alone inside the isolate: flagstage() mounted app-wide (the README layout) on both routes',
      value: `${mounted.gated.toFixed(1)} µs gated`,
      goal: '',
      reference: `ungated, same setup: ${mounted.ungated.toFixed(1)} µs`,
      ratio: `+${(mounted.gated - mounted.ungated).toFixed(1)} µs per request (${((mounted.gated / mounted.ungated - 1) * 100).toFixed(1)}%)`,
    },
  ];
}

if (isMain(import.meta.url)) printTable(await gateOverheadRows());
