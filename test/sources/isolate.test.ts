import { Miniflare } from 'miniflare';
import { describe, expect, it, vi } from 'vitest';
import { repoRoot, tempDir } from '../helpers/tmp';
import { bundleWorker } from '../helpers/worker-bundle';
import { gastownDocument, revisionAt } from './documents';
import { fakeOrigin } from './fake-origin';
import { serveOverHttp } from './http-origin';
import { twoIsolates } from './two-isolates';

/**
 * Real cold isolates: the Worker in isolate-worker.ts runs in one Miniflare (workerd) instance,
 * which fetches from a real HTTP origin and fills the shared cache; that instance is disposed and a
 * new one, sharing only the persisted Cache API / KV storage, must serve its first decision without
 * the origin.
 */
describe('cold isolates (separate workerd processes)', async () => {
  const origin = fakeOrigin({ doc: gastownDocument({ revision: revisionAt(1), stage: 'allowlist', allowUsers: ['alice'] }) });
  const { apiUrl } = await serveOverHttp(origin);
  const script = await bundleWorker(`${repoRoot}test/sources/isolate-worker.ts`);

  const start = (layer: 'cache' | 'kv', root: string) =>
    new Miniflare({
      modules: true,
      script,
      compatibilityDate: '2026-04-01',
      kvNamespaces: ['KV'],
      // A ttl far longer than the test: the cold isolate's document is fresh however long the machine
      // takes to start it, so any origin request would be the cold isolate failing to use the cache
      // (with the default 5 s, a loaded machine made it stale: a correct background refresh, counted).
      bindings: { ORIGIN: apiUrl, LAYER: layer, WEBHOOK_SECRET: 'whsec', TTL_MS: '600000' },
      defaultPersistRoot: root,
    });

  const decide = async (mf: Miniflare, user: string) => {
    const response = await mf.dispatchFetch(`http://app.test/?user=${user}`);
    return (await response.json()) as { decision: { allowed: boolean; reason: string; revision: string | null }; errors: string[] };
  };

  for (const layer of ['cache', 'kv'] as const) {
    it(`a cold isolate with the document in ${layer === 'kv' ? 'KV' : 'the Cache API'} serves its first decision without the origin`, async () => {
      const root = tempDir(`isolate-${layer}`);
      const before = origin.counts.documents;
      const warm = start(layer, root);
      expect((await decide(warm, 'alice')).decision).toMatchObject({ allowed: true, reason: 'allowlist' });
      expect(origin.counts.documents - before).toBe(1);
      // The shared write runs in waitUntil after the response: wait until it has landed (a bound for
      // a loaded machine, not a speed figure).
      const stored = async () =>
        Boolean(layer === 'kv' ? await (await warm.getKVNamespace('KV')).get('doc') : await (await warm.getCaches()).default.match('https://flagstage.test/doc'));
      await vi.waitFor(async () => expect(await stored(), `the warm isolate's shared ${layer} write`).toBe(true), { timeout: 30_000, interval: 20 });
      await warm.dispose();

      const cold = start(layer, root);
      try {
        const first = await decide(cold, 'alice');
        expect(first.decision).toMatchObject({ allowed: true, reason: 'allowlist', revision: revisionAt(1) });
        expect(first.errors).toEqual([]);
        expect((await decide(cold, 'bob')).decision).toMatchObject({ allowed: false, reason: 'not-enabled' });
        expect(origin.counts.documents - before).toBe(1);
      } finally {
        await cold.dispose();
      }
    });
  }
});

/**
 * Two isolates of one colo (two workers in one workerd, sharing only the Cache API): the webhook
 * reaches isolate A; isolate B must apply the kill through the shared cache, never by waiting out its
 * ttl. The ttl is ten minutes, far past the test's bounds, so that only the shared-cache check can
 * explain B seeing the kill; the figure (how long it took) is printed here and measured by
 * bench/propagation.ts.
 */
describe('propagation across isolates of a colo (two workerd isolates, shared Cache API)', async () => {
  const origin = fakeOrigin({ doc: gastownDocument({ revision: revisionAt(1), stage: 'ga' }) });
  const { apiUrl } = await serveOverHttp(origin);

  it('a kill received by isolate A applies in isolate B through the shared cache, without B asking the origin', async () => {
    const pair = await twoIsolates(apiUrl, { ttlMs: 600_000 });
    try {
      expect(await pair.decide('a', 'alice')).toMatchObject({ allowed: true, reason: 'ga' });
      // Let A's shared-cache write land, then warm B from it: had B gone to the origin, its own write
      // of the old document could land after A's webhook write and hide the kill from B.
      await vi.waitFor(async () => expect(await pair.cached(), "isolate A's shared-cache write").toBe(true), { timeout: 30_000, interval: 20 });
      const warmFetches = origin.counts.documents;
      expect(await pair.decide('b', 'alice')).toMatchObject({ allowed: true, reason: 'ga' });
      expect(origin.counts.documents - warmFetches).toBe(0);

      origin.serve(gastownDocument({ revision: revisionAt(2), stage: 'ga', killed: true }));
      const fetchesBefore = origin.counts.documents;
      expect(await pair.webhook('a', JSON.stringify({ data: { timestamp: new Date().toISOString() }, event_type: 'FLAG_UPDATED' }))).toBe('refreshed');
      const killedAt = Date.now();
      expect(await pair.decide('a', 'alice')).toMatchObject({ allowed: false, reason: 'killed' });

      let seen: { allowed: boolean; reason: string; revision: string | null } | null = null;
      // A bound for a loaded machine (B checks the shared cache every second), well inside the ttl.
      while (Date.now() - killedAt < 60_000) {
        seen = await pair.decide('b', 'alice');
        if (!seen.allowed) break;
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
      console.log(`[two isolates] the kill reached isolate B ${Date.now() - killedAt} ms after isolate A's webhook answered (sharedCacheCheckMs 1000, ttlMs 600000)`);
      expect(seen).toMatchObject({ allowed: false, reason: 'killed', revision: revisionAt(2) });
      // Only A's webhook refresh went to the origin: B read the kill from the shared cache.
      expect(origin.counts.documents - fetchesBefore).toBe(1);
    } finally {
      await pair.dispose();
    }
  });
});
