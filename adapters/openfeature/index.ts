/**
 * flagstage/openfeature: flagstage and OpenFeature, both ways, and OFREP.
 *
 * - `FlagstageProvider`: flagstage as an OpenFeature server provider (`@openfeature/server-sdk`).
 * - `typedClient`: an OpenFeature client typed by the manifest.
 * - `identityFromContext` / `contextFromIdentity`: the mapping between contexts and identities.
 * - `OPENFEATURE_REASONS`: how flagstage's reasons map onto OpenFeature's.
 * - `openFeatureBackend` + `createVendorFlagstage`: any OpenFeature provider as the backend (the vendor
 *   decides "enabled"), built here so that the core runtime carries no vendor code.
 * - OFREP: `ofrepServer` (server keys; the context is trusted), `ofrepSession` (fetch handler, e.g. a
 *   Next route) and `ofrep` (Hono), both in session mode (the identity comes from the app session).
 *   These import nothing from the OpenFeature SDK and run in workerd without `nodejs_compat`.
 */
export { FlagstageProvider, type SourceProblem } from './provider';
export { typedClient, type FlagstageClient } from './typed';
export { identityFromContext, contextFromIdentity, type ContextInput, type ContextProblem } from './context';
export { OPENFEATURE_REASONS, decisionMetadata, type DecisionMetadata, type OpenFeatureReason } from './reasons';
export { openFeatureBackend, VendorError, type OpenFeatureBackend, type OpenFeatureBackendOptions, type VendorBackend, type VendorProvider } from './backend';
export { createVendorFlagstage, type VendorFlagstageOptions } from './vendor-flagstage';
export { ofrepServer, type OfrepServerOptions } from './ofrep/server-key';
export { ofrepSession, ofrep, type OfrepSessionOptions } from './ofrep/session';
export { ofrepReason, type OfrepReason } from './ofrep/protocol';
