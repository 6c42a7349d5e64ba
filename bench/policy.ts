// Times `decide` on a compiled document: for a cached identity (the request memo answers) and for a
// new one (one engine evaluation of the flag's slice, then the rules). Goals: < 1 µs cached, < 3 µs new.
// Run: npx tsx bench/policy.ts
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

// A realistic Gastown rollout: gastown at 10% with an allowlist, sub-flags at every stage.
const allowlist = Array.from({ length: 500 }, (_, index) => `listed-${index}`);
const document = buildDocument(manifest, {
  gastown: { stage: 'percentage', users: allowlist, orgs: ['org-1', 'org-2'], percent: 10 },
  convoys: { stage: 'allowlist', users: allowlist.slice(0, 50) },
  prMerge: { stage: 'percentage', percent: 50 },
  multiRig: { stage: 'ga' },
  molecules: { stage: 'admin-only' },
});
const flags = createFlagstage({ manifest, source: staticSource(document) });
const loaded = await flags.source.current();

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

async function measure(label: string, run: () => void | Promise<void>, perRound = N): Promise<Figure> {
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
  console.log(`${label.padEnd(62)} best ${figure.best.toFixed(3)} µs   median ${figure.median.toFixed(3)} µs`);
  return figure;
}

const cached: Identity = { userId: 'cached-user', orgId: 'org-5', isAdmin: false };
flags.decideOn(loaded, 'gastown', cached);

console.log(`policy bench: ${N} decides per round, ${ROUNDS} rounds (CPU µs per decide)`);
const cachedSync = await measure('cached identity, decideOn (the synchronous core)', () => {
  for (let i = 0; i < N; i++) flags.decideOn(loaded, 'gastown', cached);
});
const cachedAsync = await measure('cached identity, await flags.decide', async () => {
  for (let i = 0; i < N; i++) await flags.decide('gastown', cached);
});
const newSync = await measure('new identity, decideOn gastown (engine slice + rules)', () => {
  for (let i = 0; i < N; i++) flags.decideOn(loaded, 'gastown', newIdentity(i));
});
const newAsync = await measure('new identity, await flags.decide gastown', async () => {
  for (let i = 0; i < N; i++) await flags.decide('gastown', newIdentity(i));
});
await measure('new identity, decideOn convoys (sub-flag: parent + itself)', () => {
  for (let i = 0; i < N; i++) flags.decideOn(loaded, 'convoys', newIdentity(i));
});
await measure('new identity, await flags.snapshot (5 flags; µs per snapshot)', async () => {
  for (let i = 0; i < N / 10; i++) await flags.snapshot(newIdentity(i));
}, N / 10);
await measure('new admin, await flags.decide gastown (no engine call)', async () => {
  for (let i = 0; i < N; i++) await flags.decide('gastown', { userId: userIds[i]!, isAdmin: true });
});

const verdict = (figure: Figure, goal: number) => `${figure.best.toFixed(3)} µs best, ${figure.median.toFixed(3)} µs median (goal < ${goal} µs: ${figure.median < goal ? 'met' : figure.best < goal ? 'met at best' : 'MISSED'})`;
console.log(`\ncached identity, await flags.decide: ${verdict(cachedAsync, 1)}; sync core ${cachedSync.best.toFixed(3)} µs`);
console.log(`new identity,    await flags.decide: ${verdict(newAsync, 3)}; sync core ${newSync.best.toFixed(3)} µs`);
