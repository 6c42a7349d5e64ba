/**
 * flagstage/hono: gates for a Hono app on Workers. Imports no Node built-in (runs in workerd
 * without `nodejs_compat`).
 *
 * - `flagstage(flags, { identity, grants?, onDenied?, waitUntil? })`: per-request setup, mounted after the app's auth.
 * - `requireFlag(gate, { continuing?, onDenied? })`: the gate middleware (401/403 JSON with a stable code).
 * - The Flagsmith webhook route is `webhook(flags, { secret })` from `flagstage/hono/webhook`, so that
 *   a gate-only Worker does not bundle it.
 * - `FlagstageVariables`: add it to the app's `Variables` to type `c.var.flagstage`, `flagDecision`, `flagGrant`.
 */

export { flagstage } from './flagstage';
export { requireFlag, type DeniedBody, type RequireFlagOptions } from './require-flag';
export type { DeniedHandler, FlagstageEnv, FlagstageOptions, FlagstageRequest, FlagstageVariables, GrantOptions } from './types';
export type { Denial, DenialCode, DenialReason, GrantDenialCode } from '../../runtime/gate/denial';
