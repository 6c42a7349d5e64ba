import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileEnvironment, type EnvironmentDocument } from '../../runtime/engine/index';
import { sliceDocument } from '../../runtime/policy/slice';
import { toEngineIdentity } from '../../runtime/policy/traits';
import { buildDocument } from '../../runtime/testing/index';
import { manifest } from './setup';

/** Gastown's flags plus what a dashboard user might add: a hand-made segment and identity overrides. */
function documentWithExtras(): EnvironmentDocument {
  const doc = buildDocument(manifest, {
    gastown: { stage: 'percentage', users: ['u1'], orgs: ['o2'], percent: 30 },
    convoys: { stage: 'allowlist', orgs: ['o1'], percent: 60, by: 'org' },
    prMerge: { stage: 'ga', percent: 20 },
    multiRig: { stage: 'percentage', percent: 45, by: 'org' },
  });
  const featureRef = (name: string) => doc.feature_states.find((state) => state.feature.name === name)!.feature;
  const state = (name: string, enabled: boolean, priority: number | null, id: number) => ({
    feature: featureRef(name),
    enabled,
    feature_state_value: null,
    django_id: id,
    featurestate_uuid: null,
    multivariate_feature_state_values: [],
    feature_segment: priority === null ? null : { priority },
  });
  const segments = [
    ...doc.project.segments,
    {
    id: 900,
    name: 'beta_testers',
    rules: [{ type: 'ALL', rules: [], conditions: [{ operator: 'EQUAL', property_: 'plan', value: 'beta' }] }],
    feature_states: [state('gastown', false, 1, 9001), state('molecules', true, 5, 9002)],
    },
  ];
  const identityOverrides = [
    { identifier: 'u3', identity_features: [state('gastown', true, null, 9101), state('convoys', false, null, 9102)] },
    { identifier: 'u4', identity_features: [state('molecules', true, null, 9103)] },
  ];
  return { ...doc, project: { ...doc.project, segments }, identity_overrides: identityOverrides };
}

describe('sliceDocument', () => {
  it('gives every feature the same flag as the whole document (property)', () => {
    const doc = documentWithExtras();
    const whole = compileEnvironment(doc);
    const features = Object.values(manifest.flags).map((flag) => flag.feature);
    const slices = new Map(features.map((feature) => [feature, compileEnvironment(sliceDocument(doc, feature))]));
    fc.assert(
      fc.property(
        fc.oneof(fc.constantFrom('u1', 'u2', 'u3', 'u4'), fc.string({ minLength: 1 })),
        fc.option(fc.constantFrom('o1', 'o2', 'o3'), { nil: undefined }),
        fc.boolean(),
        fc.option(fc.constantFrom('beta', 'pro'), { nil: undefined }),
        (userId, orgId, isAdmin, plan) => {
          const input = toEngineIdentity({ userId, orgId: orgId ?? null, isAdmin, ...(plan ? { traits: { plan } } : {}) });
          const all = whole.evaluate(input).flags;
          for (const feature of features) expect(slices.get(feature)!.evaluate(input).flags[feature]).toEqual(all[feature]);
        },
      ),
      { numRuns: 3000 },
    );
  });
});
