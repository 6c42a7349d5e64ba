/**
 * A Worker for the cold-isolate test (isolate.test.ts): bundled with esbuild and run in Miniflare,
 * twice, so the second run is a genuinely new workerd process with only the shared cache left.
 */
import { manifest } from '../../flags.gen';
import { cachesApiCache, createFlagstage, flagsmithSource, type CacheLike } from '../../runtime/index';
import { kvCache, type KVLike } from '../../runtime/sources/kv-cache';
import { flagsmithWebhook } from '../../runtime/webhook/index';

interface Env {
  readonly ORIGIN: string;
  readonly LAYER: 'cache' | 'kv';
  readonly KV: KVLike;
  readonly WEBHOOK_SECRET: string;
  /** Optional: ttlMs and sharedCacheCheckMs as decimal strings (defaults 5000 and the source's own). */
  readonly TTL_MS?: string;
  readonly SHARED_CHECK_MS?: string;
}

interface Context {
  waitUntil(promise: Promise<unknown>): void;
}

// Workers' `caches.default` (the DOM typings this file is checked with do not know it).
const defaultCache = (): CacheLike => (globalThis as unknown as { caches: { default: CacheLike } }).caches.default;

let runtime: { flags: ReturnType<typeof createFlagstage<typeof manifest>>; webhook: (request: Request, ctx: Context) => Promise<Response> } | undefined;
const errors: string[] = [];

export default {
  async fetch(request: Request, env: Env, ctx: Context): Promise<Response> {
    if (!runtime) {
      const source = flagsmithSource({
        apiUrl: env.ORIGIN,
        environmentKey: 'ser.test-key',
        ttlMs: Number(env.TTL_MS ?? '5000'),
        ...(env.SHARED_CHECK_MS !== undefined ? { sharedCacheCheckMs: Number(env.SHARED_CHECK_MS) } : {}),
        maxStaleMs: 60_000,
        // The origin is the test process itself, slow to answer on a loaded machine; no test here is
        // about the timeout (test/sources/http.test.ts is).
        timeoutMs: 30_000,
        cache: env.LAYER === 'kv' ? kvCache(env.KV, { key: 'doc' }) : cachesApiCache(defaultCache(), { key: 'https://flagstage.test/doc' }),
        onError: (error) => void errors.push(error.code),
      });
      runtime = { flags: createFlagstage({ manifest, source, logChanges: false }), webhook: flagsmithWebhook({ secret: env.WEBHOOK_SECRET, source }) };
    }
    const url = new URL(request.url);
    if (url.pathname === '/webhook') return runtime.webhook(request, ctx);
    const decision = await runtime.flags.decide('gastown', { userId: url.searchParams.get('user') ?? 'nobody', isAdmin: false }, ctx);
    return Response.json({ decision, errors });
  },
};
