// The control plane under a gate's load, and one change end to end, everything inside workerd
// (Miniflare): the real control plane Worker and its SQLite Durable Object (bench/control/
// plane-worker.ts, which counts the document requests reaching the Durable Object), and gate Workers
// (bench/control/gate-worker.ts: flagsmithSource with ttl 5 s over a service binding, the Cache API
// `caches.default` in front, a clock the bench drives). A fifth gate Worker receives the webhooks.
//  1. 10,000 gate decisions over a simulated minute, spread over 4 gate isolates (Workers) sharing
//     the colo's Cache API: how many document requests reach the Durable Object. Reference, same run:
//     4 fresh isolates without the Cache API.
//  2. One change end to end: the admin API call until the signed webhook has been handled by a gate
//     (its document refreshed), 20 runs 1.1 s apart (a gate spaces forced refreshes by 1 s).
//     Reference: the API call's own answer.
// Run: npx tsx bench/control.ts   (part of `npm run bench`; `npm run bench:control` alone)
import { performance } from 'node:perf_hooks';
import { build } from 'esbuild';
import { Miniflare } from 'miniflare';
import { generateToken, hashToken } from '../control/auth/tokens';
import { WORKER_COMPATIBILITY, workerBundleOptions } from '../cli/serve/worker-bundle';
import { isMain, ms, printTable, stats, type BenchRow } from './table';

const SERVER_KEY = 'ser.bench-control-key';
const WEBHOOK_SECRET = 'bench-webhook-secret';
const DECISIONS = 10_000;
const MINUTE_MS = 60_000;
const ISOLATES = 4;
const TTL_MS = 5_000;
/** Decisions per request to a gate: the simulated minute in 400 slices, round robin over the isolates. */
const SLICE = 25;
const CHANGES = 20;

async function bundle(entry: string): Promise<string> {
  const result = await build({
    ...workerBundleOptions(),
    absWorkingDir: new URL('..', import.meta.url).pathname,
    entryPoints: [entry],
    write: false,
    logLevel: 'error',
  });
  return result.outputFiles[0]!.text;
}

export interface ControlFigures {
  readonly withCache: number;
  readonly withoutCache: number;
  readonly endToEnd: { median: number; p95: number; best: number };
  readonly apiCall: { median: number; best: number };
}

/** Runs both measurements in one Miniflare instance. */
export async function measureControl(): Promise<ControlFigures> {
  const [planeScript, gateScript] = await Promise.all([bundle('bench/control/plane-worker.ts'), bundle('bench/control/gate-worker.ts')]);
  const token = generateToken();
  const gate = (name: string, useCache: boolean) => ({
    name,
    modules: true,
    script: gateScript,
    ...WORKER_COMPATIBILITY,
    bindings: { ENVIRONMENT_KEY: SERVER_KEY, WEBHOOK_SECRET, USE_CACHE: useCache ? '1' : '0', TTL_MS: String(TTL_MS) },
    serviceBindings: { CONTROL: 'control' },
  });
  const cached = Array.from({ length: ISOLATES }, (_, i) => `gate-cache-${i}`);
  const uncached = Array.from({ length: ISOLATES }, (_, i) => `gate-plain-${i}`);
  const mf = new Miniflare({
    workers: [
      {
        name: 'control',
        modules: true,
        script: planeScript,
        ...WORKER_COMPATIBILITY,
        durableObjects: { FLAGSTAGE_CONTROL: { className: 'FlagstageControl', useSQLite: true } },
        bindings: { SERVER_KEY, WEBHOOK_SECRET, TOKENS: JSON.stringify([{ name: 'bench', role: 'owner', sha256: await hashToken(token) }]) },
        serviceBindings: { GATE: 'gate-webhook' },
      },
      gate('gate-webhook', true),
      ...cached.map((name) => gate(name, true)),
      ...uncached.map((name) => gate(name, false)),
    ],
  });
  try {
    await mf.ready;
    const control = await mf.getWorker('control');
    const api = (path: string, body: unknown) =>
      control.fetch(`https://control.internal/v1/environments/bench${path}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    // A rollout in progress: 30% of users, so the decisions evaluate a real percentage split.
    for (const [path, body] of [
      ['/flags/gastown/percent', { value: 30, reason: 'bench' }],
      ['/flags/gastown/stage', { stage: 'percentage', reason: 'bench' }],
    ] as const) {
      const response = await api(path, body);
      if (!response.ok) throw new Error(`control bench: ${path} answered ${response.status} ${await response.text()}`);
    }
    // The setup's two webhooks handled (the colo's cache then holds the rollout), before the minute.
    const receiver = await mf.getWorker('gate-webhook');
    const deliveries = async () => (await (await receiver.fetch('https://gate.internal/deliveries')).json()) as { count: number; last: string };
    const deliveryAfter = async (count: number) => {
      for (;;) {
        const seen = await deliveries();
        if (seen.count > count) return seen;
      }
    };
    let handled = (await deliveryAfter(1)).count;
    const documentRequests = async (reset: boolean) =>
      ((await (await control.fetch(`https://control.internal/bench/document-requests${reset ? '?reset' : ''}`)).json()) as { documentRequests: number }).documentRequests;

    const minute = async (names: readonly string[]): Promise<{ requests: number; allowed: number }> => {
      const gates = await Promise.all(names.map((name) => mf.getWorker(name)));
      await documentRequests(true);
      let allowed = 0;
      const reasons: Record<string, number> = {};
      const step = MINUTE_MS / DECISIONS;
      for (let slice = 0; slice * SLICE < DECISIONS; slice += 1) {
        const offset = slice * SLICE;
        const response = await gates[slice % gates.length]!.fetch('https://gate.internal/run', {
          method: 'POST',
          body: JSON.stringify({ start: 1_000_000 + offset * step, step, count: SLICE, offset }),
        });
        if (!response.ok) throw new Error(`control bench: a gate answered ${response.status} ${await response.text()}`);
        const answer = (await response.json()) as { allowed: number; reasons: Record<string, number> };
        allowed += answer.allowed;
        for (const [why, count] of Object.entries(answer.reasons)) reasons[why] = (reasons[why] ?? 0) + count;
      }
      if (process.env.BENCH_VERBOSE) console.error(names[0], reasons);
      return { requests: await documentRequests(false), allowed };
    };
    const withCache = await minute(cached);
    const withoutCache = await minute(uncached);
    if (withCache.allowed === 0 || withCache.allowed !== withoutCache.allowed) {
      throw new Error(`control bench: the gates decided differently (${withCache.allowed} vs ${withoutCache.allowed} allowed): not the same rollout`);
    }

    // 2. One change end to end: the API call until a gate has handled the signed webhook.
    const endToEnd: number[] = [];
    const apiCall: number[] = [];
    for (let run = 0; run < CHANGES; run += 1) {
      // One change at a time, as an operator makes them: a gate spaces forced refreshes by
      // minRefreshIntervalMs (1 s by default), so back-to-back changes would measure that wait.
      await new Promise((resolve) => setTimeout(resolve, 1_100));
      const start = performance.now();
      const response = await api('/flags/gastown/percent', { value: 31 + run, reason: `bench run ${run}` });
      apiCall.push(performance.now() - start);
      if (!response.ok) throw new Error(`control bench: the change answered ${response.status} ${await response.text()}`);
      await response.arrayBuffer();
      const delivery = await deliveryAfter(handled);
      endToEnd.push(performance.now() - start);
      if (delivery.last !== 'refreshed') throw new Error(`control bench: the gate answered the webhook with ${delivery.last}`);
      handled = delivery.count;
    }
    if (process.env.BENCH_VERBOSE) {
      console.error(endToEnd.map((t) => t.toFixed(0)).join(' '));
      console.error(JSON.stringify(((await (await control.fetch('https://control.internal/v1/environments/bench/status', { headers: { authorization: `Bearer ${token}` } })).json()) as { webhooks: unknown }).webhooks).slice(0, 1500));
    }
    const sorted = [...endToEnd].sort((a, b) => a - b);
    return {
      withCache: withCache.requests,
      withoutCache: withoutCache.requests,
      endToEnd: { ...stats(endToEnd), p95: sorted[Math.ceil(sorted.length * 0.95) - 1]! },
      apiCall: stats(apiCall),
    };
  } finally {
    await mf.dispose();
  }
}

export async function controlRows(): Promise<BenchRow[]> {
  const figures = await measureControl();
  const expected = MINUTE_MS / TTL_MS;
  return [
    {
      figure: `control plane: document requests reaching the Durable Object, ${DECISIONS.toLocaleString('en')} gate decisions / simulated minute (${ISOLATES} isolates, ttl ${TTL_MS / 1000} s, Cache API in front, workerd)`,
      value: String(figures.withCache),
      goal: `~${expected} (one per ttl)`,
      reference: `without the Cache API: ${figures.withoutCache}`,
      ratio: `${(figures.withoutCache / Math.max(1, figures.withCache)).toFixed(1)}x fewer`,
      met: figures.withCache <= expected + 2,
    },
    {
      figure: `control plane: one change end to end (API call -> signed webhook handled by a gate, refreshed), median of ${CHANGES}`,
      value: `${ms(figures.endToEnd.median)} (p95 ${ms(figures.endToEnd.p95)})`,
      goal: '',
      reference: `the API call's own answer: ${ms(figures.apiCall.median)}`,
      ratio: `${(figures.endToEnd.median / figures.apiCall.median).toFixed(1)}x`,
    },
  ];
}

if (isMain(import.meta.url)) {
  const rows = await controlRows();
  printTable(rows);
}
