import type { ReactNode } from 'react';
import { redirect } from 'next/navigation';
import { requireGastown } from '@/flags.gen';
import { flagsServer } from '../../lib/flags-server';
import { currentUser } from '../../lib/session';
import { identityOf } from '../../shared/session';

/**
 * Every Gastown page checks the flag again while rendering: the proxy may be bypassed by a matcher
 * mistake or a client-side navigation served from cache, the layout may not.
 */
export default async function GastownLayout({ children }: { children: ReactNode }) {
  const user = await currentUser();
  if (user === null) redirect('/login');
  await flagsServer().requireFlag(requireGastown, identityOf(user));
  return <div data-testid="gastown">{children}</div>;
}
