import type { Identity } from '../identity';
import type { Grant, GrantVerification } from '../grants/types';
import { refused, type GrantDenial } from './denial';
import type { GateResult } from './resolve';

/**
 * Judges a grant presented on a continuing route, on its own: refused (403
 * `flagstage.grant-<why>`) when the verifier refuses it, when it does not name the flag, or when it
 * was issued to another user than the request's identity; otherwise it lets the request through.
 * Reached from `resolveGate` and from what `grantVerifier` (flagstage/grants) hands an adapter, not
 * from a gate without continuing routes, which does not bundle it.
 * @internal For the gate resolution and flagstage/grants.
 */
export async function judgeGrant<K extends string>(flag: K, identity: Identity | null, verification: Promise<GrantVerification>): Promise<GateResult<K>> {
  const verified = await verification;
  if (!verified.ok) return grantRefused(flag, verified.error);
  const grant = verified.grant as Grant<K>;
  if (!grant.flags.includes(flag)) return grantRefused(flag, 'wrong-flag');
  if (identity !== null && identity.userId !== grant.sub) return grantRefused(flag, 'wrong-identity');
  return { allowed: true, flag, decision: null, grant };
}

/** 403 with the refusal's stable code, `flagstage.grant-<why>`. */
function grantRefused<K extends string>(flag: K, refusal: GrantDenial): GateResult<K> {
  return refused(flag, 403, `flagstage.grant-${refusal}`, refusal);
}
