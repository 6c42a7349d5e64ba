import type { FlagstageErrorCode } from './codes';

/** The one place the `flagstage:` prefix of every message comes from. */
const PREFIX = 'flagstage: ';

/**
 * A message as flagstage prints it: `flagstage: <problem>`. For text that is not an error (the
 * CLI's lines on stderr), so that it reads like the errors do.
 *
 * @example
 * ```ts
 * io.stderr(`${prefixed('unknown command "stauts"')}\n`);
 * ```
 */
export function prefixed(problem: string): string {
  return problem.startsWith(PREFIX) ? problem : `${PREFIX}${problem}`;
}

/**
 * The base of every error flagstage throws or reports. `code` is one of a closed list
 * (`FlagstageErrorCode`), `message` starts with `flagstage:`, `problem` is the message without it,
 * and `cause` keeps what went wrong underneath (a network error, a parse error). Subclasses
 * (`SourceError`, `EngineDocumentError`, `ManifestError`, `GrantError`, the CLI's `UsageError`
 * and `BackendError`) narrow the code and add fields; `instanceof FlagstageError` catches them all.
 *
 * @example
 * ```ts
 * try {
 *   await flags.decide(key as FlagKey, identity);
 * } catch (error) {
 *   if (error instanceof FlagstageError && error.code === 'unknown-flag') return c.json({ error: error.code }, 400);
 *   throw error;
 * }
 * ```
 */
export class FlagstageError<C extends FlagstageErrorCode = FlagstageErrorCode> extends Error {
  override name = 'FlagstageError';
  // Declared, not defined: the constructor assigns both (in this order), so the bundle needs no
  // class field definitions for them.
  declare readonly code: C;
  /** The message without its `flagstage:` prefix, to embed in another message. */
  declare readonly problem: string;

  constructor(code: C, problem: string, options: { readonly cause?: unknown } = {}) {
    const text = unprefixed(problem);
    // Error installs `cause` when `options` has one ('cause' in options), and reads nothing else of it.
    super(`${PREFIX}${text}`, options);
    this.code = code;
    this.problem = text;
  }
}

/** A text cut to its first `max` characters (and `…`) when longer, to quote in a message. */
export function clipped(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

function unprefixed(text: string): string {
  return text.startsWith(PREFIX) ? text.slice(PREFIX.length) : text;
}

/**
 * The problem an unknown thrown value describes, without a `flagstage:` prefix, to embed in a
 * message of its own: `refreshing failed (${problemOf(error)})`.
 */
// A FlagstageError's problem is its message unprefixed, so it needs no case of its own.
export function problemOf(error: unknown): string {
  return error instanceof Error ? unprefixed(error.message) : String(error);
}

/** Whether a value is a `FlagstageError` with one of the given codes (any code when none are given). */
export function isFlagstageError<C extends FlagstageErrorCode>(error: unknown, ...codes: readonly C[]): error is FlagstageError<C> {
  return error instanceof FlagstageError && (!codes.length || (codes as readonly FlagstageErrorCode[]).includes(error.code));
}

/**
 * The error for a flag key the manifest does not have (code `unknown-flag`): a typo cast past the
 * types, or a manifest and a `flags.gen.ts` out of step.
 */
export function unknownFlag(flag: unknown): FlagstageError<'unknown-flag'> {
  return new FlagstageError('unknown-flag', `unknown flag "${String(flag)}"; it is not in the manifest`);
}
