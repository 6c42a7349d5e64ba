import type { MiddlewareHandler } from 'hono';
import { verifySession } from '../shared/session';
import type { DemoUser } from '../shared/users';
import type { Env } from './env';

export interface AuthVariables {
  /** The signed-in user, or null. Set only from a verified session token. */
  user: DemoUser | null;
}

/**
 * The worker's own auth: the Next app forwards the user's session as `Authorization: Bearer …`,
 * and the worker verifies its signature with the shared secret. Anything else is anonymous.
 */
export function sessionAuth(): MiddlewareHandler<{ Bindings: Env; Variables: AuthVariables }> {
  return async (c, next) => {
    const header = c.req.header('authorization') ?? '';
    const token = header.startsWith('Bearer ') ? header.slice('Bearer '.length) : null;
    c.set('user', await verifySession(token, c.env.SESSION_SECRET));
    await next();
  };
}
