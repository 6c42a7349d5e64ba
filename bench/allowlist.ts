// Allowlist scale: a decision on a flag whose allowlist is as large as Flagsmith's limits allow
// (100 conditions of 1,000 characters: the NOBODY condition and 99 lists of user ids) against one
// with a 10-entry allowlist, in the same run. IN lists on one property merge into one list that is a
// Set once warm, so the two should cost the same. Two rows: the list's size alone (both flags see the
// same requests: listed users among the first 10 ids, and strangers), which carries the goal, and the
// largest list with all of its 9,009 users coming by in turn, where a round touches 9,009 strings and
// a large table instead of 10 (memory, not the list's size: printed beside it so the gap stays seen).
// Where the gap is (cachegrind, `node --single-threaded --predictable`, these requests, 7b9c83b):
// both flags run the same instructions per decision (2,845 and 2,842). The largest list's decisions
// miss a 512 KiB cache 1.35 more times and the first-level data cache 3.4 more times, all of the
// former and 80% of the latter in V8's Set lookup: a stranger's miss reads a bucket, entries and
// the id strings they hold, scattered over the Set's ~330 KB table and ~260 KB of ids (a core's L2
// holds 512 KiB), while a 10-entry Set stays in L1. What that costs in time depends on what else
// the machine runs. A filter in front of the Set (8 KiB of bits over a hash of the last 8
// characters) removed 80% of the 512 KiB misses but cost 252 instructions a decision (a character
// read costs ~27 in Node 20's V8, and these strangers are concatenated strings, which the first
// read flattens) and 115 B gzip: not kept. Nor is a prototype-free object asked with Object.hasOwn
// (same-process A/B on 75628c8): it makes the two lists cost the same by slowing the 10-entry one,
// +13-33% on Node 20 and +16-18% on Node 24 (as many instructions, more cache misses: hasOwn probes
// V8's string table), and the engine's staged evaluate by +16% instructions (+25-43% time) on both.
// Neither Node's Set.has internalizes a fresh id (V8's %DebugPrint); workerd's V8 14.7 does, so there,
// and only there, warm lists are asked with hasOwn (operators.ts: ~800 instructions less a gated request).
// Run: npx tsx bench/allowlist.ts   (on another Node: /path/to/node --import tsx bench/allowlist.ts; the
// table's first line names the Node it ran on)
import { FLAGSMITH_LIMITS } from '../runtime/stages/naming';
import type { Identity } from '../runtime/identity';
import { createFlagstage, staticSource } from '../runtime/index';
import { packIds } from '../runtime/stages/allowlist';
import { buildDocument } from '../runtime/testing/index';
import { manifest } from './documents';
import { isMain, printTable, stats, us, type BenchRow } from './table';

/**
 * Decisions per timed round, and rounds. A decision is now well under a microsecond: rounds of
 * 20,000 (10 ms) with one warm-up round read anywhere from 0.7x to 2.3x for the same code, run after
 * run (a scavenge or a background compile landing in one round moved its sample). Longer rounds, three
 * warm-up rounds, a full GC before each round (when `--expose-gc` gives one, as `npm run bench` does)
 * and a rotating order keep the figure still.
 */
const PER_ROUND = 50_000;
const ROUNDS = Number(process.env.ALLOWLIST_BENCH_ROUNDS ?? 15);
const WARM_UP = 3;
const collect = (globalThis as { gc?: () => void }).gc ?? (() => {});

/** The most 10-character user ids whose comma-separated chunks fit 99 conditions (one is the NOBODY condition). */
function largestAllowlist(): string[] {
  const perChunk = Math.floor((FLAGSMITH_LIMITS.conditionValueLength + 1) / 11);
  const ids = Array.from({ length: perChunk * (FLAGSMITH_LIMITS.conditionsPerSegment - 1) }, (_, i) => `u${String(i * 7919).padStart(9, '0')}`);
  if (packIds(ids).length !== FLAGSMITH_LIMITS.conditionsPerSegment - 1) throw new Error('allowlist bench: the list does not fill the limits exactly');
  return ids;
}

/**
 * One round of PER_ROUND decisions on a flag allowlisting `users`, half of them by listed users drawn
 * in turn from `callers` (a part of `users`); returns CPU µs per decision.
 */
async function rig(users: string[], callers: readonly string[] = users): Promise<{ conditions: number; round: (n: number) => number }> {
  const document = buildDocument(manifest, { gastown: { stage: 'allowlist', users } });
  const flags = createFlagstage({ manifest, source: staticSource(document), logChanges: false });
  const loaded = await flags.source.current();
  return {
    conditions: packIds(users).length + 1,
    round(n) {
      // Half the identities are listed, half are not (a miss has to rule out the whole list). New
      // identity objects every round: the request memo never answers for them.
      const people: Identity[] = Array.from({ length: PER_ROUND }, (_, i) => ({ userId: i % 2 === 0 ? callers[(i / 2) % callers.length]! : `stranger-${n}-${i}`, isAdmin: false }));
      collect();
      const start = process.cpuUsage();
      let allowed = 0;
      for (const person of people) if (flags.decideOn(loaded, 'gastown', person).allowed) allowed++;
      const used = process.cpuUsage(start);
      if (allowed !== PER_ROUND / 2) throw new Error(`allowlist bench: ${allowed} allowed, expected ${PER_ROUND / 2}`);
      return (used.user + used.system) / PER_ROUND;
    },
  };
}

export async function allowlistRows(): Promise<BenchRow[]> {
  const largest = largestAllowlist();
  const tenIds = largest.slice(0, 10);
  const big = await rig(largest, tenIds);
  const everyone = await rig(largest);
  const ten = await rig(tenIds);
  const samples = { big: [] as number[], everyone: [] as number[], ten: [] as number[] };
  // Alternating rounds in a rotating order, so machine noise and whatever one rig leaves behind hit
  // all alike; the first rounds of each warm up.
  const rigs = [['big', big], ['ten', ten], ['everyone', everyone]] as const;
  for (let n = 0; n < WARM_UP + ROUNDS; n++) {
    for (let k = 0; k < rigs.length; k++) {
      const [name, rigged] = rigs[(n + k) % rigs.length]!;
      const sample = rigged.round(n);
      if (n >= WARM_UP) samples[name].push(sample);
    }
  }
  const largeCost = stats(samples.big);
  const everyoneCost = stats(samples.everyone);
  const smallCost = stats(samples.ten);
  const size = `${largest.length.toLocaleString('en')} ids, ${big.conditions} conditions`;
  return [
    {
      figure: `allowlist: decide, largest list (${size}), same requests as the 10-entry one`,
      value: `${us(largeCost.median)} (best ${us(largeCost.best)})`,
      goal: '~ 10-entry list',
      reference: `10-entry list: ${us(smallCost.median)}`,
      ratio: `${(largeCost.median / smallCost.median).toFixed(2)}x`,
      met: largeCost.median <= smallCost.median * 1.2,
    },
    {
      figure: `allowlist: decide, largest list, all ${largest.length.toLocaleString('en')} listed users in turn (memory, not size)`,
      value: `${us(everyoneCost.median)} (best ${us(everyoneCost.best)})`,
      goal: 'context',
      reference: `10-entry list: ${us(smallCost.median)}`,
      ratio: `${(everyoneCost.median / smallCost.median).toFixed(2)}x`,
    },
  ];
}

if (isMain(import.meta.url)) printTable(await allowlistRows());
