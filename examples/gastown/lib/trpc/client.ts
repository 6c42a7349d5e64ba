'use client';
import { createTRPCClient, httpLink } from '@trpc/client';
import type { AppRouter } from './router';

/** The browser's tRPC client: same-origin, the session cookie goes along by itself. */
export const trpc = createTRPCClient<AppRouter>({ links: [httpLink({ url: '/api/trpc' })] });
