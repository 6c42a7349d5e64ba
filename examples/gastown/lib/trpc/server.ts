import { getFlags } from '../flags';
import { currentSession } from '../session';
import { contextForSession } from './context';
import { buildRouter, type AppRouter } from './router';

let router: AppRouter | null = null;

/** The router, built on first use (not at import: `next build` imports without configuration). */
export function appRouter(): AppRouter {
  router ??= buildRouter(getFlags());
  return router;
}

/** Server components call procedures directly, with the request's session. */
export async function serverCaller() {
  return appRouter().createCaller(contextForSession(await currentSession()));
}
