/**
 * flagstage: typed, staged feature flags for the edge.
 * This entry point runs in workerd without `nodejs_compat`: it imports no Node built-in.
 *
 * The public API, by name: no `export *`, so a module's helpers do not become API by accident. The
 * policy's internals (compiling, memoising, the Flagsmith naming scheme, reading rollouts) stay
 * behind it; the other entry points import them by relative path. test/package/surface.ts pins
 * this list.
 */

// The manifest and its gates.
export { defineFlags, defineGate, isGate } from './manifest/index';
export type { BucketBy, FlagDefinition, FlagInput, FlagKey, FlagsInput, Gate, Manifest, Register, RegisteredManifest } from './manifest/index';

// Errors: one base class with a closed code; reported errors reach createFlagstage({ onError }).
// The list of every code at run time, ERROR_CODES, is flagstage/errors (runtime/errors/codes.ts).
export { FlagstageError, isFlagstageError, warnError } from './errors/index';
export type { FlagstageErrorCode, ErrorHandler } from './errors/index';

// The runtime: createFlagstage and what its decisions say.
export type { Identity, IdentityTraitValue } from './identity';
export { createFlagstage } from './flagstage';

// The one gate resolution the adapters (Hono, tRPC, Next) translate.
export { resolveGate, DeniedError } from './gate/index';
export type { Denial, DenialCode, DenialReason, GateDecider, GateRequest, GateResult, GrantDenial, GrantDenialCode } from './gate/index';
export type { Flagstage, FlagstageOptions } from './flagstage';
// Outcomes for a guard: flags.track() hands them to createFlagstage({ outcomes }) (flagstage/outcomes).
export type { Outcome, OutcomeReporter } from './outcomes/types';
// Explaining a decision is its own entry point, flagstage/explain (runtime/explain/index.ts).
export type { Decision, DecisionReason, FlagSnapshot, Stage, FlagRollout } from './policy/index';
// Another flag system behind the same policy: createFlagstage({ backend }).
export type { BackendEvaluation, BucketInfo, EnabledBy, FeatureAnswer, FlagBackend } from './policy/index';

// Grants (in-flight work continues after a kill) are their own entry point, flagstage/grants
// (runtime/grants/index.ts), so that the gates do not bundle jose; adapters take its grantVerifier.

// Documents at the edge: sources and their shared cache layers. fileSource is Node-only:
// runtime/sources/file.ts, on its own subpath (flagstage/file); the Flagsmith webhook is
// flagstage/webhook (runtime/webhook/index.ts) and the KV layer flagstage/kv (runtime/sources/kv-cache.ts),
// so that a gate-only Worker does not bundle them. Paged documents stay: any environment may become paged.
export { staticSource } from './sources/static';
export { SourceError, warnSourceError, flagsmithSource, cachesApiCache } from './sources/index';
export type {
  CacheLike,
  CachedDocument,
  CachesApiCacheOptions,
  DocumentListener,
  DocumentSource,
  FetchLike,
  FlagsmithSource,
  FlagsmithSourceOptions,
  LoadedDocument,
  SharedCache,
  SourceErrorCode,
  SourceErrorHandler,
  WaitUntil,
} from './sources/index';

// Change events between revisions are opt-in, their own entry point: flagstage/changes
// (runtime/changes/index.ts), so that a gate does not bundle the rollout diffing.
