// How long a kill takes to reach another isolate of the same colo: two workers in one workerd
// (Miniflare), sharing only the Cache API, a real HTTP origin. The webhook reaches isolate A; isolate
// B is asked every 10 ms until it answers `killed`. Printed per trial, with the median and the worst,
// for the default sharedCacheCheckMs (1 s) and, for comparison, with the check off (as before: B
// waits out its ttl).
// Run: npx tsx bench/propagation.ts   (a short variant, 3 + 1 trials, is part of `npm run bench`)
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import process from 'node:process';
import { gastownDocument, revisionAt } from '../test/sources/documents';
import { fakeOrigin } from '../test/sources/fake-origin';
import { twoIsolates } from '../test/sources/two-isolates';
import { isMain, type BenchRow } from './table';

process.env.CLOUDFLARE_CF_FETCH_ENABLED = 'false';
process.env.WRANGLER_SEND_METRICS = 'false';

const TRIALS = Number(process.env.TRIALS ?? 5);
const TTL_MS = 5_000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A real HTTP origin in front of the fake Flagsmith, for the isolates' flagsmithSource. */
async function startOrigin() {
  const origin = fakeOrigin({ doc: gastownDocument({ revision: revisionAt(1), stage: 'ga' }) });
  const server = createServer((req, res) => {
    const headers = new Headers();
    for (const [name, value] of Object.entries(req.headers)) if (typeof value === 'string') headers.set(name, value);
    void origin.fetch(new URL(req.url ?? '/', 'https://flagsmith.test').href, { method: 'GET', headers }).then(async (response) => {
      res.writeHead(response.status, Object.fromEntries(response.headers));
      res.end(Buffer.from(await response.arrayBuffer()));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const apiUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1/`;
  return { origin, server, apiUrl };
}

type Origin = Awaited<ReturnType<typeof startOrigin>>;

async function trial({ origin, apiUrl }: Origin, revision: number, sharedCacheCheckMs: number): Promise<number> {
  origin.serve(gastownDocument({ revision: revisionAt(revision), stage: 'ga' }));
  const pair = await twoIsolates(apiUrl, { ttlMs: TTL_MS, sharedCacheCheckMs });
  try {
    await pair.decide('a', 'alice');
    await sleep(200);
    await pair.decide('b', 'alice');
    // Start at a random point of B's check interval, as a real kill would.
    await sleep(Math.random() * 1_000);
    origin.serve(gastownDocument({ revision: revisionAt(revision + 1), stage: 'ga', killed: true }));
    const code = await pair.webhook('a', JSON.stringify({ data: { timestamp: new Date().toISOString() }, event_type: 'FLAG_UPDATED' }));
    if (code !== 'refreshed') throw new Error(`webhook answered ${code}`);
    const start = performance.now();
    for (;;) {
      if (!(await pair.decide('b', 'alice')).allowed) return performance.now() - start;
      if (performance.now() - start > 4 * TTL_MS) throw new Error('isolate B never saw the kill');
      await sleep(10);
    }
  } finally {
    await pair.dispose();
  }
}

function summary(name: string, figures: number[]): void {
  const sorted = [...figures].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)] ?? 0;
  console.log(`${name.padEnd(44)} median ${median.toFixed(0).padStart(5)} ms   worst ${(sorted.at(-1) ?? 0).toFixed(0).padStart(5)} ms   trials ${figures.map((f) => f.toFixed(0)).join(', ')}`);
}

function median(figures: number[]): number {
  return [...figures].sort((a, b) => a - b)[Math.floor(figures.length / 2)] ?? 0;
}

/** Kills seen by the second isolate with the default shared-cache check, and without it (waiting out the ttl). */
async function trials(withCheckTrials: number, withoutCheckTrials: number): Promise<{ withCheck: number[]; withoutCheck: number[] }> {
  const started = await startOrigin();
  try {
    let revision = 10;
    const withCheck: number[] = [];
    for (let i = 0; i < withCheckTrials; i += 1) withCheck.push(await trial(started, (revision += 2), 1_000));
    const withoutCheck: number[] = [];
    for (let i = 0; i < withoutCheckTrials; i += 1) withoutCheck.push(await trial(started, (revision += 2), TTL_MS));
    return { withCheck, withoutCheck };
  } finally {
    started.server.close();
  }
}

/** The propagation row of `npm run bench` (3 trials, and 1 without the check as the reference). */
export async function propagationRows(): Promise<BenchRow[]> {
  const { withCheck, withoutCheck } = await trials(3, 1);
  const ours = median(withCheck);
  const before = median(withoutCheck);
  return [
    {
      figure: 'kill propagation to a 2nd isolate of the colo (workerd, Cache API; median of 3)',
      value: `${ours.toFixed(0)} ms (worst ${Math.max(...withCheck).toFixed(0)} ms)`,
      goal: '<= 1000 ms',
      reference: `no shared-cache check (waits out ttl ${TTL_MS} ms): ${before.toFixed(0)} ms`,
      ratio: `${(before / ours).toFixed(1)}x faster`,
      met: ours <= 1_000,
    },
  ];
}

if (isMain(import.meta.url)) {
  console.log(`kill propagation to a second isolate of the colo (ttlMs ${TTL_MS}, ${TRIALS} trials each)`);
  const { withCheck, withoutCheck } = await trials(TRIALS, Math.min(TRIALS, 3));
  summary('sharedCacheCheckMs 1000 (default)', withCheck);
  summary(`no shared-cache check (= ttlMs, as before)`, withoutCheck);
}
