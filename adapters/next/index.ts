/**
 * flagstage/next: a route guard for `proxy.ts` (Next 16, Node runtime) or `middleware.ts` (edge
 * runtime), server helpers for layouts, pages, route handlers and server actions, and the
 * Flagsmith webhook as a route handler.
 */
export { flagGuard, type FlagGuard, type FlagGuardOptions } from './guard';
export {
  flagstageServer,
  type ContinuingAllowed,
  type DenialOptions,
  type FlagstageServer,
  type FlagstageServerOptions,
  type GrantOptions,
  type ServerDeniedHandler,
} from './server';
export { webhook, type WebhookOptions } from './webhook';
export type { RouteGates } from './routes';
export type { Denial, DenialCode, DenialReason } from '../../runtime/gate/denial';
