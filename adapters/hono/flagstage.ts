import { FlagstageError } from 'flagstage';
import type { Context, Env, MiddlewareHandler } from 'hono';
import type { Flagstage } from '../../runtime/flagstage';
import type { GrantSecret } from '../../runtime/grants/types';
import type { Identity } from '../../runtime/identity';
import type { FlagKey } from '../../runtime/manifest/index';
import type { Decision, FlagSnapshot } from '../../runtime/policy/decision';
import { decide, getState, setState, waitUntilOf, type RequestState } from './state';
import type { FlagstageRequest } from './types';

/** Where `requireFlag(gate, { continuing: true })` finds and checks grants. */
export interface GrantOptions<E extends Env = Env> {
  /** Verification secrets by key id (the current one and, while rotating, the previous one). */
  readonly secrets: Readonly<Record<string, GrantSecret>> | ((c: Context<E>) => Readonly<Record<string, GrantSecret>>);
  /**
   * Reads the grant token from the request. Default: the `X-Flagstage-Grant` header. Supply your own
   * to take it from a claim in the app's own (already verified) token.
   */
  readonly token?: (c: Context<E>) => string | null | undefined | Promise<string | null | undefined>;
}

export interface FlagstageOptions<E extends Env = Env> {
  /**
   * The identity of the request, from what the app's own auth middleware established (e.g.
   * `c.var.user`), never from a header, query or cookie the client can set. Null: nobody signed in.
   */
  readonly identity: (c: Context<E>) => Identity | null | Promise<Identity | null>;
  /** Enables `requireFlag(gate, { continuing: true })`. */
  readonly grants?: GrantOptions<E>;
}

/**
 * Sets up flagstage for the requests it runs on: resolves the identity once, and puts a per-request
 * handle on `c.var.flagstage` whose decisions and snapshot are computed lazily and at most once.
 * A stale document refreshes in the background through `c.executionCtx.waitUntil`.
 * Mount it after the app's auth middleware and before any `requireFlag`.
 *
 * @example
 * ```ts
 * import { Hono } from 'hono';
 * import { flagstage, requireFlag } from 'flagstage/hono';
 * import { requireGastown } from './flags.gen';
 *
 * type AppEnv = { Variables: { user: User | null } };
 * const app = new Hono<AppEnv>();
 * app.use(session()); // the app's own auth: sets c.var.user
 * app.use(flagstage<AppEnv>(flags, { // <AppEnv> types c.var.user in identity()
 *   identity: (c) => (c.var.user ? { userId: c.var.user.id, orgId: c.var.user.orgId, isAdmin: c.var.user.admin } : null),
 * }));
 * app.get('/api/towns', requireFlag(requireGastown), (c) => c.json(listTowns()));
 * app.get('/api/me/flags', async (c) => c.json(await c.var.flagstage.snapshot()));
 * ```
 */
export function flagstage<E extends Env = Env>(flags: Flagstage, options: FlagstageOptions<E>): MiddlewareHandler<E> {
  if (typeof options?.identity !== 'function') {
    throw new FlagstageError('invalid-option', 'flagstage(flags, { identity }) needs an identity function');
  }
  return async function flagstage(c, next) {
    const state: RequestState = {
      flags,
      identity: (await options.identity(c)) ?? null,
      waitUntil: waitUntilOf(c),
      grants: options.grants as GrantOptions | undefined,
      decisions: new Map(),
      snapshot: undefined,
    };
    setState(c, state);
    c.set('flagstage', requestHandle(c));
    await next();
  };
}

function requestHandle(c: Context): FlagstageRequest {
  const state = getState(c, 'c.var.flagstage');
  return {
    identity: state.identity,
    decide: <K extends FlagKey>(flag: K) => (decide(state, flag) ?? Promise.resolve(null)) as Promise<Decision<K> | null>,
    snapshot: () => (state.snapshot ??= snapshotOf(state)),
  };
}

function snapshotOf(state: RequestState): Promise<FlagSnapshot> {
  if (state.identity !== null) return state.flags.snapshot(state.identity, state.waitUntil);
  const flags = Object.fromEntries(Object.keys(state.flags.manifest.flags).map((key) => [key, false]));
  return Promise.resolve({ revision: null, flags: flags as FlagSnapshot['flags'] });
}
