/**
 * The middle layer between isolate memory and the origin: a store every isolate of a colo (Cache
 * API) or of the whole account (KV) can read, so a cold isolate serves its first request without
 * the origin. It holds the raw JSON, not the compiled document, and when it was fetched.
 */
export interface SharedCache {
  /**
   * The entry stored under `id`, or null. With `newerThan`, an implementation may also answer null
   * for an entry fetched at or before it, without reading its body (the source checks often).
   * May reject; the source reports and falls through.
   */
  get(id: string, newerThan?: number): Promise<CachedDocument | null>;
  /** Stores (replaces) the entry under `id`. May reject; the source reports and carries on. */
  put(id: string, entry: CachedDocument): Promise<void>;
}

/** What the shared cache holds for one environment. */
export interface CachedDocument {
  /** The merged environment document as JSON text, exactly as the origin served it. */
  readonly body: string;
  /** When the origin served it (ms since epoch, on the source's clock). */
  readonly fetchedAt: number;
}

/** How long a shared entry may live by default: long, since a stale document beats none at all. */
export const DEFAULT_SHARED_TTL_SECONDS = 7 * 24 * 60 * 60;
