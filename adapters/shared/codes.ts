import type { GrantRefusal } from '../../runtime/grants/types';

/**
 * The stable error codes the adapters answer with. Clients may match on them; they never change
 * meaning and never carry internals (no stage, reason, list or stack).
 */
export const FORBIDDEN = 'flagstage.forbidden';
/** No identity: the app's auth did not establish who is asking. */
export const UNAUTHENTICATED = 'flagstage.unauthenticated';

/** Why a presented grant was refused: the verifier's refusals plus the two the gate checks. */
export type GrantDenial = GrantRefusal | 'wrong-flag' | 'wrong-identity';

/** `flagstage.grant-expired`, `flagstage.grant-bad-signature`, ... */
export type GrantDenialCode = `flagstage.grant-${GrantDenial}`;

/** The stable code for a refused grant. */
export function grantDenialCode(refusal: GrantDenial): GrantDenialCode {
  return `flagstage.grant-${refusal}`;
}

/** Every code an adapter may answer a denied request with. */
export type DenialCode = typeof FORBIDDEN | typeof UNAUTHENTICATED | GrantDenialCode;
