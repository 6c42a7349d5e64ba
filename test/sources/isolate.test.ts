import { build } from 'esbuild';
import { Miniflare } from 'miniflare';
import { describe, expect, it } from 'vitest';
import { repoRoot, tempDir } from '../helpers/tmp';
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
  const bundle = await build({
    entryPoints: [`${repoRoot}test/sources/isolate-worker.ts`],
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'neutral',
    target: 'es2022',
    conditions: ['source', 'workerd', 'worker', 'browser'],
    mainFields: ['module', 'main'],
  });
  const script = bundle.outputFiles[0]!.text;

  const start = (layer: 'cache' | 'kv', root: string) =>
    new Miniflare({
      modules: true,
      script,
      compatibilityDate: '2026-04-01',
      kvNamespaces: ['KV'],
      bindings: { ORIGIN: apiUrl, LAYER: layer, WEBHOOK_SECRET: 'whsec' },
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
      // The shared write runs in waitUntil after the response: wait until it has landed.
      for (let i = 0; i < 100; i += 1) {
        const stored =
          layer === 'kv'
            ? await (await warm.getKVNamespace('KV')).get('doc')
            : await (await warm.getCaches()).default.match('https://flagstage.test/doc');
        if (stored) break;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
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
 * ttl. The ttl is a minute so that only the shared-cache check can explain B seeing the kill; the
 * figure (how long it took) is printed here and measured by bench/propagation.ts.
 */
describe('propagation across isolates of a colo (two workerd isolates, shared Cache API)', async () => {
  const origin = fakeOrigin({ doc: gastownDocument({ revision: revisionAt(1), stage: 'ga' }) });
  const { apiUrl } = await serveOverHttp(origin);

  it('a kill received by isolate A applies in isolate B through the shared cache, without B asking the origin', async () => {
    const pair = await twoIsolates(apiUrl, { ttlMs: 60_000 });
    try {
      expect(await pair.decide('a', 'alice')).toMatchObject({ allowed: true, reason: 'ga' });
      // Let A's shared-cache write land, then warm B (from the cache or the origin, either is fine).
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(await pair.decide('b', 'alice')).toMatchObject({ allowed: true, reason: 'ga' });

      origin.serve(gastownDocument({ revision: revisionAt(2), stage: 'ga', killed: true }));
      const fetchesBefore = origin.counts.documents;
      expect(await pair.webhook('a', JSON.stringify({ data: { timestamp: new Date().toISOString() }, event_type: 'FLAG_UPDATED' }))).toBe('refreshed');
      const killedAt = Date.now();
      expect(await pair.decide('a', 'alice')).toMatchObject({ allowed: false, reason: 'killed' });

      let seen: { allowed: boolean; reason: string; revision: string | null } | null = null;
      while (Date.now() - killedAt < 15_000) {
        seen = await pair.decide('b', 'alice');
        if (!seen.allowed) break;
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
      console.log(`[two isolates] the kill reached isolate B ${Date.now() - killedAt} ms after isolate A's webhook answered (sharedCacheCheckMs 1000, ttlMs 60000)`);
      expect(seen).toMatchObject({ allowed: false, reason: 'killed', revision: revisionAt(2) });
      // Only A's webhook refresh went to the origin: B read the kill from the shared cache.
      expect(origin.counts.documents - fetchesBefore).toBe(1);
    } finally {
      await pair.dispose();
    }
  });
});
