import { errorReporter, type ErrorHandler } from '../errors/report';
import { FlagstageError, problemOf } from '../errors/flagstage-error';
import { SourceError, type SourceErrorHandler } from './errors';
import { loadDocument } from './load';
import { environmentDocumentUrl, numericOptions } from './options';
import { sha256Hex } from '../engine/revision';
import { fetchEnvironmentDocument, type FetchLike } from './origin';
import { withTimeout } from '../timeout';
import type { SharedCache } from './shared-cache';
import type { DocumentListener, DocumentSource, LoadedDocument, WaitUntil } from './source';
import { documentListeners } from './listeners';

export interface FlagsmithSourceOptions {
  /** Flagsmith's API base, e.g. `https://edge.api.flagsmith.com/api/v1/` (trailing slash optional). */
  readonly apiUrl: string;
  /** A server-side environment key (`ser.…`). */
  readonly environmentKey: string;
  /**
   * How long a document is fresh: younger ones are served from memory without any I/O; an older one
   * is still served while one refresh runs in the background. Default: 5,000 ms (a kill-switch
   * reaches every isolate within about 5 s without a webhook; with the webhook, at once).
   */
  readonly ttlMs?: number;
  /**
   * Past this age a document is still served (a stale one beats none) but every failed refresh
   * reports `max-stale`. Default: 3,600,000 ms (1 hour).
   */
  readonly maxStaleMs?: number;
  /**
   * The budget for one fetch of the whole page sequence. Only a cold isolate with an empty shared
   * cache ever waits on it. Default: 2,000 ms.
   */
  readonly timeoutMs?: number;
  /**
   * The largest document read, all pages together. Past it the fetch is aborted, the document already
   * held is kept and `onError` gets `too-large`. Default: 10 MiB (`DEFAULT_MAX_DOCUMENT_BYTES`).
   */
  readonly maxDocumentBytes?: number;
  /**
   * The least time between two forced refreshes (`refresh()`, which the webhook calls): calls in
   * between share one refresh at the end of the interval, so a burst of webhooks (or replays of a
   * captured one) costs one origin fetch per interval. Default: 1,000 ms.
   */
  readonly minRefreshIntervalMs?: number;
  /**
   * How often an isolate holding a fresh document re-reads the shared cache (one cache read, in the
   * background, never the origin), so a refresh another isolate wrote there (a webhook's, a kill)
   * applies here within about this long instead of after `ttlMs`. Only with `cache`. Default: 1,000 ms.
   */
  readonly sharedCacheCheckMs?: number;
  /** Default: the global `fetch`. */
  readonly fetch?: FetchLike;
  /** A layer shared between isolates: `cachesApiCache(caches.default)`, or `kvCache(env.KV)` from flagstage/kv. */
  readonly cache?: SharedCache;
  /**
   * Receives every failure. Default: none of its own; failures go to `createFlagstage({ onError })`,
   * or, when nobody listens, to one JSON line on `console.warn`.
   */
  readonly onError?: SourceErrorHandler;
  /** The clock (ms since epoch); injectable for tests. */
  readonly now?: () => number;
}

/** A `DocumentSource` backed by Flagsmith's environment document endpoint. */
export interface FlagsmithSource extends DocumentSource {
  current(context?: WaitUntil): Promise<LoadedDocument | null>;
  /** The document in memory while younger than `ttlMs` and no shared-cache check is due; else undefined (use `current()`). */
  fresh(): LoadedDocument | undefined;
  /** Fetches from the origin now (the webhook calls it) and updates the shared cache before resolving. */
  refresh(context?: WaitUntil): Promise<LoadedDocument | null>;
  subscribe(listener: DocumentListener): () => void;
  subscribeErrors(handler: ErrorHandler<SourceError>): () => void;
}

/**
 * One refresh in flight: `ready` once a cold request has something to serve, `done` when finished,
 * `startedAt` in real time (`Date.now()`), whatever clock the source was given. A tuple: field names
 * would stay in the bundle.
 */
type Refresh = readonly [ready: Promise<void>, done: Promise<void>, startedAt: number];

/**
 * The Flagsmith environment document, layered: in isolate memory, then the optional shared
 * cache, then the origin. Requests wait on the network only when the isolate is cold and the shared
 * cache is empty; otherwise a stale document is served while exactly one refresh runs in the
 * background (through `waitUntil` when a context is given). `current()` never throws.
 *
 * @example
 * const source = flagsmithSource({
 *   apiUrl: 'https://edge.api.flagsmith.com/api/v1/',
 *   environmentKey: env.FLAGSMITH_SERVER_KEY, // ttlMs 5 s, maxStaleMs 1 h, timeoutMs 2 s by default
 *   cache: cachesApiCache(caches.default),
 * });
 * const doc = await source.current(ctx); // ctx: the Worker's ExecutionContext
 */
export function flagsmithSource(options: FlagsmithSourceOptions): FlagsmithSource {
  const { environmentKey, cache } = options;
  // Only a server-side key (`ser.…`) may read the whole environment document.
  if (typeof environmentKey !== 'string' || !environmentKey.startsWith('ser.')) {
    throw new FlagstageError(
      'invalid-option',
      'flagsmithSource environmentKey must be a server-side key ("ser." prefix; a client-side key cannot read the environment document): create one in Flagsmith under Environment settings -> Keys.',
    );
  }
  const url = environmentDocumentUrl(options.apiUrl);
  const [ttlMs, maxStaleMs, timeoutMs, maxDocumentBytes, minRefreshIntervalMs, sharedCacheCheckMs] = numericOptions(options);
  const now = options.now ?? Date.now;
  const errors = errorReporter(options.onError);
  const onError = errors.report;
  // Late-bound so a test (or a polyfill) replacing globalThis.fetch after construction is honoured.
  const fetchFn: FetchLike = options.fetch ?? ((input, init) => fetch(input, init));
  /**
   * A refresh older than this belonged to a request that ended without `waitUntil`: workerd drops
   * that request's pending I/O, so its promise may never settle. Stop waiting on it and start anew.
   */
  const abandonAfterMs = 3 * timeoutMs + 1_000;
  /** A cold isolate whose origin just failed answers null at once for a moment instead of waiting again. */
  const coldRetryMs = Math.min(ttlMs, 1_000);

  const listeners = documentListeners(onError);
  let memory: LoadedDocument | null = null;
  /** `memory` as the promise `current()` answers with: made once per document, not per request. */
  let answer: Promise<LoadedDocument | null> = Promise.resolve(null);
  let lastFailureAt = -Infinity;
  let running: Refresh | null = null;
  let queuedForce: Promise<LoadedDocument | null> | null = null;
  /** When the last forced refresh started (real time): the next waits until minRefreshIntervalMs after it. */
  let lastForcedAt = -Infinity;
  let cacheId: Promise<string> | null = null;
  // The shared cache is keyed by an id for the environment that does not reveal its key: 128 bits of a SHA-256.
  const cacheKey = (): Promise<string> => (cacheId ??= sha256Hex(`${url}\n${environmentKey}`).then((digest) => digest.slice(0, 32)));
  const sharedCacheError = (what: string, error: unknown): SourceError => new SourceError('shared-cache', `${what} (${problemOf(error)}).`, { cause: error });
  /** When the shared cache was last read (source clock): a fresh document re-reads it every sharedCacheCheckMs. */
  let sharedCheckedAt = -Infinity;

  // Real time, not the injected clock: this guards against promises that will never settle.
  const alive = (refresh: Refresh | null): refresh is Refresh =>
    refresh !== null && Date.now() - refresh[2] < abandonAfterMs;

  function accept(next: LoadedDocument): void {
    const previous = memory;
    memory = next;
    answer = Promise.resolve(next);
    sharedCheckedAt = now();
    listeners.publish(next, previous);
  }

  function fail(error: unknown): void {
    lastFailureAt = now();
    onError(error instanceof SourceError ? error : new SourceError('network', `refreshing the environment document failed (${problemOf(error)}).`, { cause: error }));
    if (memory && now() - memory.fetchedAt > maxStaleMs) {
      onError(
        new SourceError(
          'max-stale',
          `serving environment document revision ${memory.revision}, fetched ${Math.round((now() - memory.fetchedAt) / 1000)} s ago, past maxStaleMs (${maxStaleMs} ms), because refreshing failed.`,
        ),
      );
    }
  }

  /**
   * Adopts the shared entry when it is newer than memory. Says whether it is fresh (true), stale
   * (false) or unusable (undefined): not as words, which would stay in the bundle.
   */
  async function fromShared(shared: SharedCache): Promise<boolean | void> {
    let entry;
    sharedCheckedAt = now();
    try {
      entry = await withTimeout(shared.get(await cacheKey(), memory?.fetchedAt), timeoutMs);
    } catch (error) {
      return onError(sharedCacheError('reading the shared cache failed', error));
    }
    if (!entry || (memory && entry.fetchedAt <= memory.fetchedAt)) return;
    try {
      accept(await loadDocument(JSON.parse(entry.body), entry.fetchedAt, memory, onError));
    } catch (error) {
      // An older revision is normal (KV propagates slowly); an incomparable one is reported as such;
      // anything else means a corrupt entry.
      const code = error instanceof SourceError && error.code;
      if (code !== 'older-document') onError(code === 'incomparable-revision' ? (error as SourceError) : sharedCacheError('the shared cache held an unusable document', error));
      return;
    }
    return now() - entry.fetchedAt < ttlMs;
  }

  /** Fetches, validates and adopts the origin's document; returns the shared-cache write, if any (else undefined). */
  async function fromOrigin(): Promise<Promise<void> | void> {
    let raw: Record<string, unknown>;
    let loaded: LoadedDocument;
    try {
      raw = await fetchEnvironmentDocument(url, environmentKey, fetchFn, timeoutMs, maxDocumentBytes);
      loaded = await loadDocument(raw, now(), memory, onError);
    } catch (error) {
      return fail(error);
    }
    lastFailureAt = -Infinity;
    accept(loaded);
    if (!cache) return;
    return (async () => {
      try {
        await cache.put(await cacheKey(), { body: JSON.stringify(raw), fetchedAt: loaded.fetchedAt });
      } catch (error) {
        onError(sharedCacheError('writing the shared cache failed', error));
      }
    })();
  }

  function start(kind: 'cold' | 'stale' | 'force' | 'shared', context: WaitUntil | undefined): Refresh {
    let markReady!: () => void; // the executor runs at once
    const ready = new Promise<void>((resolve) => {
      markReady = resolve;
    });
    const done = (async () => {
      try {
        // A forced refresh exists because the origin changed: the shared cache is what it replaces.
        if (kind !== 'force' && cache) {
          const shared = await fromShared(cache);
          // A check between origin refreshes only looks at what other isolates stored.
          if (shared || kind === 'shared') return;
          if (shared === false) markReady(); // serve it now, refresh from the origin behind it
        }
        const write = await fromOrigin();
        markReady();
        await write;
      } catch (error) {
        fail(error);
      } finally {
        markReady();
      }
    })();
    const refresh: Refresh = [ready, done, Date.now()];
    running = refresh;
    void done.finally(() => {
      if (running === refresh) running = null;
    });
    context?.waitUntil(done);
    return refresh;
  }

  /** A cold isolate (no document yet): waits for the refresh that will bring one, or answers null. */
  async function cold(context: WaitUntil | undefined): Promise<LoadedDocument | null> {
    if (!queuedForce && !alive(running)) {
      if (now() - lastFailureAt < coldRetryMs) return null;
      start('cold', context); // becomes `running`
    }
    await settle(queuedForce ?? running![0]);
    return memory;
  }

  /** Waits for a refresh, but never longer than it may legitimately take. */
  function settle(promise: Promise<unknown>): Promise<unknown> {
    return withTimeout(promise, abandonAfterMs).catch(() => undefined);
  }

  return {
    current(context) {
      const held = memory;
      if (!held) return cold(context);
      const served = answer;
      try {
        const due = now() - Math.max(held.fetchedAt, lastFailureAt) >= ttlMs;
        if (!alive(running) && !queuedForce) {
          if (due) start('stale', context);
          // Another isolate's webhook refresh (a kill) lands in the shared cache: pick it up within
          // sharedCacheCheckMs, not ttlMs, at the cost of one cache read per interval.
          else if (cache && now() - sharedCheckedAt >= sharedCacheCheckMs) start('shared', context);
        }
      } catch (error) {
        return Promise.reject(error); // a rejection, as from an async function: never a throw
      }
      // Not an async function: a document in memory is answered with the promise made when it was
      // accepted, so a warm request allocates no promise and waits one reaction, not two.
      return served;
    },

    // Only while fresh by its own fetch time (a failed refresh's back-off does not count), and never
    // when current() would start something: then the caller goes through current().
    fresh() {
      // One clock read for both checks (~250 instructions each in workerd).
      const at = now();
      if (memory && at - memory.fetchedAt < ttlMs && !(cache && at - sharedCheckedAt >= sharedCacheCheckMs)) return memory;
    },

    refresh(context) {
      if (queuedForce) return queuedForce;
      const forced = (async () => {
        // Always one await first: what follows runs after queuedForce is set below.
        await (alive(running) && settle(running[1]));
        // Callers until then share this refresh: a burst of webhooks costs one fetch per interval.
        const wait = lastForcedAt + minRefreshIntervalMs - Date.now();
        if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
        // From here on a new forced refresh queues behind this one: the origin may change again.
        queuedForce = null;
        lastForcedAt = Date.now();
        await start('force', context)[1];
        return memory;
      })();
      queuedForce = forced;
      context?.waitUntil(forced);
      return forced;
    },

    subscribe: listeners.subscribe,
    subscribeErrors: errors.subscribe,
  };
}
