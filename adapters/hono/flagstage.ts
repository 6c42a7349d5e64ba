import type { MiddlewareHandler } from 'hono';
import { FlagstageError } from 'flagstage';
import type { Flagstage } from '../../runtime/flagstage';
import type { FlagKey } from '../../runtime/manifest/index';
import type { Decision, FlagSnapshot } from '../../runtime/policy/decision';
import { checkGrantOptions } from '../shared/grants';
import { requestDecider, setState, waitUntilOf, type RequestState } from './state';
import type { FlagstageEnv, FlagstageOptions, FlagstageRequest, GrantOptions } from './types';

/**
 * Sets up flagstage for the requests it runs on: resolves the identity once, and puts a per-request
 * handle on `c.var.flagstage` whose decisions and snapshot are computed lazily and at most once.
 * A stale document refreshes in the background through `c.executionCtx.waitUntil`.
 * Mount it after the app's auth middleware and before any `requireFlag`; add `FlagstageVariables`
 * to the app's `Variables` so `c.var.flagstage`, `c.var.flagDecision` and `c.var.flagGrant` are typed.
 *
 * @example
 * ```ts
 * import { Hono } from 'hono';
 * import { flagstage, requireFlag, type FlagstageVariables } from 'flagstage/hono';
 * import { requireGastown } from './flags.gen';
 *
 * type AppEnv = { Variables: { user: User | null } & FlagstageVariables };
 * const app = new Hono<AppEnv>();
 * app.use(session()); // the app's own auth: sets c.var.user
 * app.use(flagstage<AppEnv>(flags, {
 *   identity: (c) => (c.var.user ? { userId: c.var.user.id, orgId: c.var.user.orgId, isAdmin: c.var.user.admin } : null),
 * }));
 * app.get('/api/towns', requireFlag(requireGastown), (c) => c.json(listTowns()));
 * app.get('/api/me/flags', async (c) => c.json(await c.var.flagstage.snapshot()));
 * ```
 */
export function flagstage<E extends FlagstageEnv = FlagstageEnv>(flags: Flagstage, options: FlagstageOptions<E>): MiddlewareHandler<E> {
  if (typeof options?.identity !== 'function') {
    throw new FlagstageError('invalid-option', 'flagstage(flags, { identity }) needs an identity function');
  }
  checkGrantOptions(options.grants, 'flagstage(flags, { grants })');
  return async function flagstage(c, next) {
    const state: RequestState = {
      flags,
      identity: (await options.identity(c)) ?? null,
      waitUntil: options.waitUntil ? options.waitUntil(c) : waitUntilOf(c),
      // The state is per request and read back only with this request's context.
      grants: options.grants as GrantOptions | undefined,
      onDenied: options.onDenied,
      decisions: new Map(),
      snapshot: undefined,
    };
    setState(c, state);
    c.set('flagstage', requestHandle(state));
    await next();
  };
}

function requestHandle(state: RequestState): FlagstageRequest {
  const decider = requestDecider(state);
  return {
    identity: state.identity,
    decide: <K extends FlagKey>(flag: K) =>
      (state.identity === null ? Promise.resolve(null) : decider.decide(flag, state.identity, state.waitUntil)) as Promise<Decision<K> | null>,
    snapshot: () => (state.snapshot ??= snapshotOf(state)),
  };
}

function snapshotOf(state: RequestState): Promise<FlagSnapshot> {
  if (state.identity !== null) return state.flags.snapshot(state.identity, state.waitUntil);
  const flags = Object.fromEntries(Object.keys(state.flags.manifest.flags).map((key) => [key, false]));
  return Promise.resolve({ revision: null, flags: flags as FlagSnapshot['flags'] });
}

