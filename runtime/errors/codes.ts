/**
 * flagstage/errors: every code a `FlagstageError` can carry, as types and, at run time, as
 * `ERROR_CODES`. On its own entry point so that a gate's edge bundle does not carry the list;
 * `FlagstageError` and `isFlagstageError` are in `flagstage`. Imports nothing.
 */
/**
 * Why a source could not load, refresh or keep a document. A source never throws into a request:
 * it keeps its last good document and reports a `SourceError` with one of these codes.
 */
export type SourceErrorCode =
  /** The origin answered with a non-2xx status. */
  | 'http-status'
  /** The origin did not answer within `timeoutMs`. */
  | 'timeout'
  /** The request never got an answer (DNS, connection refused, reset). */
  | 'network'
  /** The body passed `maxDocumentBytes`; reading stopped there and the document already held was kept. */
  | 'too-large'
  /** The body was not JSON. */
  | 'invalid-json'
  /** The JSON is not a valid environment document; `path` names the bad field. */
  | 'invalid-document'
  /** The document is older than the one already held; it was ignored. */
  | 'older-document'
  /** The document's revision (`updated_at`) is missing or not a timestamp, so it cannot replace the one held. */
  | 'incomparable-revision'
  /** The document changed but its revision did not; the new content was used. */
  | 'unchanged-revision'
  /** A `Link: rel="next"` page sequence was broken (bad URL, loop, foreign origin, too many pages). */
  | 'broken-pages'
  /** Refreshing failed and the document served is older than `maxStaleMs`. */
  | 'max-stale'
  /** Reading or writing the shared cache (Cache API or KV) failed; the origin was used instead. */
  | 'shared-cache'
  /** A local document file could not be read. */
  | 'file'
  /** A manifest flag's `<feature>_kill_switch` is not in the document: the flag counts as killed. */
  | 'missing-kill-switch'
  /** A document listener or a change-event sink threw. */
  | 'listener';

/**
 * Every code a `FlagstageError` can carry: a closed list, so callers can `switch` on it exhaustively.
 * The README's "Error codes" table lists the same codes with when each happens.
 */
export type FlagstageErrorCode =
  | SourceErrorCode
  /** A factory got an option it cannot work with (thrown at construction, names the fix). */
  | 'invalid-option'
  /** The manifest is wrong (codegen's `ManifestError`, a parent cycle at run time). */
  | 'invalid-manifest'
  /** Something that must run first did not (e.g. Hono's `requireFlag` without `flagstage()`). */
  | 'missing-setup'
  /** A flag key that is not in the manifest reached the runtime. */
  | 'unknown-flag'
  /** A decision was asked for an identity without a non-empty `userId`. */
  | 'invalid-identity'
  /** A gate refused a request (`DeniedError`: tRPC's `TRPCError` carries it as `cause`, with `denial`). */
  | 'denied'
  /** A source broke its promise never to throw; the decision failed closed to admin-only. */
  | 'source-failed'
  /** A grant could not be issued or checked because of the app's configuration (weak secret, bad options). */
  | 'grant-config'
  /** The CLI was called wrongly (exit code 1). */
  | 'usage'
  /** A CLI backend (local file, Flagsmith) failed (exit code 2). */
  | 'backend'
  | ControlErrorCode;

/**
 * Why the control plane (`flagstage/control`) refused a request: each code maps to one HTTP status
 * (`ControlError.status`) and is the `error` field of the JSON error body.
 */
export type ControlErrorCode =
  /** 400: bad input (unknown flag or stage, a bad ID, no reason, malformed or oversized JSON); nothing changed. */
  | 'bad-request'
  /** 401: no credentials, or a forged/expired token or Access assertion. */
  | 'unauthenticated'
  /** 403: the role does not allow the request (a viewer changing state). */
  | 'forbidden'
  /** 404: no such environment, route or revision. */
  | 'not-found'
  /** 412: `If-Match` named a revision that is no longer current; the body carries the current one. */
  | 'conflict'
  /** 500: the control plane failed; the body says so without internals. */
  | 'internal';

/**
 * Every `FlagstageErrorCode` but the control plane's, in the README's order (a test keeps the two in
 * step). The control plane's codes are `CONTROL_ERROR_CODES` in `flagstage/control`; together the
 * two lists hold the whole union.
 *
 * @example
 * ```ts
 * import { ERROR_CODES } from 'flagstage/errors';
 * const counts = Object.fromEntries(ERROR_CODES.map((code) => [code, 0]));
 * ```
 */
export const ERROR_CODES = [
  'invalid-option',
  'invalid-manifest',
  'missing-setup',
  'unknown-flag',
  'invalid-identity',
  'denied',
  'source-failed',
  'grant-config',
  'http-status',
  'timeout',
  'network',
  'too-large',
  'invalid-json',
  'invalid-document',
  'older-document',
  'incomparable-revision',
  'unchanged-revision',
  'broken-pages',
  'max-stale',
  'shared-cache',
  'file',
  'missing-kill-switch',
  'listener',
  'usage',
  'backend',
] as const satisfies readonly FlagstageErrorCode[];
