// The control plane under a gate's load, and one change end to end. Runs the real control plane in
// workerd (what `flagstage serve` runs: Miniflare, SQLite Durable Object), then:
//  1. 10,000 gate decisions over a simulated minute from 4 isolates, each with flagsmithSource
//     (ttl 5 s) and workerd's Cache API in front (Miniflare's caches.default, shared by the
//     isolates as a colo's is): how many document requests reach the Durable Object.
//  2. One change end to end: the API call until the webhook, signed, reaches a receiver (20 runs).
// Run: npx tsx bench/control.ts
import { createServer } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { startControlPlane } from '../cli/serve/control';
import { manifest } from '../flags.gen';
import { createFlagstage } from '../runtime/flagstage';
import { cachesApiCache, type CacheLike } from '../runtime/sources/cache-api';
import { flagsmithSource } from '../runtime/sources/flagsmith';

const ENVIRONMENT_KEY = 'ser.bench-control-key';
const DECISIONS = 10_000;
const MINUTE_MS = 60_000;
const ISOLATES = 4;
const TTL_MS = 5_000;

const state = mkdtempSync(join(tmpdir(), 'flagstage-bench-control-'));
const arrivals: number[] = [];
const receiver = createServer((request, response) => {
  request.resume();
  request.on('end', () => {
    arrivals.push(performance.now());
    response.end('{}');
  });
});
await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
const address = receiver.address();
const hookUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/hook`;

const plane = await startControlPlane({ manifest, stateDir: state, environment: 'bench', environmentKey: ENVIRONMENT_KEY, host: '127.0.0.1', port: 0, webhooks: [{ url: hookUrl, secret: 'bench-secret' }] });
try {
  // 1. Document requests reaching the Durable Object.
  const { Miniflare } = await import('miniflare');
  const cacheHost = new Miniflare({ modules: true, script: 'export default { fetch() { return new Response(null) } }', compatibilityDate: '2026-04-01', cf: false });
  await cacheHost.ready;
  const caches = await cacheHost.getCaches();
  let simulated = 0;
  let documentRequests = 0;
  const countingFetch = async (url: string, init: RequestInit) => {
    documentRequests += 1;
    return fetch(url, init);
  };
  const pending: Promise<unknown>[] = [];
  const context = { waitUntil: (promise: Promise<unknown>) => void pending.push(promise) };
  const gates = Array.from({ length: ISOLATES }, () =>
    createFlagstage({
      manifest,
      logChanges: false,
      source: flagsmithSource({
        apiUrl: `${plane.url}/api/v1/`,
        environmentKey: ENVIRONMENT_KEY,
        ttlMs: TTL_MS,
        maxStaleMs: 3_600_000,
        timeoutMs: 5_000,
        fetch: countingFetch,
        cache: cachesApiCache(caches.default as unknown as CacheLike),
        now: () => simulated,
        onError: (error) => console.warn(error.message),
      }),
    }),
  );
  const started = performance.now();
  for (let i = 0; i < DECISIONS; i += 1) {
    simulated = 1_000_000 + Math.floor((i * MINUTE_MS) / DECISIONS);
    const gate = gates[i % ISOLATES];
    await gate?.decide('gastown', { userId: `user-${i % 997}`, orgId: `org-${i % 31}`, isAdmin: false }, context);
    // A request's waitUntil work finishes before the next simulated request of the same instant matters.
    if (pending.length > 0) await Promise.all(pending.splice(0));
  }
  const elapsed = performance.now() - started;
  console.log(
    `control plane document requests: ${documentRequests} reached the Durable Object for ${DECISIONS} gate decisions over a simulated minute ` +
      `(${ISOLATES} isolates, ttl ${TTL_MS / 1000} s, workerd Cache API in front; ${(elapsed / DECISIONS * 1000).toFixed(1)} µs per decision wall time)`,
  );
  await cacheHost.dispose();

  // 2. One change end to end: API call -> webhook delivered.
  const times: number[] = [];
  for (let run = 0; run < 20; run += 1) {
    const before = arrivals.length;
    const start = performance.now();
    const response = await fetch(`${plane.url}/v1/environments/bench/flags/gastown/percent`, {
      method: 'POST',
      headers: { authorization: `Bearer ${plane.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ value: run + 1, reason: `bench run ${run}` }),
    });
    if (!response.ok) throw new Error(`change failed: ${response.status} ${await response.text()}`);
    const answered = performance.now();
    while (arrivals.length === before) await new Promise((resolve) => setTimeout(resolve, 0.2));
    times.push((arrivals[before] ?? answered) - start);
  }
  const sorted = [...times].sort((a, b) => a - b);
  console.log(
    `control plane change end to end (API call -> signed webhook received), 20 runs: median ${sorted[10]?.toFixed(1)} ms, p95 ${sorted[18]?.toFixed(1)} ms, min ${sorted[0]?.toFixed(1)} ms`,
  );
} finally {
  await plane.stop();
  receiver.close();
  rmSync(state, { recursive: true, force: true });
}
