import { cookies } from 'next/headers';
import type { Identity } from 'flagstage';
import { identityOf, SESSION_COOKIE, verifySession } from '../shared/session';
import type { DemoUser } from '../shared/users';
import { appConfig } from './config';

/** The signed-in user of the current request (server components, route handlers, actions). */
export async function currentUser(): Promise<DemoUser | null> {
  const token = (await cookies()).get(SESSION_COOKIE)?.value;
  return verifySession(token, appConfig().sessionSecret);
}

/** The raw session token, forwarded to the worker API as a bearer token. */
export async function currentSessionToken(): Promise<string | null> {
  return (await cookies()).get(SESSION_COOKIE)?.value ?? null;
}

export async function currentIdentity(): Promise<Identity | null> {
  const user = await currentUser();
  return user === null ? null : identityOf(user);
}
