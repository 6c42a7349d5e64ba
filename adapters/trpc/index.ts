/**
 * flagstage/trpc: procedure middleware for tRPC v11, through `createCaller` and every adapter
 * (including the fetch adapter on Workers). Imports no Node built-in.
 */
export { createRequireFlag, messages, type FlagContext, type FlagMiddleware, type RequireFlagOptions } from './require-flag';
