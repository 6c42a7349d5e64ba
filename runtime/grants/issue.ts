import { CompactSign } from 'jose/jws/compact/sign';
import type { Identity } from '../identity';
import { GrantError } from './errors';
import { secretBytes } from './secret';
import { GRANT_PURPOSE, GRANT_TYP, type IssueGrantOptions } from './types';

/**
 * Signs a short-lived grant naming the flags that were allowed for an identity when work started.
 * Issue it only for flags the live decision allowed: the grant is what lets in-flight work continue
 * after a kill-switch, so routes that start new work must still decide live.
 *
 * @example
 * ```ts
 * const d = await flags.decide('gastown', identity);
 * if (d.allowed) {
 *   const token = await issueGrant(identity, ['gastown'], {
 *     secret: env.GRANT_SECRET, kid: '2025-07', ttlSeconds: 3600, revision: d.revision,
 *   });
 * }
 * ```
 */
export async function issueGrant<const K extends string>(
  identity: Identity,
  flagKeys: readonly K[],
  options: IssueGrantOptions,
): Promise<string> {
  const { ttlSeconds, kid } = options;
  if (typeof kid !== 'string' || kid.length === 0) throw new GrantError('issueGrant needs a non-empty kid');
  if (!Number.isInteger(ttlSeconds) || ttlSeconds <= 0) {
    throw new GrantError(`issueGrant ttlSeconds must be a positive integer, got ${String(ttlSeconds)}`);
  }
  if (typeof identity.userId !== 'string' || identity.userId.length === 0) {
    throw new GrantError('issueGrant needs an identity with a userId');
  }
  for (const flag of flagKeys) {
    if (typeof flag !== 'string' || flag.length === 0) throw new GrantError('issueGrant flag keys must be non-empty strings');
  }
  const key = secretBytes(options.secret, kid);
  const iat = Math.floor((options.now ?? Date.now)() / 1000);
  // CompactSign over the claims we build ourselves: SignJWT would pull jose's JWT claim helpers into
  // every Worker bundle for nothing (verifyGrant checks the claims itself).
  const claims = {
    purpose: GRANT_PURPOSE,
    sub: identity.userId,
    org: identity.orgId ?? null,
    flags: [...new Set(flagKeys)],
    revision: options.revision ?? null,
    iat,
    exp: iat + ttlSeconds,
  };
  return new CompactSign(new TextEncoder().encode(JSON.stringify(claims))).setProtectedHeader({ alg: 'HS256', typ: GRANT_TYP, kid }).sign(key);
}
