import { cachesApiCache, createFlagstage, flagsmithSource, type Flagstage, type FlagsmithSource } from 'flagstage';
import { manifest } from '@/flags.gen';
import type { Env } from './env';

export interface WorkerFlags {
  readonly flags: Flagstage;
  /** Kept apart from `flags.source` because the webhook needs `refresh`, which a FlagsmithSource always has. */
  readonly source: FlagsmithSource;
}

/**
 * One flagstage per isolate: the compiled document lives in memory, backed by the colo's Cache API
 * so a new isolate starts from what another one fetched, and refreshed at once by the webhook.
 */
export function createWorkerFlags(env: Env): WorkerFlags {
  const source = flagsmithSource({
    apiUrl: env.FLAGSMITH_API_URL,
    environmentKey: env.FLAGSMITH_ENVIRONMENT_KEY,
    ttlMs: Number(env.FLAGS_TTL_MS ?? 5_000),
    maxStaleMs: 60 * 60_000,
    timeoutMs: 2_000,
    cache: cachesApiCache(caches.default),
  });
  return { flags: createFlagstage({ manifest, source }), source };
}
