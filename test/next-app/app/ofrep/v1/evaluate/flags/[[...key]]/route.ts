// OFREP in session mode as a Next route handler: single (`…/flags/{key}`) and bulk (`…/flags`)
// evaluation. The identity is the app's verified session cookie; the body's context is ignored.
import { ofrepSession } from 'flagstage/openfeature';
import { flags } from '../../../../../../lib/flags';
import { verifySession } from '../../../../../../lib/session';

const handle = ofrepSession(flags, {
  identity: (request) => verifySession(/(?:^|;\s*)session=([^;]+)/.exec(request.headers.get('cookie') ?? '')?.[1]),
});

export const POST = (request: Request) => handle(request);
