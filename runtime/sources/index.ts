/**
 * Where environment documents come from, for the edge entry `flagstage`. `fileSource` is Node-only
 * and lives in `./file` (exported from its own subpath), so nothing here imports a Node built-in.
 * The KV layer (`./kv-cache`, flagstage/kv) is its own subpath too: most gates do not need it.
 */
export type { DocumentSource, DocumentListener, LoadedDocument, WaitUntil } from './source';
export { SourceError, warnSourceError, type SourceErrorCode, type SourceErrorHandler } from './errors';
export { flagsmithSource, type FlagsmithSource, type FlagsmithSourceOptions } from './flagsmith';
export { FLAGSMITH_SOURCE_DEFAULTS } from './options';
export type { FetchLike } from './origin';
export type { SharedCache, CachedDocument } from './shared-cache';
export { cachesApiCache, type CacheLike, type CachesApiCacheOptions } from './cache-api';
