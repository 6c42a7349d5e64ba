import { FlagstageError } from '../errors/flagstage-error';
import type { SourceErrorCode } from '../errors/codes';
import { warnError, type ErrorHandler } from '../errors/report';

export type { SourceErrorCode } from '../errors/codes';

/**
 * Why a source could not load, refresh or keep a document: what its `onError` (and
 * `createFlagstage({ onError })`) receives. The message starts with `flagstage:` and never
 * contains secrets.
 */
export class SourceError extends FlagstageError<SourceErrorCode> {
  override name = 'SourceError';
  // Declared, not defined: the constructor assigns both (see FlagstageError).
  /** The JSON path of the bad field, for `invalid-document`. */
  declare readonly path: string | undefined;
  /** The HTTP status, for `http-status`. */
  declare readonly status: number | undefined;

  constructor(code: SourceErrorCode, problem: string, options: { path?: string; status?: number; cause?: unknown } = {}) {
    super(code, problem, options); // the cause, if given
    this.path = options.path;
    this.status = options.status;
  }
}

/** Receives every failure of a source; default: one JSON line on `console.warn` (`warnSourceError`). */
export type SourceErrorHandler = ErrorHandler<SourceError>;

/**
 * The default `onError` of a source: one structured line, so log pipelines can alert on `code`.
 *
 * @example
 * flagsmithSource({ ...options, onError: (error) => { warnSourceError(error); metrics.count(error.code); } });
 */
export const warnSourceError: SourceErrorHandler = warnError;
