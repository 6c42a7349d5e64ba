/**
 * flagstage/openfeature: flagstage and OpenFeature, both ways, and OFREP.
 *
 * - `FlagstageProvider`: flagstage as an OpenFeature server provider (`@openfeature/server-sdk`).
 * - `typedClient`: an OpenFeature client typed by the manifest.
 * - `identityFromContext` / `contextFromIdentity`: the mapping between contexts and identities.
 * - `OPENFEATURE_REASONS`: how flagstage's reasons map onto OpenFeature's.
 * - `openFeatureBackend`: any OpenFeature provider as the backend (the vendor decides "enabled").
 */
export { FlagstageProvider, type SourceProblem } from './provider';
export { typedClient, type FlagstageClient } from './typed';
export { identityFromContext, contextFromIdentity, type ContextInput, type ContextProblem } from './context';
export { OPENFEATURE_REASONS, decisionMetadata, type DecisionMetadata, type OpenFeatureReason } from './reasons';
export { openFeatureBackend, VendorError, type OpenFeatureBackend, type OpenFeatureBackendOptions, type VendorProvider } from './backend';
