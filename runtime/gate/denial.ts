import { FlagstageError } from '../errors/flagstage-error';
import type { GrantRefusal } from '../grants/types';
import type { DecisionReason } from '../policy/decision';
import type { Refused } from './resolve';

/**
 * The stable codes a denied request is answered with. Clients may match on them; they never change
 * meaning and never carry internals (no stage, reason, list or stack).
 */
export const FORBIDDEN = 'flagstage.forbidden';
/** No identity: the app's auth did not establish who is asking. */
export const UNAUTHENTICATED = 'flagstage.unauthenticated';

/** Why a presented grant was refused: the verifier's refusals plus the two the gate checks. */
export type GrantDenial = GrantRefusal | 'wrong-flag' | 'wrong-identity';

/** `flagstage.grant-expired`, `flagstage.grant-bad-signature`, ... */
export type GrantDenialCode = `flagstage.grant-${GrantDenial}`;

/** Every code an adapter may answer a denied request with. */
export type DenialCode = typeof FORBIDDEN | typeof UNAUTHENTICATED | GrantDenialCode;

/** Why a gate denied: the decision's reason, `unauthenticated`, or why the presented grant was refused. */
export type DenialReason = Exclude<DecisionReason, 'admin' | 'allowlist' | 'percentage' | 'ga'> | 'unauthenticated' | GrantDenial;

/**
 * A gate's refusal, the same in every adapter: the HTTP status (401 without an identity, else 403),
 * the stable `code` that goes on the wire, the flag, and the reason (for the server's own use:
 * logs, a redirect target; adapters do not send it to the client).
 */
export interface Denial<K extends string = string> {
  readonly status: 401 | 403;
  readonly code: DenialCode;
  readonly flag: K;
  readonly reason: DenialReason;
}

/**
 * A gate's refusal as a gate result (a frozen denial).
 * @internal For the gate resolution and the grant judgment.
 */
export function refused<K extends string>(flag: K, status: 401 | 403, code: DenialCode, reason: DenialReason): Refused<K> {
  return { allowed: false, flag, denial: Object.freeze({ status, code, flag, reason }) };
}

/**
 * A gate's refusal as an error (code `denied`), for frameworks that refuse by throwing: tRPC's
 * `TRPCError` carries it as its `cause`, with the denial on `denial`.
 *
 * @example
 * ```ts
 * if (error instanceof TRPCError && error.cause instanceof DeniedError) log(error.cause.denial.reason);
 * ```
 */
export class DeniedError<K extends string = string> extends FlagstageError<'denied'> {
  override name = 'DeniedError';
  declare readonly denial: Denial<K>;

  constructor(denial: Denial<K>) {
    super('denied', `${denial.status === 401 ? 'unauthenticated' : 'forbidden'} (${denial.flag})`);
    this.denial = denial;
  }
}
