import { FlagstageError } from '../runtime/errors/flagstage-error';
import type { ControlErrorCode } from '../runtime/errors/codes';

export type { ControlErrorCode };

/**
 * Every `ControlErrorCode`, in the README's order: with the runtime's `ERROR_CODES`, the whole
 * closed `FlagstageErrorCode` list (kept here so that the gates' bundle does not carry them).
 */
export const CONTROL_ERROR_CODES = ['bad-request', 'unauthenticated', 'forbidden', 'not-found', 'conflict', 'internal'] as const satisfies readonly ControlErrorCode[];

const STATUS: Record<ControlErrorCode, 400 | 401 | 403 | 404 | 412 | 500> = {
  'bad-request': 400,
  unauthenticated: 401,
  forbidden: 403,
  'not-found': 404,
  conflict: 412,
  internal: 500,
};

/** The JSON body of every error answer. */
export interface ControlErrorBody {
  readonly error: ControlErrorCode;
  readonly message: string;
  readonly field?: string;
  readonly fix?: string;
  /** With `conflict`: the current revision, to retry against. */
  readonly revision?: number;
}

/**
 * The control plane's error: a `FlagstageError` whose `code` (one of `ControlErrorCode`, part of
 * the one closed `FlagstageErrorCode` list) the API maps to an HTTP status, with the `field` at
 * fault and the fix, so a client (the CLI, the admin page, a script) can say what to do. Nothing
 * internal (no stack, no SQL) ever reaches a response: the body carries `problem`, never `stack`.
 *
 * @example
 * ```ts
 * throw new ControlError('bad-request', 'percent 140 is outside 0-100', { field: 'value', fix: 'send a number from 0 to 100' });
 * ```
 */
export class ControlError extends FlagstageError<ControlErrorCode> {
  override name = 'ControlError';
  readonly field: string | undefined;
  readonly fix: string | undefined;
  readonly revision: number | undefined;

  constructor(code: ControlErrorCode, message: string, details: { readonly field?: string; readonly fix?: string; readonly revision?: number } = {}) {
    super(code, message);
    this.field = details.field;
    this.fix = details.fix;
    this.revision = details.revision;
  }

  get status(): 400 | 401 | 403 | 404 | 412 | 500 {
    return STATUS[this.code];
  }

  toJSON(): ControlErrorBody {
    return {
      error: this.code,
      message: this.problem,
      ...(this.field === undefined ? {} : { field: this.field }),
      ...(this.fix === undefined ? {} : { fix: this.fix }),
      ...(this.revision === undefined ? {} : { revision: this.revision }),
    };
  }
}

/**
 * A JSON error response.
 *
 * @example
 * ```ts
 * return errorResponse(new ControlError('forbidden', 'a viewer cannot change flags'));
 * ```
 */
export function errorResponse(error: ControlError, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(error.toJSON()), { status: error.status, headers: { 'Content-Type': 'application/json', 'Cache-Control': 'no-store', ...headers } });
}
