/**
 * flagstage/hono: gates for a Hono app on Workers. Imports no Node built-in (runs in workerd
 * without `nodejs_compat`).
 *
 * - `flagstage(flags, { identity, grants? })`: per-request setup, mounted after the app's auth.
 * - `requireFlag(gate, { continuing? })`: the gate middleware (401/403 JSON with a stable code).
 * - `webhook(flags, { secret })`: the Flagsmith webhook route.
 */

export { flagstage, type FlagstageOptions, type GrantOptions } from './flagstage';
export { requireFlag, type DeniedBody, type RequireFlagOptions } from './require-flag';
export { webhook, type WebhookOptions } from './webhook';
export type { FlagstageRequest } from './types';
export type { DenialCode, GrantDenialCode } from '../shared/codes';
