import type { GrantError } from '../../runtime/grants/types';

/**
 * The stable error codes the adapters answer with. Clients may match on them; they never change
 * meaning and never carry internals (no stage, reason, list or stack).
 */
export const FORBIDDEN = 'flagstage.forbidden';
/** No identity: the app's auth did not establish who is asking. */
export const UNAUTHENTICATED = 'flagstage.unauthenticated';

/** Why a presented grant was refused: the verifier's codes plus the two the adapters check. */
export type GrantRefusal = GrantError | 'wrong-flag' | 'wrong-identity';

/** `flagstage.grant-expired`, `flagstage.grant-bad-signature`, ... */
export type GrantErrorCode = `flagstage.grant-${GrantRefusal}`;

/** The stable code for a refused grant. */
export function grantErrorCode(refusal: GrantRefusal): GrantErrorCode {
  return `flagstage.grant-${refusal}`;
}

/** Every code an adapter may answer a denied request with. */
export type FlagstageErrorCode = typeof FORBIDDEN | typeof UNAUTHENTICATED | GrantErrorCode;
