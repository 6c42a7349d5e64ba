import type { Identity } from 'flagstage';
import { identityOf, sessionFromCookies, type VerifiedSession } from '../../shared/session';
import type { DemoUser } from '../../shared/users';
import { appConfig } from '../config';

/** What every procedure knows about the call: only what the verified session says. */
export interface GastownContext {
  readonly user: DemoUser | null;
  readonly identity: Identity | null;
  /** The session token, forwarded to the worker API. */
  readonly token: string | null;
}

/** The context for a verified session (of an HTTP call, or of a server render). */
export function contextForSession(session: VerifiedSession | null): GastownContext {
  return session === null ? { user: null, identity: null, token: null } : { user: session.user, identity: identityOf(session.user), token: session.token };
}

/** The context of a fetch-adapter request: its session cookie, read like pages and proxy.ts read it. */
export async function contextForRequest(request: Request): Promise<GastownContext> {
  return contextForSession(await sessionFromCookies(request.headers.get('cookie'), appConfig().sessionSecret));
}
