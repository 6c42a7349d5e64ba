import type { Context, MiddlewareHandler } from 'hono';
import { FlagstageError, resolveGate } from 'flagstage';
import type { Denial } from '../../runtime/gate/denial';
import { liveGate } from '../../runtime/gate/resolve';
import type { Decision } from '../../runtime/policy/decision';
import type { Gate } from '../../runtime/manifest/index';
import type { FlagKey } from '../../runtime/manifest/index';
import { assertGate } from '../shared/gate';
import { getState, type RequestState } from './state';
import type { DeniedHandler, FlagstageVariables } from './types';

export interface RequireFlagOptions {
  /**
   * For routes serving work already in flight (agent callbacks, an active container): a valid grant
   * naming the flag lets the request through instead of a live decision, so a kill-switch does not
   * cut work that started before it. A presented grant is judged on its own (expired, forged or for
   * another flag or user: 403 with `flagstage.grant-<why>`); without one, the live decision applies.
   * Needs `flagstage(flags, { grants })`. Routes that start new work must not use it.
   */
  readonly continuing?: boolean;
  /** Answers a denied request on this route; default: `flagstage(flags, { onDenied })`, else JSON. */
  readonly onDenied?: DeniedHandler;
  /**
   * Reports the route's outcome for a guard when the instance has a reporter
   * (`createFlagstage({ outcomes: outcomeReporter(…) })`): a 5xx response is an `error`, anything
   * else a `success` (`flags.track`; nothing for admins; never for a grant). Default true; false
   * leaves this route out.
   */
  readonly track?: boolean;
}

/** The JSON body of a refused request (the default answer). */
export interface DeniedBody {
  readonly error: Denial['code'];
  readonly flag: string;
}

/**
 * Lets a request through only when the gate's flag is allowed for the request's identity (the
 * runtime's `resolveGate`); sets `c.var.flagDecision` (or `c.var.flagGrant` in continuing mode).
 * Otherwise it answers through `onDenied`, by default with a stable JSON body and nothing else:
 * 401 `{ error: 'flagstage.unauthenticated', flag }` when there is no identity, 403
 * `{ error: 'flagstage.forbidden', flag }` when the flag is not allowed.
 *
 * @example
 * ```ts
 * import { requireGastown, withFeature } from './flags.gen';
 *
 * app.post('/api/towns', requireFlag(requireGastown), createTown);
 * app.post('/api/convoys', requireFlag(withFeature('convoys')), (c) => c.json({ reason: c.var.flagDecision.reason }));
 * // agent callbacks keep working after a kill-switch while their grant is valid:
 * app.post('/api/agents/:id/callback', requireFlag(requireGastown, { continuing: true }), agentCallback);
 * // a page instead of JSON:
 * app.get('/gastown', requireFlag(requireGastown, { onDenied: (denial, request) => Response.redirect(new URL(denial.status === 401 ? '/login' : '/', request.url).href, 302) }), page);
 * // with createFlagstage({ outcomes: outcomeReporter(…) }), 5xx answers count as errors for the guard; opt a route out:
 * app.get('/api/towns/export', requireFlag(requireGastown, { track: false }), exportTowns);
 * ```
 */
export function requireFlag<K extends FlagKey>(gate: Gate<K>, options: RequireFlagOptions = {}): MiddlewareHandler<{ Variables: FlagstageVariables }> {
  assertGate(gate, 'requireFlag');
  const flag: K = gate.flag;
  const caller = `requireFlag(${JSON.stringify(flag)})`;
  const track = options.track !== false;
  const continuing = options.continuing === true;
  // Captures nothing per request (the grant path is its own function), so a live gate allocates no
  // context per call. With that closure inline, workerd was seen running this function in the
  // interpreter for thousands of requests after a start (~4.5k instructions a request).
  return async function requireFlag(c, next) {
    const state = getState(c, caller);
    const { identity } = state;
    // Without a grant to judge, the live decision is all there is: on a fresh document in memory it
    // is at hand (nothing awaited before next()); otherwise wait for it, and only for it.
    const decided = continuing || identity === null ? null : state.decideFor(flag, identity);
    const result = continuing ? await grantGate(c, state, flag) : liveGate(flag, (decided instanceof Promise ? await decided : decided) as Decision<K> | null);
    if (!result.allowed) return (options.onDenied ?? state.setup.onDenied ?? deniedJson)(result.denial, c.req.raw);
    if (result.grant !== null) c.set('flagGrant', result.grant);
    else c.set('flagDecision', result.decision);
    await next();
    // Work let in by a live decision: its outcome (Hono has turned a thrown error into c.res by now).
    if (result.grant === null && track) state.track(flag, c.res.status >= 500 ? 'error' : 'success');
  };
}

/** The default answer to a denied request: the stable code and the flag, nothing internal. */
function deniedJson(denial: Denial<FlagKey>): Response {
  const body: DeniedBody = { error: denial.code, flag: denial.flag };
  return Response.json(body, { status: denial.status });
}

/** A continuing route: a presented grant is judged on its own, else the live decision (resolveGate). */
async function grantGate<K extends FlagKey>(c: Context, state: RequestState, flag: K) {
  const { grants } = state.setup;
  if (grants === undefined) {
    throw new FlagstageError('missing-setup', "requireFlag(gate, { continuing: true }) needs flagstage(flags, { identity, grants: { verify: grantVerifier({ secrets }) } }) (grantVerifier from 'flagstage/grants')");
  }
  const token = grants.token ? await grants.token(c) : c.req.header('x-flagstage-grant');
  const grant = { token, verify: (presented: string) => grants.verify(presented, c) };
  return resolveGate({ decide: (key: FlagKey, who) => state.decideFor(key, who) }, flag, { identity: state.identity, waitUntil: state.waitUntil, grant });
}
