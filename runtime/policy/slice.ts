import type { EnvironmentDocument, FeatureStateDocument, IdentityOverrideDocument, SegmentDocument } from '../engine/index';

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
  // Lenient on purpose: the slice is what gets validated (by compiling it), so a malformed part the
  // feature does not use (a state without a feature, a segment without rules) is simply left out.
  const only = (states: unknown): FeatureStateDocument[] => {
    if (!Array.isArray(states)) return [];
    const kept: FeatureStateDocument[] = [];
    for (const state of states as Array<Partial<FeatureStateDocument> | null>) if (state?.feature?.name === feature) kept.push(state as FeatureStateDocument);
    return kept;
  };
  const segments: SegmentDocument[] = [];
  for (const segment of document.project.segments ?? []) {
    const states = only(segment?.feature_states);
    if (states.length > 0) segments.push({ ...segment, feature_states: states });
  }
  const identityOverrides: IdentityOverrideDocument[] = [];
  for (const override of document.identity_overrides ?? []) {
    const states = only(override?.identity_features);
    if (states.length > 0) identityOverrides.push({ ...override, identity_features: states });
  }
  return {
    ...document,
    feature_states: only(document.feature_states),
    project: { ...document.project, segments },
    identity_overrides: identityOverrides,
  };
}
