/**
 * Why a source could not load, refresh or keep a document. A source never throws into a request:
 * it keeps its last good document and reports one of these through `onError`.
 */
export type SourceErrorCode =
  /** The origin answered with a non-2xx status. */
  | 'http-status'
  /** The origin did not answer within `timeoutMs`. */
  | 'timeout'
  /** The request never got an answer (DNS, connection refused, reset). */
  | 'network'
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
  /** A change-event sink or a subscriber threw. */
  | 'listener';

/** What `onError` receives. The message starts with `flagstage:` and never contains secrets. */
export class SourceError extends Error {
  override readonly name = 'SourceError';
  readonly code: SourceErrorCode;
  /** The JSON path of the bad field, for `invalid-document`. */
  readonly path: string | undefined;
  /** The HTTP status, for `http-status`. */
  readonly status: number | undefined;

  constructor(
    code: SourceErrorCode,
    message: string,
    options: { path?: string; status?: number; cause?: unknown } = {},
  ) {
    super(message.startsWith('flagstage:') ? message : `flagstage: ${message}`, { cause: options.cause });
    this.code = code;
    this.path = options.path;
    this.status = options.status;
  }
}

/** Receives every failure of a source; defaults to a `console.warn` of one JSON line. */
export type SourceErrorHandler = (error: SourceError) => void;

/**
 * The default `onError`: one structured line, so log pipelines can alert on `code`.
 *
 * @example
 * flagsmithSource({ ...options, onError: (error) => { warnSourceError(error); metrics.count(error.code); } });
 */
export function warnSourceError(error: SourceError): void {
  console.warn(
    JSON.stringify({
      type: 'flagstage.source-error',
      code: error.code,
      message: error.message,
      ...(error.path !== undefined ? { path: error.path } : {}),
      ...(error.status !== undefined ? { status: error.status } : {}),
    }),
  );
}

/** Calls `onError` without letting a throwing handler escape into a request. */
export function report(onError: SourceErrorHandler, error: SourceError): void {
  try {
    onError(error);
  } catch {
    // A broken error handler must not take the request down with it.
  }
}
