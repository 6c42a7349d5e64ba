import { judgeGrant } from '../gate/grant';
import type { Identity } from '../identity';
import { GrantError } from './errors';
import { secretBytes } from './secret';
import type { GrantVerifier, GrantVerifierOptions } from './types';
import { verifyGrant } from './verify';

/**
 * The grant check an adapter runs on continuing routes (`grants: { verify }` of `flagstage/hono`,
 * `flagstage/trpc`, `flagstage/next`): `verifyGrant` with these secrets. Fixed secrets are checked
 * here, at construction (a weak one throws `GrantError`); secrets read from the request (a Worker's
 * `env`) are checked on each call.
 *
 * @example
 * ```ts
 * import { grantVerifier } from 'flagstage/grants';
 *
 * app.use(flagstage<AppEnv>(flags, {
 *   identity: (c) => c.var.user,
 *   grants: { verify: grantVerifier({ secrets: (c) => ({ [c.env.GRANT_KID]: c.env.GRANT_SECRET }) }) },
 * }));
 * ```
 */
export function grantVerifier<C = never>(options: GrantVerifierOptions<C>): GrantVerifier<C> {
  const secrets = options?.secrets;
  if (typeof secrets !== 'function') {
    if (secrets === null || typeof secrets !== 'object') {
      throw new GrantError('grantVerifier({ secrets }) needs secrets by key id, or a function of the request returning them');
    }
    const kids = Object.keys(secrets);
    if (kids.length === 0) throw new GrantError('grantVerifier({ secrets }) needs at least one secret');
    for (const kid of kids) secretBytes(secrets[kid]!, kid);
  }
  const { now, clockToleranceSeconds } = options;
  const verify = (token: string, context: C) => verifyGrant(token, { secrets: typeof secrets === 'function' ? secrets(context) : secrets, now, clockToleranceSeconds });
  // The judgment of a presented grant travels with the verifier: a gate without continuing routes never bundles it.
  return Object.assign(verify, { judge: (token: string, context: C, flag: string, identity: Identity | null) => judgeGrant(flag, identity, verify(token, context)) }) as GrantVerifier<C>;
}
