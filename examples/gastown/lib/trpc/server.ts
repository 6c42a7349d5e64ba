import { getFlags } from '../flags';
import { currentSessionToken } from '../session';
import { contextForToken } from './context';
import { buildRouter, type AppRouter } from './router';

let router: AppRouter | null = null;

/** The router, built on first use (not at import: `next build` imports without configuration). */
export function appRouter(): AppRouter {
  router ??= buildRouter(getFlags());
  return router;
}

/** Server components call procedures directly, with the request's session. */
export async function serverCaller() {
  const token = await currentSessionToken();
  return appRouter().createCaller(await contextForToken(token));
}
