/** Errors: one base class with a closed `code`, the one `flagstage:` prefix, and how reported errors travel. */
export { FlagstageError, isFlagstageError, prefixed, problemOf, unknownFlag } from './flagstage-error';
export { ERROR_CODES, type FlagstageErrorCode, type SourceErrorCode } from './codes';
export { errorReporter, report, warnError, type ErrorHandler, type ErrorReporter } from './report';
