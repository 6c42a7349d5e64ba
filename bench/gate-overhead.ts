// What `requireFlag` costs a Worker: a Hono app in workerd (Miniflare), one route served ungated and
// behind `requireFlag` with a fresh document in the isolate's memory, in the same run and the same
// process, alternating short batches (so machine noise hits both alike). Each request carries a new
// user (no decision is reused across requests), allowed through the flag's 50% percentage stage after
// its allowlist and org list are checked, so the gated route does the full work: flagstage() setup,
// the policy, one engine evaluation with an MD5 bucket. The users sent are those the rollout lets in,
// picked beforehand by flagstage itself on the same document (ALLOWED_USERS): a 100% rollout would let
// everyone in without hashing (Flagsmith's buckets are below 100, so the engine skips the MD5 there),
// which is not the cost of a rollout in progress. Prints requests per second of each and the ratio.
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
//
// The stable figure is the instruction count: where valgrind is installed, the same Worker runs
// again under callgrind (bench/gate-overhead/instructions.ts) and the table prints mutator
// instructions per request of both layouts: the README's (flagstage() app-wide, so requireFlag is
// the only difference between the two routes: the figure the goal applies to) and the strict one
// (flagstage() + requireFlag on the gated route only), with the GC part beside them (the gated route
// allocates more; the goal is on the mutator part, which does not depend on when collections fall).
// How it is made repeatable (two runs on the same code used to read +2.4% and +6.2%):
// - the split follows the call graph: a collection's finalizers and frees are GC, not mutator, and a
//   template argument no longer makes a function GC (instructions.ts says why);
// - 4 workerd processes, each warmed up over HTTP, then rounds of one batch per route: each process
//   settles in its own tier state (a shared function optimised or still in baseline code moves every
//   route by ~5k), which only more processes average out;
// - the figure is the median, over all rounds of all processes, of the ratio of a round's gated batch
//   to its ungated batch (adjacent, same process state); each process's median is printed beside it.
// What it counts is a young isolate: ~7,000 gated requests in, the gate's functions still run in V8's
// Maglev tier; they reach Turbofan after ~17,000 (--trace-opt in plain workerd, 29 Nov). A warm isolate
// reads a little less: 26 warm-up rounds (GATE_BENCH_COUNT_WARM_ROUNDS=26) counted +3.9% where 3
// read +4.2% (1 process).
// It adds ~7 minutes (4 processes of ~100 s); GATE_BENCH_INSTRUCTIONS=0 skips it (the table says so, as it says when
// valgrind is missing); GATE_BENCH_COUNT_{PROCESSES,WARM_ROUNDS,ROUNDS,BATCH} change its size,
// GATE_BENCH_KEEP_DUMPS=<dir> keeps every batch's callgrind dump for a function-level diff.
// Run: npx tsx bench/gate-overhead.ts   (part of `npm run bench`)
import { build } from 'esbuild';
import { Miniflare, type MiniflareOptions } from 'miniflare';
import { WORKER_COMPATIBILITY, workerBundleOptions } from '../cli/serve/worker-bundle';
import { readdirSync, readFileSync } from 'node:fs';
import process from 'node:process';
import { createFlagstage, staticSource } from '../runtime/index';
import { buildDocument } from '../runtime/testing/index';
import { manifest, userIds } from './documents';
import { countInstructions, overhead, type InstructionCounts } from './gate-overhead/instructions';
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
  gastown: { stage: 'percentage', percent: 50, users: userIds(500, 'listed-'), orgs: ['org-9'] },
  convoys: { stage: 'allowlist', users: userIds(50, 'listed-') },
  prMerge: { stage: 'percentage', percent: 50 },
  multiRig: { stage: 'ga' },
  molecules: { stage: 'admin-only' },
});

/**
 * The users the bench sends, as the numbers n of `user-n`: those the 50% rollout lets in, decided here
 * by flagstage on the same document with the Worker's identity, so every gated request hashes and is
 * allowed. More than a run sends, so no id comes twice in one workerd process (a repeated id could
 * find its string still in V8's string table, which a new user's never is).
 */
const ALLOWED_USERS = await allowedUsers(250_000);

async function allowedUsers(count: number): Promise<readonly number[]> {
  const flags = createFlagstage({ manifest, source: staticSource(document), logChanges: false });
  const loaded = await flags.source.current();
  const allowed: number[] = [];
  for (let n = 0; allowed.length < count; n++) if (flags.decideOn(loaded, 'gastown', { userId: `user-${n}`, orgId: 'org-1', isAdmin: false }).allowed) allowed.push(n);
  return allowed;
}

type Route = 'ungated' | 'gated' | 'app/ungated' | 'app/gated';
/** The two layouts, each a pair of routes that differ by the gate alone. */
const LAYOUTS = {
  /** The README's: flagstage() mounted app-wide, so requireFlag is the only difference (the goal's figure). */
  readme: { open: 'app/ungated', gate: 'app/gated' },
  /** The strict one: flagstage() + requireFlag on the gated route only, the ungated route without flagstage(). */
  strict: { open: 'ungated', gate: 'gated' },
} as const satisfies Record<string, { open: Route; gate: Route }>;
type Layout = keyof typeof LAYOUTS;

/**
 * The instruction count (bench/gate-overhead/instructions.ts): COUNT_PROCESSES workerd processes under
 * callgrind, one after the other, each warmed up by COUNT_WARM_ROUNDS uncounted rounds, then
 * COUNT_ROUNDS counted rounds, a round being one batch of COUNT_BATCH requests per route. Under
 * valgrind a request takes ~10 ms.
 */
const COUNT_BATCH = Number(process.env.GATE_BENCH_COUNT_BATCH ?? 500);
const COUNT_WARM_ROUNDS = Number(process.env.GATE_BENCH_COUNT_WARM_ROUNDS ?? 3);
const COUNT_ROUNDS = Number(process.env.GATE_BENCH_COUNT_ROUNDS ?? 4);
const COUNT_PROCESSES = Number(process.env.GATE_BENCH_COUNT_PROCESSES ?? 4);

interface HttpFigures {
  /** Requests per second of workerd CPU. */
  readonly ungated: { median: number; best: number };
  readonly gated: { median: number; best: number };
  /** Median over rounds of gated req/s over ungated req/s (CPU), with the ratios' quartiles. */
  readonly ratio: number;
  readonly quartiles: readonly [number, number];
  /** Wall-clock req/s medians, for context. */
  readonly wall: { readonly ungated: number; readonly gated: number };
}

interface Figures {
  /** HTTP straight to the Worker, the README layout's pair. */
  readonly http: HttpFigures;
  /** CPU µs per request inside the isolate (app.fetch in a loop), medians, per layout. */
  readonly isolate: Record<Layout, { readonly ungated: number; readonly gated: number }>;
  /** Instructions per request (callgrind on workerd), when valgrind is installed. */
  readonly instructions: InstructionCounts<Route>;
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

/** Sends one request with a new user to `route` on the Worker at `base`; throws unless it is let through. */
let users = 0;
async function request(base: URL, route: Route): Promise<void> {
  const target = new URL(`/${route}/towns`, base);
  const init = { headers: { 'x-user': `user-${ALLOWED_USERS[users++ % ALLOWED_USERS.length]}` } };
  // workerd closes a keep-alive connection left idle (during the in-isolate loops); undici may pick
  // one just as it closes: send that request again (a few times: under valgrind workerd is slow).
  for (let attempt = 0; ; attempt++) {
    let response: Response;
    try {
      response = await fetch(target, init);
    } catch (error) {
      // undici reports the close as UND_ERR_SOCKET, or as ECONNRESET when it lands mid-read.
      const code = (error as { cause?: { code?: string } })?.cause?.code;
      if ((code !== 'UND_ERR_SOCKET' && code !== 'ECONNRESET') || attempt >= 3) throw error;
      continue;
    }
    if (response.status !== 200) throw new Error(`gate-overhead bench: /${route}/towns answered ${response.status}: ${await response.text()}`);
    await response.arrayBuffer();
    return;
  }
}

/** Instructions per request of the four routes, in COUNT_PROCESSES workerd processes under callgrind. */
export async function countGateInstructions(worker: MiniflareOptions, log = VERBOSE ? (line: string) => console.log(line) : undefined): Promise<InstructionCounts<Route>> {
  if (process.env.GATE_BENCH_INSTRUCTIONS === '0') return { counted: false, why: 'skipped (GATE_BENCH_INSTRUCTIONS=0)' };
  // A failed count (valgrind's workerd is slow and fragile) must not cost the table its other rows.
  return countInstructions<Route>({
    worker,
    routes: [LAYOUTS.readme.open, LAYOUTS.readme.gate, LAYOUTS.strict.open, LAYOUTS.strict.gate],
    request,
    warmRounds: COUNT_WARM_ROUNDS,
    perBatch: COUNT_BATCH,
    rounds: COUNT_ROUNDS,
    processes: COUNT_PROCESSES,
    concurrency: CONCURRENCY,
    log,
    keepDumps: process.env.GATE_BENCH_KEEP_DUMPS,
  }).catch((error: unknown): InstructionCounts<Route> => ({ counted: false, why: `the count failed (${error instanceof Error ? (error.cause instanceof Error ? `${error.message}: ${error.cause.message}` : error.message) : String(error)})` }));
}

/** The bench's Worker, bundled with the options `flagstage serve` uses, the document and the users as bindings. */
export async function gateWorker(): Promise<MiniflareOptions> {
  const bundle = await build({
    ...workerBundleOptions(),
    entryPoints: [new URL('./gate-overhead/worker.ts', import.meta.url).pathname],
    write: false,
    minify: true,
    mainFields: ['browser', 'module', 'main'],
    logLevel: 'error',
  });
  return { modules: true, script: bundle.outputFiles[0]!.text, ...WORKER_COMPATIBILITY, bindings: { DOCUMENT: JSON.stringify(document), ALLOWED_USERS: ALLOWED_USERS.join(',') } };
}

export async function measureGateOverhead(): Promise<Figures> {
  const worker = await gateWorker();
  const mf = new Miniflare({ ...worker, unsafeDirectSockets: [{}] });
  let http: HttpFigures;
  let isolate: Figures['isolate'];
  try {
    const entry = await mf.ready;
    const url = await mf.unsafeGetDirectURL();
    const pids = workerdPids();
    if (pids.length === 0) throw new Error('gate-overhead bench: cannot find the workerd process (needs Linux /proc)');
    /** Runs `count` requests; returns req/s per second of workerd CPU, and per wall-clock second. */
    const batch = async (route: Route, count: number): Promise<{ cpu: number; wall: number }> => {
      let issued = 0;
      const cpu = cpuSeconds(pids);
      const start = performance.now();
      await Promise.all(
        Array.from({ length: CONCURRENCY }, async () => {
          while (issued++ < count) await request(url, route);
        }),
      );
      const wall = (performance.now() - start) / 1000;
      return { cpu: count / (cpuSeconds(pids) - cpu), wall: count / wall };
    };
    const { open, gate } = LAYOUTS.readme;
    // Warm-up: loads the document, JITs both paths.
    await batch(gate, 1_000);
    await batch(open, 1_000);
    /** CPU µs per request inside the isolate: `count` app.fetch calls within one request. */
    const inIsolate = async (route: Route, count: number): Promise<number> => {
      const cpu = cpuSeconds(pids);
      // One request running the loop: Miniflare's entry Worker in front of it is one call per loop.
      const response = await mf.dispatchFetch(new URL(`/loop/${route}?n=${count}`, entry));
      if (response.status !== 200) throw new Error(`gate-overhead bench: /loop/${route} answered ${response.status}: ${await response.text()}`);
      await response.arrayBuffer();
      return ((cpuSeconds(pids) - cpu) * 1e6) / count;
    };
    /** Warms both routes of a layout, then alternates them (ABBA) for ISOLATE_ROUNDS rounds: median µs of each. */
    const isolatePair = async (layout: Layout) => {
      const { open, gate } = LAYOUTS[layout];
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
    isolate = { strict: await isolatePair('strict'), readme: await isolatePair('readme') };
    const ungated: number[] = [];
    const gated: number[] = [];
    const ratios: number[] = [];
    const wallUngated: number[] = [];
    const wallGated: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      // Alternate which goes first, so neither always runs right after the other.
      const [a, b] = round % 2 === 0 ? [open, gate] : [gate, open];
      const first = await batch(a, PER_BATCH);
      const second = await batch(b, PER_BATCH);
      const u = a === open ? first : second;
      const g = a === gate ? first : second;
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
    http = {
      ungated: high(ungated),
      gated: high(gated),
      ratio: stats(ratios).median,
      quartiles: [quartile(0.25), quartile(0.75)],
      wall: { ungated: stats(wallUngated).median, gated: stats(wallGated).median },
    };
  } finally {
    await mf.dispose();
  }
  // The stable figure: instructions, in workerd runs under valgrind (after the first one ended).
  const instructions = await countGateInstructions(worker);
  return { http, isolate, instructions };
}

/** The instruction rows: per layout, the mutator figure the goal applies to, and the GC part beside it. */
export function instructionRows(instructions: InstructionCounts<Route>): BenchRow[] {
  const plus = (value: number, digits = 1) => `${value >= 0 ? '+' : ''}${value.toFixed(digits)}`;
  const thousands = (value: number) => `${(value / 1000).toFixed(1)}k`;
  const percent = (ratio: number) => `${plus(ratio * 100)}%`;
  return (['readme', 'strict'] as const).map((layout): BenchRow => {
    const figure =
      layout === 'readme'
        ? 'gate overhead in a Worker: instructions (callgrind on workerd), requireFlag alone: flagstage() app-wide on both routes (the README layout)'
        : 'gate overhead, instructions: flagstage() + requireFlag on the gated route only (strict)';
    const goal = layout === 'readme' ? '<= 3% more instructions (mutator)' : '';
    if (!instructions.counted) return { figure, value: `not counted: ${instructions.why}`, goal, reference: '', ratio: '' };
    const { open, gate } = LAYOUTS[layout];
    const o = overhead(instructions.processes, open, gate);
    const spread = o.perProcess.length > 1 ? `; processes ${o.perProcess.map(percent).join(', ')}` : '';
    const total = (p: { mutator: number; gc: number }) => p.mutator + p.gc;
    return {
      figure,
      value: `${thousands(o.gate.mutator)} mutator instructions per gated request`,
      goal,
      reference: `ungated: ${thousands(o.open.mutator)}; GC apart (median batch): ${thousands(o.open.gc)} vs ${thousands(o.gate.gc)} gated, ${plus((o.gate.gc - o.open.gc) / 1000)}k (mutator + GC: ${percent(total(o.gate) / total(o.open) - 1)})`,
      ratio: `${percent(o.ratio)} (${plus((o.gate.mutator - o.open.mutator) / 1000)}k; median of ${o.pairs} pairs in ${o.perProcess.length} processes${spread}; each ${instructions.rounds} pairs of batches of ${instructions.perBatch}; ${o.outliers} of ${o.pairs * 2} batches outliers)`,
      ...(layout === 'readme' ? { met: o.ratio <= 0.03 } : {}),
    };
  });
}

/** The gate-overhead rows of `npm run bench`. */
export async function gateOverheadRows(): Promise<BenchRow[]> {
  const { http, isolate, instructions } = await measureGateOverhead();
  const { ungated, gated, ratio, quartiles, wall } = http;
  const cost = (1 - ratio) * 100;
  const percent = (r: number) => `${((1 - r) * 100).toFixed(1)}%`;
  const plus = (value: number) => `${value >= 0 ? '+' : ''}${value.toFixed(1)}`;
  const counted = instructions.counted;
  return [
    ...instructionRows(instructions),
    {
      figure: `gate overhead in a Worker: req per CPU-second (workerd; README layout${counted ? '; noisy, the instruction row is the figure' : ''})`,
      value: `${gated.median.toFixed(0)} req/s`,
      goal: counted ? '' : '<= 3% fewer req/s',
      reference: `same route ungated: ${ungated.median.toFixed(0)} req/s`,
      ratio: `${cost.toFixed(1)}% fewer (median of ${ROUNDS} pairs of ${PER_BATCH}; quartiles ${percent(quartiles[1])} to ${percent(quartiles[0])})`,
      ...(counted ? {} : { met: cost <= 3 }),
    },
    {
      figure: `gate overhead in a Worker: wall-clock req/s (${CONCURRENCY} in flight; machine load shows here)`,
      value: `${wall.gated.toFixed(0)} req/s`,
      goal: '',
      reference: `ungated: ${wall.ungated.toFixed(0)} req/s`,
      ratio: `${((1 - wall.gated / wall.ungated) * 100).toFixed(1)}% fewer`,
    },
    ...(['readme', 'strict'] as const).map((layout) => ({
      figure: `gate overhead inside the isolate, CPU per request (app.fetch in a loop): ${layout === 'readme' ? 'README layout' : 'strict'}`,
      value: `${isolate[layout].gated.toFixed(1)} µs gated`,
      goal: '',
      reference: `ungated: ${isolate[layout].ungated.toFixed(1)} µs`,
      ratio: `${plus(isolate[layout].gated - isolate[layout].ungated)} µs per request (${plus((isolate[layout].gated / isolate[layout].ungated - 1) * 100)}%)`,
    })),
  ];
}

if (isMain(import.meta.url)) printTable(await gateOverheadRows());
