/**
 * flagstage/next: a route guard for `proxy.ts` (Next 16, Node runtime) or `middleware.ts` (edge
 * runtime), and server helpers for layouts, pages and server actions.
 */
export { flagGuard, type Denial, type FlagGuard, type FlagGuardOptions } from './guard';
export { flagstageServer, type FlagstageServer, type FlagstageServerOptions, type Otherwise } from './server';
export type { RouteGates } from './routes';
