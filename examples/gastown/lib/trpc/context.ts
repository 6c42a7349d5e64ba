import type { Identity } from 'flagstage';
import { identityOf, SESSION_COOKIE, verifySession } from '../../shared/session';
import type { DemoUser } from '../../shared/users';
import { appConfig } from '../config';

/** What every procedure knows about the call: only what the verified session says. */
export interface GastownContext {
  readonly user: DemoUser | null;
  readonly identity: Identity | null;
  /** The session token, forwarded to the worker API. */
  readonly token: string | null;
}

/** The context for a session token (from the cookie of an HTTP call or of a server render). */
export async function contextForToken(token: string | null): Promise<GastownContext> {
  const user = await verifySession(token, appConfig().sessionSecret);
  return { user, identity: user === null ? null : identityOf(user), token: user === null ? null : token };
}

/** Reads the session cookie of a fetch-adapter request. */
export function sessionTokenOf(request: Request): string | null {
  const header = request.headers.get('cookie') ?? '';
  for (const part of header.split(';')) {
    const [name, ...value] = part.trim().split('=');
    if (name !== SESSION_COOKIE) continue;
    try {
      return decodeURIComponent(value.join('='));
    } catch {
      return null; // malformed percent-encoding: no session (signed tokens never contain '%')
    }
  }
  return null;
}
