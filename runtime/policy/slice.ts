import type { EnvironmentDocument, FeatureStateDocument } from '../engine/index';

/**
 * The document reduced to what decides one feature: its environment default, the segments that
 * override it (in their order, so priority ties break the same way) and the identity overrides of
 * it. Flagsmith's answer for a feature depends on nothing else, so evaluating the slice gives the
 * same flag as evaluating the whole document, while a decision about `gastown` no longer hashes the
 * identity into every other feature's percentage split.
 *
 * @example
 * ```ts
 * const gastownOnly = compileEnvironment(sliceDocument(document, 'gastown'));
 * ```
 */
export function sliceDocument(document: EnvironmentDocument, feature: string): EnvironmentDocument {
  const only = (states: readonly FeatureStateDocument[] | null | undefined) => (states ?? []).filter((state) => state.feature.name === feature);
  const segments = (document.project.segments ?? [])
    .map((segment) => ({ ...segment, feature_states: only(segment.feature_states) }))
    .filter((segment) => segment.feature_states.length > 0);
  const identityOverrides = (document.identity_overrides ?? [])
    .map((override) => ({ ...override, identity_features: only(override.identity_features) }))
    .filter((override) => override.identity_features.length > 0);
  return {
    ...document,
    feature_states: only(document.feature_states),
    project: { ...document.project, segments },
    identity_overrides: identityOverrides,
  };
}
