// Instructions per request of a Worker's routes, counted by valgrind's callgrind on workerd itself:
// the gate-overhead figure that does not move with this shared machine's load (CPU time swings ±40%).
// workerd runs under `valgrind --tool=callgrind` (Miniflare's MINIFLARE_WORKERD_PATH pointing at a
// small wrapper script), requests go straight to the Worker's socket, and `callgrind_control -d`
// dumps the counts after each batch, so a batch's instructions are one dump's total. Each function
// in a dump is put in one of three parts by its name: V8's compilers (JIT: warm-up, fading as the
// code settles), the garbage collector (real cost, but it lands in whichever batch triggers a
// collection), and the rest, "mutator" (the request path: JavaScript, builtins, workerd's C++), the
// stable figure.
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import process from 'node:process';
import { Miniflare, type MiniflareOptions } from 'miniflare';

/** Instructions per request of one route: medians over the rounds. */
export interface RouteInstructions {
  readonly mutator: number;
  readonly gc: number;
  readonly jit: number;
  /** Every round's mutator figure, for the spread. */
  readonly rounds: readonly number[];
}

export type InstructionCounts<R extends string> = { readonly counted: true; readonly routes: Record<R, RouteInstructions> } | { readonly counted: false; readonly why: string };

export interface InstructionOptions<R extends string> {
  /** Miniflare's options for the Worker (script, bindings...): `unsafeDirectSockets` is added. */
  readonly worker: MiniflareOptions;
  readonly routes: readonly R[];
  /** Sends one request to `route` on the Worker at `url` (checks the answer). */
  readonly request: (url: URL, route: R) => Promise<void>;
  /**
   * Warms the Worker up before counting, given Miniflare's entry URL: V8 tiers code up by calls
   * (interpreter, Sparkplug, Maglev, Turbofan), over thousands of requests. Cheaper inside the isolate
   * (app.fetch in a loop) than over HTTP under valgrind.
   */
  readonly warmIsolate?: (mf: Miniflare, entry: URL) => Promise<void>;
  /** Requests per route over HTTP before counting (after `warmIsolate`). */
  readonly warm: number;
  /** Requests per batch, and rounds (each round one batch per route, the order alternating). */
  readonly perBatch: number;
  readonly rounds: number;
  readonly concurrency: number;
  readonly log?: (line: string) => void;
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
  const dir = mkdtempSync(join(tmpdir(), 'flagstage-callgrind-'));
  const workerd = process.env.MINIFLARE_WORKERD_PATH ?? (createRequire(createRequire(import.meta.url).resolve('miniflare'))('workerd') as { default: string }).default;
  const wrapper = join(dir, 'workerd.sh');
  writeFileSync(
    wrapper,
    `#!/bin/sh\nexec valgrind --tool=callgrind --smc-check=all-non-file --callgrind-out-file=${dir}/cg.%p --dump-line=no --dump-instr=no --compress-strings=no -q ${JSON.stringify(workerd)} "$@"\n`,
  );
  chmodSync(wrapper, 0o755);
  const previous = process.env.MINIFLARE_WORKERD_PATH;
  process.env.MINIFLARE_WORKERD_PATH = wrapper;
  const mf = new Miniflare({ ...options.worker, unsafeDirectSockets: [{}] } as MiniflareOptions);
  try {
    const entry = await mf.ready;
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
    // Warm-up, both orders, so each route's code reaches the tier it runs in. Not for good: in
    // workerd, optimised code that embeds objects a major GC collects is thrown away ("embedded weak
    // objects cleared", --trace-deopt) and re-tiered, so a batch's count varies with the GCs it met;
    // hence batches of many requests and the median of several.
    await options.warmIsolate?.(mf, entry);
    for (const route of options.routes) await batch(route, options.warm);
    for (const route of [...options.routes].reverse()) await batch(route, options.warm / 2);
    rmSync(dump());
    const parts = Object.fromEntries(options.routes.map((route) => [route, [] as Parts[]])) as Record<R, Parts[]>;
    for (let round = 0; round < options.rounds; round++) {
      for (const route of round % 2 === 0 ? options.routes : [...options.routes].reverse()) {
        await batch(route, options.perBatch);
        const file = dump();
        const counted = partsOf(readFileSync(file, 'utf8'), options.perBatch);
        rmSync(file);
        parts[route].push(counted);
        options.log?.(`instructions round ${round + 1}: ${route} ${Math.round(counted.mutator)} mutator, ${Math.round(counted.gc)} GC, ${Math.round(counted.jit)} JIT per request`);
      }
    }
    const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
    const routes = Object.fromEntries(
      options.routes.map((route) => {
        const counted = parts[route];
        return [route, { mutator: median(counted.map((p) => p.mutator)), gc: median(counted.map((p) => p.gc)), jit: median(counted.map((p) => p.jit)), rounds: counted.map((p) => p.mutator) }];
      }),
    ) as unknown as Record<R, RouteInstructions>;
    return { counted: true, routes };
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

interface Parts {
  readonly mutator: number;
  readonly gc: number;
  readonly jit: number;
}

const JIT = /compiler::|maglev::|Maglev|Turbofan|TurboFan|OptimizedCompilationJob|Compiler::|BytecodeAnalysis|JSHeapBroker|turboshaft/;
const GC =
  /Scaveng|MarkCompact|Marking|Sweep|Evacuat|Heap::|heap::|GCTracer|cppgc|TracedHandles|ConcurrentMark|IncrementalMark|MinorMS|ExternalPointerTable|IsUnmodifiedApiObject|HeapTracer|RootVisitor|ObjectVisitor|MemoryChunk|PagedSpace|NewSpace|SemiSpace|MemoryAllocator|LocalHeap|Safepoint|SlotSet|RememberedSet|Mark/;

/**
 * A callgrind dump's self cost per part, per request. In the format (uncompressed names, no line or
 * instruction positions), `fn=<name>` starts a function, a cost line is `<position> <instructions>`,
 * and the cost line right after `calls=` is the call's inclusive cost, already counted in the callee.
 */
function partsOf(text: string, requests: number): Parts {
  let mutator = 0;
  let gc = 0;
  let jit = 0;
  let part: 'mutator' | 'gc' | 'jit' = 'mutator';
  let inclusive = false;
  for (const line of text.split('\n')) {
    if (line.startsWith('fn=')) {
      const name = line.slice(3);
      part = JIT.test(name) ? 'jit' : GC.test(name) ? 'gc' : 'mutator';
    } else if (line.startsWith('calls=')) {
      inclusive = true;
    } else if (/^[0-9+\-*]/.test(line)) {
      if (inclusive) {
        inclusive = false;
        continue;
      }
      const cost = Number(line.split(' ')[1] ?? 0);
      if (part === 'mutator') mutator += cost;
      else if (part === 'gc') gc += cost;
      else jit += cost;
    }
  }
  return { mutator: mutator / requests, gc: gc / requests, jit: jit / requests };
}
