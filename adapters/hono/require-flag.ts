import type { Context, MiddlewareHandler } from 'hono';
import { FlagstageError, verifyGrant } from 'flagstage';
import type { Gate } from '../../runtime/manifest/index';
import type { FlagKey } from '../../runtime/manifest/index';
import { FORBIDDEN, grantDenialCode, UNAUTHENTICATED, type DenialCode, type GrantDenial } from '../shared/codes';
import { assertGate } from '../shared/gate';
import type { GrantOptions } from './flagstage';
import { decide, getState, type RequestState } from './state';

export interface RequireFlagOptions {
  /**
   * For routes serving work already in flight (agent callbacks, an active container): a valid grant
   * naming the flag lets the request through instead of a live decision, so a kill-switch does not
   * cut work that started before it. A presented grant is judged on its own (expired, forged or for
   * another flag or user: 403 with `flagstage.grant-<why>`); without one, the live decision applies.
   * Needs `flagstage(flags, { grants })`. Routes that start new work must not use it.
   */
  readonly continuing?: boolean;
}

/** The JSON body of a refused request. */
export interface DeniedBody {
  readonly error: DenialCode;
  readonly flag: string;
}

/**
 * Lets a request through only when the gate's flag is allowed for the request's identity; sets
 * `c.var.flagDecision` (or `c.var.flagGrant` in continuing mode). Otherwise it answers, with a
 * stable JSON body and nothing else: 401 `{ error: 'flagstage.unauthenticated', flag }` when there
 * is no identity, 403 `{ error: 'flagstage.forbidden', flag }` when the flag is not allowed.
 *
 * @example
 * ```ts
 * import { requireGastown, withFeature } from './flags.gen';
 *
 * app.post('/api/towns', requireFlag(requireGastown), createTown);
 * app.post('/api/convoys', requireFlag(withFeature('convoys')), (c) => c.json({ reason: c.var.flagDecision.reason }));
 * // agent callbacks keep working after a kill-switch while their grant is valid:
 * app.post('/api/agents/:id/callback', requireFlag(requireGastown, { continuing: true }), agentCallback);
 * ```
 */
export function requireFlag<K extends FlagKey>(gate: Gate<K>, options: RequireFlagOptions = {}): MiddlewareHandler {
  assertGate(gate, 'requireFlag');
  const flag: string = gate.flag;
  const continuing = options.continuing === true;
  return async function requireFlag(c, next) {
    const state = getState(c, `requireFlag(${JSON.stringify(flag)})`);
    if (continuing) {
      const token = await grantToken(c, state);
      if (token !== null) {
        const refusal = await checkGrant(c, state, token, flag);
        if (refusal !== null) return deny(c, 403, grantDenialCode(refusal), flag);
        return next();
      }
    }
    const decision = await decide(state, flag);
    if (decision === null) return deny(c, 401, UNAUTHENTICATED, flag);
    if (!decision.allowed) return deny(c, 403, FORBIDDEN, flag);
    c.set('flagDecision', decision as never);
    return next();
  };
}

function deny(c: Context, status: 401 | 403, error: DenialCode, flag: string): Response {
  const body: DeniedBody = { error, flag };
  return c.json(body, status);
}

function grantsOf(state: RequestState): GrantOptions {
  if (state.grants === undefined) {
    throw new FlagstageError('missing-setup', 'requireFlag(gate, { continuing: true }) needs flagstage(flags, { identity, grants: { secrets } })');
  }
  return state.grants;
}

async function grantToken(c: Context, state: RequestState): Promise<string | null> {
  const grants = grantsOf(state);
  const token = grants.token ? await grants.token(c) : c.req.header('x-flagstage-grant');
  return typeof token === 'string' && token.length > 0 ? token : null;
}

async function checkGrant(c: Context, state: RequestState, token: string, flag: string): Promise<GrantDenial | null> {
  const grants = grantsOf(state);
  const secrets = typeof grants.secrets === 'function' ? grants.secrets(c) : grants.secrets;
  const result = await verifyGrant<FlagKey>(token, { secrets });
  if (!result.ok) return result.error;
  if (!result.grant.flags.includes(flag as FlagKey)) return 'wrong-flag';
  if (state.identity !== null && state.identity.userId !== result.grant.sub) return 'wrong-identity';
  c.set('flagGrant', result.grant);
  return null;
}
