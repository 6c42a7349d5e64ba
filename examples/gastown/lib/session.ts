import { headers } from 'next/headers';
import type { Identity } from 'flagstage';
import { identityOf, sessionFromCookies, type VerifiedSession } from '../shared/session';
import type { DemoUser } from '../shared/users';
import { appConfig } from './config';

/**
 * The current request's session (server components, route handlers, actions), read from the raw
 * Cookie header by the same parser as proxy.ts and tRPC (Next's \`cookies()\` keeps the last of two
 * cookies with one name; the parser's rule is the first valid one).
 */
export async function currentSession(): Promise<VerifiedSession | null> {
  return sessionFromCookies((await headers()).get('cookie'), appConfig().sessionSecret);
}

/** The signed-in user of the current request. */
export async function currentUser(): Promise<DemoUser | null> {
  return (await currentSession())?.user ?? null;
}

export async function currentIdentity(): Promise<Identity | null> {
  const user = await currentUser();
  return user === null ? null : identityOf(user);
}
