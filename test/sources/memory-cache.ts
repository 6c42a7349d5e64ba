import type { CachedDocument, SharedCache } from '../../runtime/sources/shared-cache';

/** A shared cache in a Map: what two isolates would see through the Cache API or KV, for Node. */
export function memoryCache(): SharedCache {
  const entries = new Map<string, CachedDocument>();
  return {
    get: async (id) => entries.get(id) ?? null,
    put: async (id, entry) => {
      entries.set(id, entry);
    },
  };
}
