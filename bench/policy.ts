// Times `decide` on a compiled document: for a cached identity (the request memo answers) and for a
// new one (one engine evaluation of the flag's slice, then the rules). Goals: < 1 µs cached, < 3 µs new.
// Run: npx tsx bench/policy.ts   (its two goal rows are part of `npm run bench`)
//
// Figures are CPU time of this process per decide (process.cpuUsage), so that other processes on a
// shared machine do not inflate them; each scenario runs several rounds and prints the best and the
// median round.
import process from 'node:process';
import { manifest } from '../flags.gen';
import { createFlagstage } from '../runtime/flagstage';
import type { Identity } from '../runtime/identity';
import { staticSource } from '../runtime/sources/static';
import { buildDocument } from '../runtime/testing/index';
import { isMain, type BenchRow } from './table';

// A realistic Gastown rollout: gastown at 10% with an allowlist, sub-flags at every stage.
const allowlist = Array.from({ length: 500 }, (_, index) => `listed-${index}`);
const document = buildDocument(manifest, {
  gastown: { stage: 'percentage', users: allowlist, orgs: ['org-1', 'org-2'], percent: 10 },
  convoys: { stage: 'allowlist', users: allowlist.slice(0, 50) },
  prMerge: { stage: 'percentage', percent: 50 },
  multiRig: { stage: 'ga' },
  molecules: { stage: 'admin-only' },
});
const flags = createFlagstage({ manifest, source: staticSource(document), logChanges: false });

const N = 50_000;
const ROUNDS = 7;
const userIds = Array.from({ length: N }, (_, index) => `user-${index}`);
let generation = 0;
/** A new identity, built the way an app builds one per request (and dropped after it). */
const newIdentity = (index: number): Identity => ({ userId: `${userIds[index]!}-${generation}`, orgId: 'org-7', isAdmin: false });

interface Figure {
  best: number;
  median: number;
}

async function measure(label: string, print: boolean, run: () => void | Promise<void>, perRound = N): Promise<Figure> {
  const rounds: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    generation++;
    const cpu = process.cpuUsage();
    await run();
    const used = process.cpuUsage(cpu);
    rounds.push((used.user + used.system) / perRound);
  }
  rounds.shift(); // the first round warms the JIT up
  rounds.sort((a, b) => a - b);
  const figure = { best: rounds[0]!, median: rounds[Math.floor(rounds.length / 2)]! };
  if (print) console.log(`${label.padEnd(62)} best ${figure.best.toFixed(3)} µs   median ${figure.median.toFixed(3)} µs`);
  return figure;
}

const cached: Identity = { userId: 'cached-user', orgId: 'org-5', isAdmin: false };

/** Every scenario; `npm run bench` uses the two with goals (cached and new identity, await flags.decide). */
async function scenarios(print: boolean): Promise<{ cachedAsync: Figure; newAsync: Figure; cachedSync: Figure; newSync: Figure }> {
  const loaded = (await flags.source.current())!;
  flags.decideOn(loaded, 'gastown', cached);
  if (print) console.log(`policy bench: ${N} decides per round, ${ROUNDS} rounds (CPU µs per decide)`);
  const cachedSync = await measure('cached identity, decideOn (the synchronous core)', print, () => {
    for (let i = 0; i < N; i++) flags.decideOn(loaded, 'gastown', cached);
  });
  const cachedAsync = await measure('cached identity, await flags.decide', print, async () => {
    for (let i = 0; i < N; i++) await flags.decide('gastown', cached);
  });
  const newSync = await measure('new identity, decideOn gastown (engine slice + rules)', print, () => {
    for (let i = 0; i < N; i++) flags.decideOn(loaded, 'gastown', newIdentity(i));
  });
  const newAsync = await measure('new identity, await flags.decide gastown', print, async () => {
    for (let i = 0; i < N; i++) await flags.decide('gastown', newIdentity(i));
  });
  if (print) {
    await measure('new identity, decideOn convoys (sub-flag: parent + itself)', print, () => {
      for (let i = 0; i < N; i++) flags.decideOn(loaded, 'convoys', newIdentity(i));
    });
    await measure('new identity, await flags.snapshot (5 flags; µs per snapshot)', print, async () => {
      for (let i = 0; i < N / 10; i++) await flags.snapshot(newIdentity(i));
    }, N / 10);
    await measure('new admin, await flags.decide gastown (no engine call)', print, async () => {
      for (let i = 0; i < N; i++) await flags.decide('gastown', { userId: userIds[i]!, isAdmin: true });
    });
  }
  return { cachedAsync, newAsync, cachedSync, newSync };
}

/** The policy's rows of `npm run bench`: `await flags.decide` for a cached and a new identity. */
export async function policyRows(): Promise<BenchRow[]> {
  const { cachedAsync, newAsync, cachedSync, newSync } = await scenarios(false);
  const f = (value: number) => `${value.toFixed(2)} µs`;
  return [
    {
      figure: 'policy: await flags.decide, cached identity (CPU per decide)',
      value: `${f(cachedAsync.median)} (best ${f(cachedAsync.best)})`,
      goal: '< 1 µs',
      reference: `synchronous core decideOn: ${f(cachedSync.median)}`,
      ratio: `${(cachedAsync.median / cachedSync.median).toFixed(1)}x`,
      met: cachedAsync.median < 1,
    },
    {
      figure: 'policy: await flags.decide, new identity (engine slice + rules)',
      value: `${f(newAsync.median)} (best ${f(newAsync.best)})`,
      goal: '< 3 µs',
      reference: `synchronous core decideOn: ${f(newSync.median)}`,
      ratio: `${(newAsync.median / newSync.median).toFixed(1)}x`,
      met: newAsync.median < 3,
    },
  ];
}

if (isMain(import.meta.url)) {
  const { cachedAsync, newAsync, cachedSync, newSync } = await scenarios(true);
  const verdict = (figure: Figure, goal: number) => `${figure.best.toFixed(3)} µs best, ${figure.median.toFixed(3)} µs median (goal < ${goal} µs: ${figure.median < goal ? 'met' : figure.best < goal ? 'met at best' : 'MISSED'})`;
  console.log(`\ncached identity, await flags.decide: ${verdict(cachedAsync, 1)}; sync core ${cachedSync.best.toFixed(3)} µs`);
  console.log(`new identity,    await flags.decide: ${verdict(newAsync, 3)}; sync core ${newSync.best.toFixed(3)} µs`);
}
