import { build } from 'esbuild';
import { Miniflare } from 'miniflare';
import { describe, expect, it } from 'vitest';
import { repoRoot, tempDir } from '../helpers/tmp';
import { gastownDocument, revisionAt } from './documents';
import { fakeOrigin } from './fake-origin';
import { serveOverHttp } from './http-origin';

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
