import type { Context, Env, Handler } from 'hono';
import type { Flagstage } from '../../../runtime/flagstage';
import type { Identity } from '../../../runtime/identity';
import type { WaitUntil } from '../../../runtime/sources/source';
import { waitUntilOf } from '../../hono/state';
import { answerOfrep, INTERNAL_ERROR, ofrepRoute, toResponse } from './protocol';

export interface OfrepSessionOptions<T> {
  /**
   * The identity of the request from the app's own authenticated session (a verified cookie or
   * token), never from the request body: the body's OFREP context is ignored. Null: nobody is
   * signed in (401).
   */
  readonly identity: (from: T) => Identity | null | Promise<Identity | null>;
}

/**
 * OFREP in session mode, as a fetch handler (Next route handlers, any fetch runtime): the identity
 * comes from `identity(request)`, and the body's context cannot change it (a body claiming
 * `isAdmin: true` or another `targetingKey` gets the session's answer). For browsers and the
 * OFREP web provider, behind the app's own sign-in.
 *
 * @example
 * ```ts
 * // app/ofrep/v1/evaluate/flags/[[...key]]/route.ts
 * import { ofrepSession } from 'flagstage/openfeature';
 * const handle = ofrepSession(flags, { identity: (request) => verifySession(request) });
 * export const POST = (request: Request) => handle(request);
 * ```
 */
export function ofrepSession(flags: Flagstage, options: OfrepSessionOptions<Request>): (request: Request, context?: WaitUntil) => Promise<Response> {
  if (typeof options?.identity !== 'function') throw new TypeError('flagstage: ofrepSession(flags, { identity }) needs an identity function reading the app session');
  return async function ofrepSession(request, context) {
    try {
      return await answerSession(flags, request, await options.identity(request), context);
    } catch {
      return toResponse(INTERNAL_ERROR);
    }
  };
}

/**
 * OFREP in session mode for a Hono app: mount it after the app's auth middleware.
 *
 * @example
 * ```ts
 * import { ofrep } from 'flagstage/openfeature';
 * const handler = ofrep<AppEnv>(flags, { identity: (c) => (c.var.user ? { userId: c.var.user.id, orgId: c.var.user.orgId, isAdmin: c.var.user.admin } : null) });
 * app.post('/ofrep/v1/evaluate/flags', handler);
 * app.post('/ofrep/v1/evaluate/flags/:key', handler);
 * ```
 */
export function ofrep<E extends Env = Env>(flags: Flagstage, options: OfrepSessionOptions<Context<E>>): Handler<E> {
  if (typeof options?.identity !== 'function') throw new TypeError('flagstage: ofrep(flags, { identity }) needs an identity function reading the app session (e.g. c.var.user)');
  return async function ofrep(c) {
    try {
      return await answerSession(flags, c.req.raw, await options.identity(c), waitUntilOf(c));
    } catch {
      return toResponse(INTERNAL_ERROR);
    }
  };
}

async function answerSession(flags: Flagstage, request: Request, identity: Identity | null, context: WaitUntil | undefined): Promise<Response> {
  const route = ofrepRoute(new URL(request.url).pathname);
  if (route === null) return toResponse({ status: 404 });
  if (request.method !== 'POST') return toResponse({ status: 405, headers: { allow: 'POST' } });
  if (identity === null) return toResponse({ status: 401 });
  return toResponse(await answerOfrep(flags, route, await request.text(), { trust: 'session', identity }, request.headers.get('if-none-match'), context));
}
