import type { Context, MiddlewareHandler, Next } from 'hono';
import { FlagstageError } from 'flagstage';
import type { Denial } from '../../runtime/gate/denial';
import { liveGate, type Refused } from '../../runtime/gate/resolve';
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
  const continuing = options.continuing === true;
  // A plain function, not async, capturing nothing per request: on a fresh document in memory the
  // decision is at hand, so the gate runs to next() without a promise of its own (an async function
  // here was seen running in V8's baseline tier for thousands of requests, ~2.5k instructions each).
  return function requireFlag(c, next) {
    const state = getState(c, caller);
    if (continuing) return withGrant(c, next, state, flag, options);
    // The live decision: waited for only when it is not at hand.
    const decision = state.decideFor(flag);
    return decision instanceof Promise ? decision.then((settled) => admit(c, next, state, flag, settled, options)) : admit(c, next, state, flag, decision, options);
  } as MiddlewareHandler;
}

/**
 * Lets a request the live decision allows through, with the decision on c.var; answers any other (null: no identity).
 * Kept under 100 bytes of bytecode (99), the most workerd's Maglev inlines into a caller, so the
 * tracking is a function of its own: called, admit cost ~210 instructions a gated request, inlined
 * the gate's handler grew ~110 (profile).
 */
function admit(c: Context, next: Next, state: RequestState, flag: FlagKey, decision: Decision<string> | null, options: RequireFlagOptions): Response | Promise<Response | void> {
  if (!decision?.allowed) return refuse(c, state, liveGate(flag, decision) as Refused<FlagKey>, options);
  c.set('flagDecision', decision);
  // With nothing to report to, nothing waits.
  return state.setup.tracks ? track(c, next, state, flag, options) : next();
}

function refuse(c: Context, state: RequestState, refused: Refused<FlagKey>, options: RequireFlagOptions): Response | Promise<Response> {
  return (options.onDenied ?? state.setup.onDenied ?? deniedJson)(refused.denial, c.req.raw);
}

/**
 * Tracking waits for the route's answer (Hono has turned a thrown error into c.res by then), unless
 * the route opted out. An allowed decision means an identity: `flags.track` reports the outcome of its work.
 */
function track(c: Context, next: Next, state: RequestState, flag: FlagKey, options: RequireFlagOptions): Promise<Response | void> {
  return options.track === false ? next() : next().then(() => state.setup.flags.track(state.identity!, flag, c.res.status >= 500 ? 'error' : 'success', state.waitUntil));
}

/** The default answer to a denied request: the stable code and the flag, nothing internal. */
function deniedJson(denial: Denial<FlagKey>): Response {
  return Response.json({ error: denial.code, flag: denial.flag } satisfies DeniedBody, { status: denial.status });
}

/**
 * A continuing route: a presented grant is judged on its own, by the judgment the app's
 * `grantVerifier` carries (so a gate without continuing routes does not bundle it); without one,
 * the live decision. A grant lets the request through with c.var.flagGrant, and is never tracked.
 */
async function withGrant(c: Context, next: Next, state: RequestState, flag: FlagKey, options: RequireFlagOptions): Promise<Response | void> {
  const { grants } = state.setup;
  const judge = grants?.verify.judge;
  if (judge === undefined) {
    throw new FlagstageError('missing-setup', "requireFlag(gate, { continuing: true }) needs flagstage(flags, { identity, grants: { verify: grantVerifier({ secrets }) } }) (grantVerifier from 'flagstage/grants')");
  }
  const token = grants!.token ? await grants!.token(c) : c.req.header('x-flagstage-grant');
  if (!token) return admit(c, next, state, flag, await state.decideFor(flag), options);
  const result = await judge<FlagKey>(token, c, flag, state.identity);
  if (!result.allowed) return refuse(c, state, result, options);
  c.set('flagGrant', result.grant!);
  return next();
}
