// Next 16's proxy (Node runtime): the route guard from the installed flagstage/next.
import { flagGuard } from 'flagstage/next';
import { requireReports } from './flags.gen';
import { currentIdentity, flags } from './lib/flags';

export const proxy = flagGuard(flags, {
  routes: { '/reports/*': requireReports },
  identity: (request) => currentIdentity(request.cookies.get('user')?.value),
  redirectTo: (_request, denial) => (denial.reason === 'unauthenticated' ? '/login' : '/'),
});
export const config = { matcher: ['/reports/:path*'] };
