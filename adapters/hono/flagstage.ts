import type { Context, MiddlewareHandler, Next } from 'hono';
import { FlagstageError } from 'flagstage';
import type { Flagstage } from '../../runtime/flagstage';
import type { Identity } from '../../runtime/identity';
import { checkGrantOptions } from '../shared/grants';
import { RequestState, waitUntilOf, type Setup } from './state';
import type { FlagstageEnv, FlagstageOptions, GrantOptions } from './types';

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
 *   identity: (c) => { const user = c.get('user'); return user ? { userId: user.id, orgId: user.orgId, isAdmin: user.admin } : null; },
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
  // The state is per request and read back only with this request's context.
  const setup: Setup = { flags, grants: options.grants as GrantOptions | undefined, onDenied: options.onDenied, tracks: flags.tracks !== false };
  // A plain function, not async: with a synchronous identity it runs straight to next().
  return function flagstage(c, next) {
    const identity = options.identity(c);
    return identity instanceof Promise ? identity.then((resolved) => enter(c, next, setup, resolved, options)) : enter(c, next, setup, identity, options);
  } as MiddlewareHandler<E>;
}

function enter<E extends FlagstageEnv>(c: Context<E>, next: Next, setup: Setup, identity: Identity | null, options: FlagstageOptions<E>): Promise<void> {
  c.set('flagstage', new RequestState(setup, identity ?? null, options.waitUntil ? options.waitUntil(c) : waitUntilOf(c)));
  return next();
}
