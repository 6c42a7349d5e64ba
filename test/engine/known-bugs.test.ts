/**
 * Where flagstage deliberately differs from flagsmith-nodejs 8.1.2, one concrete case each: what
 * flagsmith-nodejs returns, and what flagstage returns instead and why.
 */
import { describe, expect, it } from 'vitest';
import { compileEnvironment, type EnvironmentDocument, type SegmentConditionDocument } from 'flagstage/engine';
import { asSdkFlags, localEvaluationClient, referenceEngine } from './reference';

function documentWith(condition: SegmentConditionDocument, overrides: EnvironmentDocument['identity_overrides'] = []): EnvironmentDocument {
  const state = (enabled: boolean) => ({
    feature: { id: 1, name: 'gastown', type: 'STANDARD' },
    enabled,
    feature_state_value: null,
    featurestate_uuid: '7d8a5c36-8d3c-4d0c-9e49-6a2a7d4f5e10',
    feature_segment: { priority: 0 },
    multivariate_feature_state_values: [],
  });
  return {
    api_key: 'env-key',
    name: 'Production',
    feature_states: [{ ...state(false), feature_segment: null }],
    project: {
      id: 1,
      name: 'Project',
      organisation: { id: 1, name: 'Org', feature_analytics: false, stop_serving_flags: false, persist_trait_data: true },
      segments: [{ id: 10, name: 'flagstage_gastown_segment', rules: [{ type: 'ALL', rules: [], conditions: [condition] }], feature_states: [state(true)] }],
    },
    identity_overrides: overrides,
  };
}

const enabledFor = (doc: EnvironmentDocument, identifier: string, traits: Record<string, string | number | boolean | null> = {}) =>
  compileEnvironment(doc).evaluate({ identifier, traits }).flags.gastown!.enabled;

describe('known flagsmith-nodejs bugs, case by case', () => {
  it('bare trait names in PERCENTAGE_SPLIT: flagsmith-nodejs never matches; flagstage buckets the trait', () => {
    // Org bucketing is a bare `org_id` property: flagsmith-nodejs reads only `$.` paths in a split.
    const doc = documentWith({ operator: 'PERCENTAGE_SPLIT', property_: 'org_id', value: '100' });
    expect(referenceEngine(doc, 'user-1', { org_id: 'org-1' }).flags.gastown!.enabled).toBe(false);
    expect(enabledFor(doc, 'user-1', { org_id: 'org-1' })).toBe(true);
    // Spelled as a path, both agree: flagstage reads the bare name as that trait.
    const path = documentWith({ operator: 'PERCENTAGE_SPLIT', property_: '$.identity.traits.org_id', value: '100' });
    expect(referenceEngine(path, 'user-1', { org_id: 'org-1' }).flags.gastown!.enabled).toBe(true);
    // No trait, no bucket: the identity key is not a fallback.
    expect(enabledFor(doc, 'user-1')).toBe(false);
  });

  const overridden = [{ identifier: 'overridden', identity_features: [], identity_traits: [{ trait_key: 'plan', trait_value: 'pro' }] }];

  it('identities with overrides keep mutated traits in a long-lived flagsmith-nodejs client; flagstage is pure', async () => {
    const doc = documentWith({ operator: 'EQUAL', property_: 'plan', value: 'pro' }, overridden);
    const client = await localEvaluationClient(doc);
    try {
      // Not passed in this call, yet the client uses `plan: 'pro'` from the document...
      expect((await client.flags('overridden', {})).gastown!.enabled).toBe(true);
      // ...and a later call keeps what an earlier one passed.
      await client.flags('overridden', { plan: 'pro' });
      expect((await client.flags('overridden', { other: 'x' })).gastown!.enabled).toBe(true);
    } finally {
      await client.close();
    }
    expect(enabledFor(doc, 'overridden')).toBe(false);
    expect(enabledFor(doc, 'overridden', { other: 'x' })).toBe(false);
    expect(enabledFor(doc, 'overridden', { plan: 'pro' })).toBe(true);
  });

  it('falsy trait values of identities with overrides are dropped by flagsmith-nodejs; flagstage keeps them', async () => {
    const doc = documentWith({ operator: 'EQUAL', property_: 'seats', value: '0' }, [{ ...overridden[0]!, identity_traits: [] }]);
    const client = await localEvaluationClient(doc);
    try {
      expect((await client.flags('overridden', { seats: 0 })).gastown!.enabled).toBe(false);
      // The same identity without overrides is evaluated correctly by the same client.
      expect((await client.flags('someone-else', { seats: 0 })).gastown!.enabled).toBe(true);
    } finally {
      await client.close();
    }
    expect(enabledFor(doc, 'overridden', { seats: 0 })).toBe(true);
    const isSet = documentWith({ operator: 'IS_SET', property_: 'beta', value: '' }, [{ ...overridden[0]!, identity_traits: [] }]);
    expect(enabledFor(isSet, 'overridden', { beta: false })).toBe(true);
  });

  it('identity overrides for identifiers containing commas: flagsmith-nodejs splits them; flagstage matches exactly', () => {
    const override = {
      identifier: 'a,b',
      identity_features: [
        { feature: { id: 1, name: 'gastown', type: 'STANDARD' }, enabled: true, feature_state_value: 'override', featurestate_uuid: '0b0c8f52-3f5e-4b1c-8f6a-1f2e3d4c5b6a', multivariate_feature_state_values: [] },
      ],
    };
    const doc = documentWith({ operator: 'IS_SET', property_: 'never', value: '' }, [override]);
    expect(referenceEngine(doc, 'a,b', {}).flags.gastown!.enabled).toBe(false);
    expect(referenceEngine(doc, 'a', {}).flags.gastown!.enabled).toBe(true);
    expect(enabledFor(doc, 'a,b')).toBe(true);
    expect(enabledFor(doc, 'a')).toBe(false);
  });

  it('a split on a path to an object: flagsmith-nodejs hashes "[object Object]"; flagstage treats it as not set', () => {
    const doc = documentWith({ operator: 'PERCENTAGE_SPLIT', property_: '$.identity', value: '100' });
    expect(referenceEngine(doc, 'user-1', {}).flags.gastown!.enabled).toBe(true);
    expect(enabledFor(doc, 'user-1')).toBe(false);
  });

  it('inherited object members are not traits: flagsmith-nodejs finds `constructor` set on every identity', () => {
    const doc = documentWith({ operator: 'IS_SET', property_: 'constructor', value: '' });
    expect(referenceEngine(doc, 'user-1', {}).flags.gastown!.enabled).toBe(true);
    expect(enabledFor(doc, 'user-1')).toBe(false);
    expect(enabledFor(doc, 'user-1', { constructor: 'set' })).toBe(true);
  });

  it('agrees with the SDK on the same document otherwise', async () => {
    const doc = documentWith({ operator: 'EQUAL', property_: 'plan', value: 'pro' });
    const client = await localEvaluationClient(doc);
    try {
      expect(await client.flags('user-1', { plan: 'pro' })).toEqual(asSdkFlags(compileEnvironment(doc).evaluate({ identifier: 'user-1', traits: { plan: 'pro' } })));
    } finally {
      await client.close();
    }
  });
});
