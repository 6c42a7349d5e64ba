import { fetchRequestHandler } from '@trpc/server/adapters/fetch';
import { contextForRequest } from '../../../../lib/trpc/context';
import { appRouter } from '../../../../lib/trpc/server';

export const dynamic = 'force-dynamic';

function handler(request: Request): Promise<Response> {
  return fetchRequestHandler({
    endpoint: '/api/trpc',
    req: request,
    router: appRouter(),
    createContext: () => contextForRequest(request),
  });
}

export { handler as GET, handler as POST };
