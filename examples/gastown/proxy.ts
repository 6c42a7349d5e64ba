import type { NextFetchEvent, NextRequest } from 'next/server';
import { flagGuard, type FlagGuard } from 'flagstage/next';
import { requireGastown, withFeature } from '@/flags.gen';
import { appConfig } from './lib/config';
import { getFlags } from './lib/flags';
import { identityOf, sessionFromCookies } from './shared/session';

let guard: FlagGuard | null = null;

/**
 * The first line of defence (Node runtime): Gastown pages are decided before they render. The
 * layouts check again, and so do tRPC and the worker: a matcher mistake must not open anything.
 */
export function proxy(request: NextRequest, event: NextFetchEvent): Promise<Response | undefined> {
  guard ??= flagGuard(getFlags(), {
    routes: { '/gastown/*': requireGastown, '/gastown/convoys/*': withFeature('convoys') },
    identity: async (req) => {
      const session = await sessionFromCookies(req.headers.get('cookie'), appConfig().sessionSecret);
      return session === null ? null : identityOf(session.user);
    },
    redirectTo: (_req, denial) => (denial.reason === 'unauthenticated' ? '/login' : `/?denied=${denial.flag}`),
  });
  return guard(request, event);
}

export const config = { matcher: ['/gastown', '/gastown/:path*'] };
