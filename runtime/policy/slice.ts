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
  // Indexed loops and no list until something is kept: a cold isolate runs this unoptimized, where
  // for-of and empty lists would allocate for every unrelated feature and segment.
  const only = (states: unknown): FeatureStateDocument[] | null => {
    if (!Array.isArray(states)) return null;
    let kept: FeatureStateDocument[] | null = null;
    for (let i = 0; i < states.length; i++) {
      const state = states[i] as Partial<FeatureStateDocument> | null;
      if (state?.feature?.name === feature) (kept ??= []).push(state as FeatureStateDocument);
    }
    return kept;
  };
  const segments: SegmentDocument[] = [];
  const all = document.project.segments ?? [];
  for (let i = 0; i < all.length; i++) {
    const segment = all[i];
    const states = only(segment?.feature_states);
    if (states !== null) segments.push({ ...segment!, feature_states: states });
  }
  const identityOverrides: IdentityOverrideDocument[] = [];
  const overrides = document.identity_overrides ?? [];
  for (let i = 0; i < overrides.length; i++) {
    const override = overrides[i];
    const states = only(override?.identity_features);
    if (states !== null) identityOverrides.push({ ...override!, identity_features: states });
  }
  return {
    ...document,
    feature_states: only(document.feature_states) ?? [],
    project: { ...document.project, segments },
    identity_overrides: identityOverrides,
  };
}
