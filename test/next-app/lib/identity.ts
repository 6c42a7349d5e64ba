import { cookies } from 'next/headers';
import type { Identity } from 'flagstage';
import { verifySession } from './session';

/** The signed-in identity of the current request (server components and actions). */
export async function currentIdentity(): Promise<Identity | null> {
  return verifySession((await cookies()).get('session')?.value);
}
