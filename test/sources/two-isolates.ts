import { Miniflare } from 'miniflare';
import { signWebhookBody } from '../../runtime/sources/signature';
import { bundleWorker } from '../helpers/worker-bundle';

/**
 * Two isolates of one colo: one workerd process (Miniflare) running isolate-worker.ts as two
 * workers, `a` and `b`. Each worker is its own V8 isolate with its own module state (its own
 * flagsmithSource memory); they share only what a colo's isolates share, the Cache API. Used by
 * isolate.test.ts (the semantics) and bench/propagation.ts (the figure). No vitest import here.
 */
export interface TwoIsolates {
  decide(worker: 'a' | 'b', user: string): Promise<{ allowed: boolean; reason: string; revision: string | null }>;
  /** Posts a signed Flagsmith webhook to one worker; resolves with its answer's code. */
  webhook(worker: 'a' | 'b', body: string): Promise<string>;
  /** Whether the colo's Cache API holds the document (the workers write it in waitUntil). */
  cached(): Promise<boolean>;
  dispose(): Promise<void>;
}

export const WEBHOOK_SECRET = 'whsec-two-isolates';
/** Where isolate-worker.ts keeps the document in the Cache API. */
const CACHE_KEY = 'https://flagstage.test/doc';

let script: Promise<string> | null = null;

export async function twoIsolates(apiUrl: string, options: { ttlMs: number; sharedCacheCheckMs?: number }): Promise<TwoIsolates> {
  script ??= bundleWorker(new URL('./isolate-worker.ts', import.meta.url).pathname);
  const code = await script;
  const bindings = {
    ORIGIN: apiUrl,
    LAYER: 'cache',
    WEBHOOK_SECRET,
    TTL_MS: String(options.ttlMs),
    ...(options.sharedCacheCheckMs !== undefined ? { SHARED_CHECK_MS: String(options.sharedCacheCheckMs) } : {}),
  };
  const worker = (name: string) => ({ name, modules: true, script: code, compatibilityDate: '2026-04-01', kvNamespaces: ['KV'], bindings });
  const mf = new Miniflare({ workers: [worker('a'), worker('b')] });
  await mf.ready;
  const fetchFrom = async (name: 'a' | 'b', url: string, init?: RequestInit) => (await mf.getWorker(name)).fetch(url, init as never);
  return {
    async decide(name, user) {
      const response = await fetchFrom(name, `http://app.test/?user=${encodeURIComponent(user)}`);
      return ((await response.json()) as { decision: { allowed: boolean; reason: string; revision: string | null } }).decision;
    },
    async webhook(name, body) {
      const signature = await signWebhookBody(WEBHOOK_SECRET, body);
      const response = await fetchFrom(name, 'http://app.test/webhook', { method: 'POST', body, headers: { 'X-Flagsmith-Signature': signature, 'Content-Type': 'application/json' } });
      return ((await response.json()) as { code: string }).code;
    },
    cached: async () => (await (await mf.getCaches()).default.match(CACHE_KEY)) !== undefined,
    dispose: () => mf.dispose(),
  };
}
