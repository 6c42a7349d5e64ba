import { FlagstageError } from './flagstage-error';

/** Receives errors that are reported rather than thrown (a failed refresh, a throwing listener). */
export type ErrorHandler<E extends FlagstageError = FlagstageError> = (error: E) => void;

/**
 * The default handler: one JSON line on `console.warn`, so log pipelines can alert on `code`.
 * No stack, no cause: only the code, the message and the error's own safe fields.
 *
 * @example
 * ```ts
 * createFlagstage({ manifest, source, onError: (error) => { warnError(error); metrics.count(error.code); } });
 * ```
 */
export function warnError(error: FlagstageError): void {
  const { path, status } = error as { path?: unknown; status?: unknown };
  // JSON leaves out the undefined fields.
  console.warn(
    JSON.stringify({
      type: 'flagstage.error',
      code: error.code,
      message: error.message,
      path: typeof path === 'string' ? path : undefined,
      status: typeof status === 'number' ? status : undefined,
    }),
  );
}

/** Calls a handler without letting a throwing handler escape into a request. */
export function report<E extends FlagstageError>(handler: ErrorHandler<E>, error: E): void {
  try {
    handler(error);
  } catch {
    // A broken error handler must not take the request down with it.
  }
}

/** Where one component's reported errors go: its own `onError`, and whoever subscribed. */
export interface ErrorReporter<E extends FlagstageError = FlagstageError> {
  /** Hands an error to the own handler and every subscriber; to `warnError` when there is none. */
  report(error: E): void;
  /** Adds a handler (e.g. `createFlagstage({ onError })`); returns the unsubscribe. */
  subscribe(handler: ErrorHandler<E>): () => void;
}

/**
 * The reported errors of one component (a source): they go to its own `onError` when given, and to
 * every subscriber; only when nobody listens do they fall back to one console line, so an error is
 * never logged twice nor dropped.
 *
 * @example
 * ```ts
 * const errors = errorReporter(options.onError);
 * errors.report(new SourceError('timeout', 'the origin took longer than 2000 ms'));
 * ```
 */
export function errorReporter<E extends FlagstageError>(own?: ErrorHandler<E>): ErrorReporter<E> {
  // The own handler first, then the subscribers in order: a Set keeps insertion order.
  const handlers = new Set<ErrorHandler<E>>(own === undefined ? [] : [own]);
  return {
    report(error) {
      for (const handler of handlers.size ? handlers : [warnError]) report(handler, error);
    },
    subscribe(handler) {
      // Wrapped, so subscribing the same function twice still gives two independent unsubscribes.
      const entry: ErrorHandler<E> = (error) => handler(error);
      handlers.add(entry);
      return () => {
        handlers.delete(entry);
      };
    },
  };
}
