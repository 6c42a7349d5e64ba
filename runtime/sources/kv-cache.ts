/**
 * flagstage/kv: the shared cache on a Workers KV namespace (`kvCache`). On its own entry point so
 * that a Worker using the Cache API (or no shared cache) does not bundle it. Imports no Node built-in.
 */
import { DEFAULT_SHARED_TTL_SECONDS, type CachedDocument, type SharedCache } from './shared-cache';

/** The part of a Workers KV namespace binding this uses. */
export interface KVLike {
  getWithMetadata(key: string, type: 'text'): Promise<{ value: string | null; metadata: unknown }>;
  put(key: string, value: string, options?: { expirationTtl?: number; metadata?: unknown }): Promise<void>;
}

export interface KvCacheOptions {
  /** The KV key. Default: one per environment, derived from its key. */
  readonly key?: string;
  /** How long KV keeps the entry (at least 60 s, KV's minimum). Default: 7 days. */
  readonly ttlSeconds?: number;
}

/**
 * A shared cache in a KV namespace: every isolate everywhere reads what one fetched (KV takes up
 * to a minute to propagate between locations, which is why isolate memory stays the first layer).
 * The value is the raw document; the fetch time is the key's metadata.
 *
 * @example
 * import { kvCache } from 'flagstage/kv';
 * export default { fetch(request, env, ctx) {
 *   source ??= flagsmithSource({ ...options, cache: kvCache(env.FLAGS) });
 * } };
 */
export function kvCache(kv: KVLike, options: KvCacheOptions = {}): SharedCache {
  const ttl = Math.max(60, Math.floor(options.ttlSeconds ?? DEFAULT_SHARED_TTL_SECONDS));
  const keyFor = (id: string): string => options.key ?? `flagstage:environment-document:${id}`;
  return {
    async get(id) {
      const { value, metadata } = await kv.getWithMetadata(keyFor(id), 'text');
      if (value === null) return null;
      const fetchedAt = Number((metadata as { fetchedAt?: unknown } | null)?.fetchedAt);
      return Number.isFinite(fetchedAt) && fetchedAt > 0 ? { body: value, fetchedAt } : null;
    },
    async put(id, entry: CachedDocument) {
      await kv.put(keyFor(id), entry.body, { expirationTtl: ttl, metadata: { fetchedAt: entry.fetchedAt } });
    },
  };
}
