import type { NextFetchEvent, NextRequest } from 'next/server';
import { FlagstageError, resolveGate } from 'flagstage';
import type { Flagstage } from '../../runtime/flagstage';
import type { Denial } from '../../runtime/gate/denial';
import type { Identity } from '../../runtime/identity';
import type { FlagKey } from '../../runtime/manifest/index';
import type { WaitUntil } from '../../runtime/sources/source';
import { compileRoutes, type RouteGates } from './routes';

export interface FlagGuardOptions {
  /** Route patterns to gates: `{ '/gastown/*': requireGastown }`. Every matching gate must allow. */
  readonly routes: RouteGates;
  /**
   * The identity of the request, from the app's own session cookie, verified (signature or session
   * lookup): never a value the client can set. Null: nobody signed in.
   */
  readonly identity: (request: NextRequest) => Identity | null | Promise<Identity | null>;
  /** Where denied requests go (307). A path, or a function of the request and the denial. Default `/`. */
  readonly redirectTo?: string | ((request: NextRequest, denial: Denial<FlagKey>) => string | URL);
  /** Answers a denied request instead of the redirect (e.g. a 404 page, or JSON for an API path). */
  readonly onDenied?: (denial: Denial<FlagKey>, request: NextRequest) => Response | Promise<Response>;
  /** Lets a stale document refresh after the response. Default: the proxy's `event` (its `waitUntil`). */
  readonly waitUntil?: (request: NextRequest, event: NextFetchEvent | undefined) => WaitUntil | undefined;
}

/** A Next.js `proxy` (Node runtime) or `middleware` (edge runtime) function. */
export type FlagGuard = (request: NextRequest, event?: NextFetchEvent) => Promise<Response | undefined>;

/**
 * A guard for `proxy.ts` (Next 16, Node runtime) or `middleware.ts` (edge runtime): requests whose
 * path matches a route pattern are decided live (the runtime's `resolveGate`), and redirected (or
 * answered by `onDenied`) when a gate denies them. Requests it lets through get `undefined` (Next
 * carries on), so it composes with other proxy logic. Keep a `config.matcher` that covers the
 * patterns so the guard only runs where it matters, and keep the redirect target outside the
 * guarded routes. Proxy is a first line, not the only one: pages and server actions should still
 * call `requireFlag`.
 *
 * @example
 * ```ts
 * // proxy.ts (or middleware.ts, with `export const middleware = guard`)
 * import { flagGuard } from 'flagstage/next';
 * import { requireGastown, withFeature } from './flags.gen';
 *
 * export const proxy = flagGuard(flags, {
 *   routes: { '/gastown/*': requireGastown, '/gastown/:town/convoys/*': withFeature('convoys') },
 *   identity: async (request) => identityFromSession(await verifySession(request.cookies.get('session')?.value)),
 *   redirectTo: (request, denial) => (denial.status === 401 ? '/login' : '/'),
 * });
 * export const config = { matcher: ['/gastown/:path*'] };
 * ```
 */
export function flagGuard(flags: Flagstage, options: FlagGuardOptions): FlagGuard {
  if (typeof options?.identity !== 'function') throw new FlagstageError('invalid-option', 'flagGuard(flags, { routes, identity }) needs an identity function');
  const gatesFor = compileRoutes(options.routes);
  const redirectTo = options.redirectTo ?? '/';
  return async function flagGuard(request, event) {
    const gates = gatesFor(request.nextUrl.pathname);
    if (gates.length === 0) return undefined;
    const identity = (await options.identity(request)) ?? null;
    const waitUntil = options.waitUntil ? options.waitUntil(request, event) : event;
    for (const gate of gates) {
      const result = await resolveGate(flags, gate.flag, { identity, waitUntil });
      if (!result.allowed) return options.onDenied ? options.onDenied(result.denial, request) : redirect(request, result.denial);
    }
    return undefined;
  };

  function redirect(request: NextRequest, denial: Denial<FlagKey>): Response {
    const target = typeof redirectTo === 'function' ? redirectTo(request, denial) : redirectTo;
    return Response.redirect(new URL(target, request.url), 307);
  }
}
