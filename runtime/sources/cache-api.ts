import { drain } from './origin';
import { DEFAULT_SHARED_TTL_SECONDS, type CachedDocument, type SharedCache } from './shared-cache';

/** The part of the Workers Cache API (`caches.default`, `await caches.open(name)`) this uses. */
export interface CacheLike {
  match(request: string): Promise<Response | undefined>;
  put(request: string, response: Response): Promise<void>;
}

export interface CachesApiCacheOptions {
  /** The cache key, an http(s) URL nobody serves. Default: one per environment, derived from its key. */
  readonly key?: string;
  /** How long the colo may keep the entry. Default: 7 days (a stale document beats none). */
  readonly ttlSeconds?: number;
}

const FETCHED_AT = 'X-Flagstage-Fetched-At';

/**
 * A shared cache on the Workers Cache API: every isolate of the colo reads what one fetched.
 * The entry is the raw document with its fetch time in a header.
 *
 * @example
 * const source = flagsmithSource({ apiUrl, environmentKey, ttlMs: 5_000, maxStaleMs: 3_600_000,
 *   timeoutMs: 2_000, cache: cachesApiCache(caches.default) });
 */
export function cachesApiCache(cache: CacheLike, options: CachesApiCacheOptions = {}): SharedCache {
  const ttl = Math.max(1, Math.floor(options.ttlSeconds ?? DEFAULT_SHARED_TTL_SECONDS));
  const keyFor = (id: string): string => options.key ?? `https://flagstage.cache/environment-document/${id}`;
  return {
    async get(id, newerThan) {
      const response = await cache.match(keyFor(id));
      if (!response) return null;
      const fetchedAt = Number(response.headers.get(FETCHED_AT));
      // `x <= undefined` is false: without newerThan only the fetch time itself is checked.
      if (!(fetchedAt > 0 && fetchedAt < Infinity) || fetchedAt <= newerThan!) {
        // Nothing new, or no fetch time: leave the body unread (a frequent check must not parse megabytes each time).
        await drain(response.body);
        return null;
      }
      return { body: await response.text(), fetchedAt };
    },
    async put(id, entry: CachedDocument) {
      await cache.put(
        keyFor(id),
        new Response(entry.body, {
          headers: {
            'Content-Type': 'application/json',
            'Cache-Control': `max-age=${ttl}`,
            [FETCHED_AT]: String(entry.fetchedAt),
          },
        }),
      );
    },
  };
}
