// Instructions per request of a Worker's routes, counted by valgrind's callgrind on workerd itself:
// the gate-overhead figure that does not move with this shared machine's load (CPU time swings ±40%).
// workerd runs under `valgrind --tool=callgrind` (Miniflare's MINIFLARE_WORKERD_PATH pointing at a
// small wrapper script), requests go straight to the Worker's socket, and `callgrind_control -d`
// dumps the counts after each batch, so a batch's instructions are one dump's total.
//
// Each dump is split in three parts: V8's compilers (JIT: warm-up, fading as the code settles), the
// garbage collector (GC) and the rest, "mutator" (the request path: JavaScript, builtins, workerd's
// C++), the figure the goal applies to. A function's part is read from its name, then handed down the
// call graph: whatever a collector or compiler function calls belongs to that part too, in proportion
// to the calls (callgrind records each call's inclusive cost). That matters in workerd: when a
// collection frees a request's wrappers, their C++ finalizers, destructors and `free`s run inside
// the collector, about 12k instructions per request (of ~200k) that a by-name split counted as mutator,
// landing in whichever batch a collection happened to fall (a major collection's batch read +25k to
// +65k; with the call graph, +0k to +22k). Names are matched without their template and
// argument lists (workerd's type wrapper is a template over every API type, `PerformanceMark`
// among them, which a plain match took for the collector's marking).
//
// Why `--fair-sched=yes`: valgrind runs one thread at a time, and by default a thread that gives the
// lock up can take it straight back, so on an idle machine workerd's main thread starved V8's
// background compiler threads: no function reached optimised code after the first warm-up round, and
// the count read the gate in baseline code (+68% on an idle machine, +16.5% with a little load, +6% with
// other valgrind runs alongside: the same code, 29 Nov). With fair scheduling the threads take turns,
// and an idle run reads as a loaded one (+5.9% in one idle process, where it had read +68%).
//
// Why several workerd processes: one process settles in its own state (which functions end up
// optimised, and which are left in baseline code after a deoptimisation, until V8 optimises them
// again thousands of requests later), and that state moves the gated-minus-ungated gap by about ±1k
// instructions from one process to the next, the same code counted twice. Batches within one process
// cannot see that; only more processes can. So the count runs `processes` workerd processes one
// after the other, each with its own warm-up and its own interleaved batches (see overhead()).
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import process from 'node:process';
import { Miniflare, type MiniflareOptions } from 'miniflare';

/** One batch's instructions per request, by part. */
export interface Parts {
  readonly mutator: number;
  readonly gc: number;
  readonly jit: number;
}

/** Every batch of every route, per workerd process (in the order they ran). */
export type InstructionCounts<R extends string> =
  | { readonly counted: true; readonly processes: readonly Record<R, readonly Parts[]>[]; readonly perBatch: number; readonly rounds: number }
  | { readonly counted: false; readonly why: string };

export interface InstructionOptions<R extends string> {
  /** Miniflare's options for the Worker (script, bindings...): `unsafeDirectSockets` is added. */
  readonly worker: MiniflareOptions;
  readonly routes: readonly R[];
  /** Sends one request to `route` on the Worker at `url` (checks the answer). */
  readonly request: (url: URL, route: R) => Promise<void>;
  /**
   * Rounds like the counted ones before counting: V8 tiers code up by calls (interpreter, Sparkplug,
   * Maglev, Turbofan) over thousands of requests, and some shared code (Hono's Context class fields)
   * only reaches optimised code after several thousand. Over HTTP, the path that is counted: an
   * in-isolate loop (app.fetch) warms other call sites, and under valgrind it is no cheaper.
   */
  readonly warmRounds: number;
  /** Requests per batch, and rounds (each round one batch per route, the order alternating). */
  readonly perBatch: number;
  readonly rounds: number;
  /** workerd processes counted one after the other, each warmed up on its own. */
  readonly processes: number;
  readonly concurrency: number;
  readonly log?: (line: string) => void;
  /** A directory to keep every dump in (for a function-level diff), or undefined. */
  readonly keepDumps?: string;
}

/** Why instructions cannot be counted here, or null when valgrind and callgrind_control are installed. */
export function missingValgrind(): string | null {
  if (process.platform !== 'linux') return 'valgrind counting needs Linux';
  const valgrind = spawnSync('valgrind', ['--version'], { encoding: 'utf8' });
  if (valgrind.status !== 0) return 'valgrind is not installed';
  const control = spawnSync('callgrind_control', ['--version'], { encoding: 'utf8' });
  if (control.error !== undefined) return 'callgrind_control (part of valgrind) is not installed';
  return null;
}

export async function countInstructions<R extends string>(options: InstructionOptions<R>): Promise<InstructionCounts<R>> {
  const why = missingValgrind();
  if (why !== null) return { counted: false, why };
  const processes: Record<R, Parts[]>[] = [];
  for (let index = 0; index < options.processes; index++) processes.push(await countProcess(options, index));
  return { counted: true, processes, perBatch: options.perBatch, rounds: options.rounds };
}

/** One workerd process under callgrind: warm-up, then `rounds` rounds of one batch per route. */
async function countProcess<R extends string>(options: InstructionOptions<R>, index: number): Promise<Record<R, Parts[]>> {
  const dir = mkdtempSync(join(tmpdir(), 'flagstage-callgrind-'));
  const workerd = process.env.MINIFLARE_WORKERD_PATH ?? (createRequire(createRequire(import.meta.url).resolve('miniflare'))('workerd') as { default: string }).default;
  const wrapper = join(dir, 'workerd.sh');
  writeFileSync(
    wrapper,
    `#!/bin/sh\nexec valgrind --tool=callgrind --fair-sched=yes --smc-check=all-non-file --callgrind-out-file=${dir}/cg.%p --dump-line=no --dump-instr=no --compress-strings=no -q ${JSON.stringify(workerd)} "$@"\n`,
  );
  chmodSync(wrapper, 0o755);
  const previous = process.env.MINIFLARE_WORKERD_PATH;
  process.env.MINIFLARE_WORKERD_PATH = wrapper;
  const mf = new Miniflare({ ...options.worker, unsafeDirectSockets: [{}] } as MiniflareOptions);
  const started = performance.now();
  const elapsed = () => `${((performance.now() - started) / 1000).toFixed(0)} s`;
  try {
    await mf.ready;
    if (previous === undefined) delete process.env.MINIFLARE_WORKERD_PATH;
    else process.env.MINIFLARE_WORKERD_PATH = previous;
    const url = await mf.unsafeGetDirectURL();
    const pid = callgrindChild();
    const batch = async (route: R, count: number) => {
      let issued = 0;
      await Promise.all(
        Array.from({ length: options.concurrency }, async () => {
          while (issued++ < count) await options.request(url, route);
        }),
      );
    };
    /** Dumps the counts since the last dump: callgrind writes cg.<pid>.<n>, n counting up. */
    const dump = (): string => {
      const result = spawnSync('callgrind_control', ['-d', String(pid)], { encoding: 'utf8' });
      if (result.status !== 0) throw new Error(`gate-overhead bench: callgrind_control -d ${pid} failed: ${result.stderr}`);
      const newest = Math.max(...readdirSync(dir).filter((name) => name.startsWith(`cg.${pid}.`)).map((name) => Number(name.slice(`cg.${pid}.`.length))));
      return join(dir, `cg.${pid}.${newest}`);
    };
    // Warm-up: uncounted rounds, both orders, so each route's code leaves the interpreter and baseline
    // tiers (Turbofan takes far longer: see gate-overhead.ts). Not for good: in workerd, optimised code
    // that embeds objects a major GC collects is thrown away ("embedded weak objects cleared",
    // --trace-deopt) and re-tiered, so a batch's count still varies with the collections it met; hence
    // many batches and the median (see overhead()).
    options.log?.(`instructions, process ${index + 1}: workerd ready in ${elapsed()}`);
    for (let round = 0; round < options.warmRounds; round++) {
      for (const route of round % 2 === 0 ? options.routes : [...options.routes].reverse()) {
        await batch(route, options.perBatch);
        if (options.log === undefined) continue;
        const file = dump();
        const counted = partsOf(readFileSync(file, 'utf8'), options.perBatch);
        rmSync(file);
        options.log(`instructions, process ${index + 1} warm-up ${round + 1}: ${route} ${Math.round(counted.mutator)} mutator, ${Math.round(counted.gc)} GC, ${Math.round(counted.jit)} JIT per request (${elapsed()})`);
      }
    }
    rmSync(dump());
    options.log?.(`instructions, process ${index + 1}: warmed up in ${elapsed()}`);
    const parts = Object.fromEntries(options.routes.map((route) => [route, [] as Parts[]])) as Record<R, Parts[]>;
    for (let round = 0; round < options.rounds; round++) {
      for (const route of round % 2 === 0 ? options.routes : [...options.routes].reverse()) {
        await batch(route, options.perBatch);
        const file = dump();
        const counted = partsOf(readFileSync(file, 'utf8'), options.perBatch);
        if (options.keepDumps !== undefined) {
          mkdirSync(options.keepDumps, { recursive: true });
          copyFileSync(file, join(options.keepDumps, `p${index + 1}.r${round + 1}.${route.replaceAll('/', '-')}.cg`));
        }
        rmSync(file);
        parts[route].push(counted);
        options.log?.(
          `instructions, process ${index + 1} round ${round + 1}: ${route} ${Math.round(counted.mutator)} mutator, ${Math.round(counted.gc)} GC, ${Math.round(counted.jit)} JIT per request (${elapsed()})`,
        );
      }
    }
    return parts;
  } finally {
    if (process.env.MINIFLARE_WORKERD_PATH === wrapper) {
      if (previous === undefined) delete process.env.MINIFLARE_WORKERD_PATH;
      else process.env.MINIFLARE_WORKERD_PATH = previous;
    }
    await mf.dispose();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The valgrind process this one started (valgrind replaces the wrapper's shell, then runs as callgrind-<arch>). */
function callgrindChild(): number {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[1]) === process.pid && stat.includes('(callgrind')) return Number(entry);
    } catch {
      // a process that ended meanwhile
    }
  }
  throw new Error('gate-overhead bench: cannot find workerd running under callgrind');
}

/** The middle value (the mean of the two middle ones for an even count). */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** The gate's cost in one layout, from the counts of its two routes. */
export interface Overhead {
  /** The figure: the median over every round of every process of that round's gated / ungated - 1. */
  readonly ratio: number;
  /** Each process's own median, ascending: the spread between processes. */
  readonly perProcess: readonly number[];
  /**
   * Instructions per request of each route: mutator, the median over processes of each process's
   * median batch; GC and JIT, the median of all batches. GC is context, not the figure: a collection
   * lands in one batch for the allocations of many (and frees whatever it finds dead, the other
   * route's requests too), so a batch reads either ~k or ~k+1 scavenges' worth; the mean would charge
   * each request its share, but one batch in 16 with a major collection or a stall (+150k to +450k)
   * moves it by tens of thousands.
   */
  readonly open: Parts;
  readonly gate: Parts;
  /** Pairs of batches counted, and batches whose mutator figure is 5% over their route's median in their process. */
  readonly pairs: number;
  readonly outliers: number;
}

/**
 * The estimator, the same for both routes. A round's two batches of a layout run one right after the
 * other in the same process, so they share its state (which code is optimised, the heap); their ratio
 * cancels what moves both routes together: a major collection that lets V8 re-optimise a shared
 * function shifts both routes by ~5k at once. The figure is the median of those ratios over every round
 * of every process: a batch that met a major collection or a re-tiering carries extra work (up to
 * +25k per request, about one batch in ten), a one-sided outlier the median ignores where a mean
 * would not; and one process that settled in an unusual state moves it by one place of many. Each
 * process's own median is printed beside it: their spread is how far the figure can be trusted.
 */
export function overhead<R extends string>(processes: readonly Record<R, readonly Parts[]>[], open: R, gate: R): Overhead {
  const middle = (batches: readonly Parts[]) => median(batches.map((b) => b.mutator));
  const rounds = processes.map((counts) => counts[gate].map((g, round) => g.mutator / counts[open][round]!.mutator - 1));
  const across = (route: R): Parts => {
    const batches = processes.flatMap((counts) => counts[route]);
    return { mutator: median(processes.map((counts) => middle(counts[route]))), gc: median(batches.map((b) => b.gc)), jit: median(batches.map((b) => b.jit)) };
  };
  let outliers = 0;
  for (const counts of processes) {
    for (const route of [open, gate]) {
      const typical = middle(counts[route]);
      outliers += counts[route].filter((b) => b.mutator > typical * 1.05).length;
    }
  }
  return {
    ratio: median(rounds.flat()),
    perProcess: rounds.map(median).sort((a, b) => a - b),
    open: across(open),
    gate: across(gate),
    pairs: rounds.flat().length,
    outliers,
  };
}

const JIT = /compiler::|maglev::|Maglev|Turbofan|TurboFan|OptimizedCompilationJob|Compiler::|BytecodeAnalysis|JSHeapBroker|turboshaft/;
const GC =
  /Scaveng|MarkCompact|Marking|Sweep|Evacuat|Heap::|heap::|GCTracer|cppgc|TracedHandles|ConcurrentMark|IncrementalMark|MinorMS|MinorGC|ExternalPointerTable|IsUnmodifiedApiObject|HeapTracer|RootVisitor|ObjectVisitor|MemoryChunk|PagedSpace|NewSpace|SemiSpace|MemoryAllocator|LocalHeap|Safepoint|SlotSet|RememberedSet|Mark/;

/**
 * A function's qualified name without template arguments and parameter lists, the part its part is
 * read from. Names valgrind left mangled (too long to demangle) keep their leading nested name:
 * `_ZN7workerd3jsg11TypeWrapperI...` is `workerd::jsg::TypeWrapper`.
 */
export function qualifiedName(name: string): string {
  if (name.startsWith('_Z')) {
    let at = 2;
    while (at < name.length && 'NKLrVO'.includes(name[at]!)) at++;
    const parts: string[] = [];
    for (let digits = /^\d+/.exec(name.slice(at)); digits !== null; digits = /^\d+/.exec(name.slice(at))) {
      const start = at + digits[0].length;
      parts.push(name.slice(start, start + Number(digits[0])));
      at = start + Number(digits[0]);
    }
    return parts.join('::');
  }
  let out = '';
  let depth = 0;
  const text = name.replace(/operator(<<?=?|>>?=?|->|\(\))/g, 'operator');
  for (const char of text) {
    if (char === '<' || char === '(') depth++;
    else if ((char === '>' || char === ')') && depth > 0) depth--;
    else if (depth === 0) out += char;
  }
  return out;
}

type Part = 'mutator' | 'gc' | 'jit';

/**
 * A callgrind dump's cost per part, per request. In the format (uncompressed names, no line or
 * instruction positions), `fn=<name>` starts a function and a cost line `<position> <instructions>`
 * is its self cost, except the cost line right after `cfn=<callee>` + `calls=`, which is that call's
 * inclusive cost: the call graph's arc, used to hand a part down (see the header).
 */
export function partsOf(text: string, requests: number): Parts {
  const self = new Map<string, number>();
  /** callee -> caller -> inclusive cost of the calls */
  const callers = new Map<string, Map<string, number>>();
  let fn = '';
  let callee = '';
  let arc = false;
  for (const line of text.split('\n')) {
    const first = line.charCodeAt(0);
    if ((first >= 48 && first <= 57) || first === 43 || first === 45 || first === 42) {
      const cost = Number(line.split(' ')[1] ?? 0);
      if (arc) {
        arc = false;
        if (callee === fn) continue;
        let from = callers.get(callee);
        if (from === undefined) callers.set(callee, (from = new Map()));
        from.set(fn, (from.get(fn) ?? 0) + cost);
      } else {
        self.set(fn, (self.get(fn) ?? 0) + cost);
      }
    } else if (line.startsWith('fn=')) fn = line.slice(3);
    else if (line.startsWith('cfn=')) callee = line.slice(4);
    else if (line.startsWith('calls=')) arc = true;
  }
  // Each function's shares of GC and JIT: 1 for a collector or compiler function by name, otherwise
  // its callers' shares weighted by what their calls cost. The graph has cycles, so iterate to a fixed point.
  const named = new Map<string, Part>();
  const nameOf = (name: string): Part => {
    let part = named.get(name);
    if (part === undefined) {
      const qualified = qualifiedName(name);
      part = JIT.test(qualified) ? 'jit' : GC.test(qualified) ? 'gc' : 'mutator';
      named.set(name, part);
    }
    return part;
  };
  const share = new Map<string, { gc: number; jit: number }>();
  const shareOf = (name: string) => {
    const known = share.get(name);
    if (known !== undefined) return known;
    const part = nameOf(name);
    return { gc: part === 'gc' ? 1 : 0, jit: part === 'jit' ? 1 : 0 };
  };
  for (let sweep = 0; sweep < 50; sweep++) {
    let moved = 0;
    for (const [name, from] of callers) {
      if (nameOf(name) !== 'mutator') continue;
      let total = 0;
      let gc = 0;
      let jit = 0;
      for (const [caller, cost] of from) {
        const s = shareOf(caller);
        total += cost;
        gc += cost * s.gc;
        jit += cost * s.jit;
      }
      if (total === 0) continue;
      const next = { gc: gc / total, jit: jit / total };
      const before = shareOf(name);
      moved = Math.max(moved, Math.abs(next.gc - before.gc), Math.abs(next.jit - before.jit));
      share.set(name, next);
    }
    if (moved < 1e-6) break;
  }
  let mutator = 0;
  let gc = 0;
  let jit = 0;
  for (const [name, cost] of self) {
    const s = shareOf(name);
    gc += cost * s.gc;
    jit += cost * s.jit;
    mutator += cost * (1 - s.gc - s.jit);
  }
  return { mutator: mutator / requests, gc: gc / requests, jit: jit / requests };
}
