// Times `decide` on a compiled document: a cached identity (the request memo answers) and a new one
// (one engine evaluation, then the rules). Goals: < 1 µs cached, < 3 µs new.
// Run: npx tsx bench/policy.ts
import { performance } from 'node:perf_hooks';
import process from 'node:process';
import { manifest } from '../flags.gen';
import { createFlagstage } from '../runtime/flagstage';
import type { Identity } from '../runtime/identity';
import { staticSource } from '../runtime/sources/static';
import { buildDocument } from '../test/helpers/documents';

// A realistic Gastown rollout: gastown at 10% with an allowlist, sub-flags at every stage.
const allowlist = Array.from({ length: 500 }, (_, index) => `listed-${index}`);
const document = buildDocument(manifest, {
  gastown: { stage: 'percentage', allowlist: { users: allowlist, orgs: ['org-1', 'org-2'] }, percentage: 10 },
  convoys: { stage: 'allowlist', allowlist: { users: allowlist.slice(0, 50) } },
  prMerge: { stage: 'percentage', percentage: 50 },
  multiRig: { stage: 'ga' },
  molecules: { stage: 'admin-only' },
});
const flags = createFlagstage({ manifest, source: staticSource(document) });
const loaded = await flags.source.current();

const N = 100_000;
const fresh = (count: number, prefix: string): Identity[] =>
  Array.from({ length: count }, (_, index) => ({ userId: `${prefix}-${index}`, orgId: `org-${index % 97}`, isAdmin: false }));
// A new identity per iteration, built like an app builds one per request (and dropped after it).
const userIds = Array.from({ length: N }, (_, index) => `user-${index}`);
const newIdentity = (index: number, round: number): Identity => ({ userId: userIds[index]! + round, orgId: 'org-7', isAdmin: false });

// CPU time of this process, not wall time: on a shared machine other processes' load would
// otherwise be counted. Both are printed; the verdict uses CPU time.
function report(label: string, wallMs: number, cpu: NodeJS.CpuUsage, count: number): number {
  const us = (cpu.user + cpu.system) / count;
  console.log(`${label.padEnd(60)} ${us.toFixed(3)} µs/decide (cpu)   ${((wallMs * 1000) / count).toFixed(3)} µs (wall)`);
  return us;
}

function time(label: string, run: () => void, count: number): number {
  const start = performance.now();
  const cpu = process.cpuUsage();
  run();
  return report(label, performance.now() - start, process.cpuUsage(cpu), count);
}

async function timeAsync(label: string, run: () => Promise<void>, count: number): Promise<number> {
  const start = performance.now();
  const cpu = process.cpuUsage();
  await run();
  return report(label, performance.now() - start, process.cpuUsage(cpu), count);
}

// Warm up the JIT on every path.
for (const identity of fresh(20_000, 'warm')) {
  flags.decideOn(loaded, 'gastown', identity);
  flags.decideOn(loaded, 'convoys', identity);
  await flags.decide('gastown', identity);
}

const cached: Identity = { userId: 'cached-user', orgId: 'org-5', isAdmin: false };
flags.decideOn(loaded, 'gastown', cached);
const results: Record<string, number> = {};

for (let round = 0; round < 2; round++) {
  console.log(`round ${round + 1}`);
  results.cachedSync = time('cached identity, decideOn (sync core)', () => {
    for (let i = 0; i < N; i++) flags.decideOn(loaded, 'gastown', cached);
  }, N);
  results.cachedAsync = await timeAsync('cached identity, await flags.decide', async () => {
    for (let i = 0; i < N; i++) await flags.decide('gastown', cached);
  }, N);
  results.newSync = time('new identity, decideOn gastown (engine + rules)', () => {
    for (let i = 0; i < N; i++) flags.decideOn(loaded, 'gastown', newIdentity(i, round * 3));
  }, N);
  results.newAsync = await timeAsync('new identity, await flags.decide gastown', async () => {
    for (let i = 0; i < N; i++) await flags.decide('gastown', newIdentity(i, round * 3 + 1));
  }, N);
  results.newSub = time('new identity, decideOn convoys (sub-flag: parent + itself)', () => {
    for (let i = 0; i < N; i++) flags.decideOn(loaded, 'convoys', newIdentity(i, round * 3 + 2));
  }, N);
  await timeAsync('new identity, await flags.snapshot (5 flags; per snapshot)', async () => {
    for (let i = 0; i < N / 10; i++) await flags.snapshot(newIdentity(i, round * 3 + 100));
  }, N / 10);
}

const verdict = (value: number, goal: number) => `${value.toFixed(3)} µs (goal < ${goal} µs: ${value < goal ? 'met' : 'MISSED'})`;
console.log(`\ncached identity: ${verdict(results.cachedAsync!, 1)} via await flags.decide; ${results.cachedSync!.toFixed(3)} µs sync`);
console.log(`new identity:    ${verdict(results.newAsync!, 3)} via await flags.decide; ${results.newSync!.toFixed(3)} µs sync`);
