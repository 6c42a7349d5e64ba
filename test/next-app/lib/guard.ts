// The guard both variants export: /gastown/* needs gastown, /gastown/convoys/* also convoys.
import { flagGuard } from 'flagstage/next';
import { requireGastown, withFeature } from '../../../flags.gen';
import { flags } from './flags';
import { verifySession } from './session';

export const guard = flagGuard(flags, {
  routes: { '/gastown/*': requireGastown, '/gastown/convoys/*': withFeature('convoys') },
  identity: (request) => verifySession(request.cookies.get('session')?.value),
  redirectTo: (_request, denial) => (denial.reason === 'unauthenticated' ? '/login' : `/?denied=${denial.flag}`),
});
