import type { AuthOptions } from '../options';
import { accessRole, verifyAccessAssertion } from './access';
import type { Caller } from './roles';
import { matchToken } from './tokens';
import { SESSION_PREFIX, verifySession } from '../admin/session';

/** Why a request is not authenticated; the API answers 401 with it. */
export type AuthFailure = 'missing-credentials' | 'invalid-token' | 'invalid-access-assertion';

/**
 * Establishes who is calling from the request's credentials: `Authorization: Bearer <token>`
 * (matched by hash), else a Cloudflare Access assertion. Identity never comes from anything else.
 *
 * @example
 * ```ts
 * const caller = await authenticate(request, auth);
 * if ('failure' in caller) return unauthorized(caller.failure);
 * ```
 */
export async function authenticate(request: Request, auth: AuthOptions): Promise<Caller | { readonly failure: AuthFailure }> {
  const header = request.headers.get('authorization');
  if (header !== null && header.trim() !== '') {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!match?.[1]) return { failure: 'invalid-token' };
    if (match[1].startsWith(SESSION_PREFIX)) {
      // An admin page session (signed by the control plane itself), forwarded by the page.
      const session = auth.sessions ? await verifySession(auth.sessions, match[1], Date.now()) : null;
      return session === null ? { failure: 'invalid-token' } : { actor: session.actor, role: session.role, via: 'session' };
    }
    const record = await matchToken(auth.tokens ?? [], match[1]);
    return record === null ? { failure: 'invalid-token' } : { actor: `token:${record.name}`, role: record.role, via: 'token' };
  }
  const assertion = request.headers.get('cf-access-jwt-assertion');
  if (assertion !== null && assertion !== '' && auth.access) {
    const email = await verifyAccessAssertion(assertion, auth.access);
    return email === null ? { failure: 'invalid-access-assertion' } : { actor: email, role: accessRole(auth.access, email), via: 'access' };
  }
  if (assertion !== null && assertion !== '') return { failure: 'invalid-access-assertion' };
  return { failure: 'missing-credentials' };
}
