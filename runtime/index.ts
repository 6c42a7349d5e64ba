/**
 * flagstage: typed, staged feature flags for the edge.
 * This entry point runs in workerd without `nodejs_compat`: it imports no Node built-in.
 */
export * from './manifest/index';

// Errors: one base class with a closed code; reported errors reach createFlagstage({ onError }).
export { FlagstageError, isFlagstageError, ERROR_CODES, warnError } from './errors/index';
export type { FlagstageErrorCode, ErrorHandler } from './errors/index';

// The runtime: createFlagstage, the rollout policy and grants (issue 4).
export type { Identity, IdentityTraitValue } from './identity';
export { createFlagstage } from './flagstage';
export type { Flagstage, FlagstageOptions } from './flagstage';
export * from './policy/index';
export * from './grants/index';
export { staticSource } from './sources/static';
export type { DocumentSource, LoadedDocument, WaitUntil } from './sources/source';

// Documents at the edge: the Flagsmith source, its shared cache layers, the webhook, and change
// events (issue 5). fileSource is Node-only: runtime/sources/file.ts, on its own subpath.
export * from './sources/index';
export * from './changes/index';
