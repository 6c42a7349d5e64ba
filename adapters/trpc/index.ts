/**
 * flagstage/trpc: procedure middleware for tRPC v11, through `createCaller` and every adapter
 * (including the fetch adapter on Workers), and the Flagsmith webhook. Imports no Node built-in.
 */
export {
  createRequireFlag,
  deniedError,
  messages,
  type ContinuingFlagContext,
  type ContinuingFlagMiddleware,
  type FlagContext,
  type FlagMiddleware,
  type GrantOptions,
  type RequireFlag,
  type RequireFlagOptions,
} from './require-flag';
export { webhook, type WebhookOptions } from './webhook';
export type { Denial, DenialCode, DenialReason } from '../../runtime/gate/denial';
