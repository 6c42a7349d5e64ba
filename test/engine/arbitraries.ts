/**
 * fast-check generators for environment documents and identities: every operator, nested rules,
 * segment overrides with priorities, multivariate values (by id and by UUID) and identity
 * overrides, over a small vocabulary so that conditions often match.
 */
import fc from 'fast-check';
import type { EnvironmentDocument, FeatureStateDocument, SegmentConditionDocument, SegmentRuleDocument, TraitValue } from 'flagstage/engine';

export const TRAIT_NAMES = ['plan', 'age', 'version', 'score', 'flag'] as const;
// No commas: flagsmith-nodejs joins override identifiers with commas (see the differential test).
export const IDENTIFIERS = ['user-1', 'user-2', 'user-3', 'admin', 'ünïcødé', 'with space'] as const;

export const traitValue: fc.Arbitrary<TraitValue> = fc.oneof(
  fc.constantFrom('pro', 'free', '', 'true', 'false', 'False', '10', '1.5', '0', 'abc', '1.2.3', '2.0.0-beta.1', 'v1.0.0', 'user-1', 'Production'),
  fc.integer({ min: -5, max: 20 }),
  fc.constantFrom(1.5, -0, 0, 2.5, 1e21),
  fc.boolean(),
  fc.constant(null),
);

export const traits: fc.Arbitrary<Record<string, TraitValue>> = fc.dictionary(fc.constantFrom(...TRAIT_NAMES), traitValue, { maxKeys: 5 });

export const identity = fc.record({ identifier: fc.constantFrom(...IDENTIFIERS), traits });

const PROPERTIES = [
  ...TRAIT_NAMES,
  '$.identity.traits.plan',
  "$.identity.traits['age']",
  '$.identity.traits.score',
  '$.identity.identifier',
  '$.identity.key',
  '$.environment.name',
  '$.identity',
  '$.leads.to.nowhere',
  '',
  'missing',
];
// `$.identity` is an object: flagsmith-nodejs hashes "[object Object]" for a split on it, while
// Flagsmith treats object paths as not set (see the differential test); it is left out of splits.
const SPLIT_PROPERTIES = PROPERTIES.filter((property) => property !== '$.identity');

const VALUES: Record<string, readonly string[]> = {
  compare: ['10', '1.5', '0', 'abc', 'pro', '', 'true', 'false', 'False', 'Production', '1.2.3:semver', '2.0.0-beta.1:semver', 'v1.0.0:semver', '1.10.0:semver', 'bad:semver'],
  CONTAINS: ['r', 'pro', '1', '', '.', 'user'],
  NOT_CONTAINS: ['r', 'pro', '1', '', '.', 'user'],
  REGEX: ['^p', '\\d+', '[', 'RO', '^$', '.*', 'true', '^user-[12]$'],
  MODULO: ['2|0', '3|1', '2.5|0.5', '0|0', 'x|1', '2', '', '5|0|1'],
  IN: ['pro,free', '["pro", "1", 10]', '1,2,10', 'user-1,user-2', '[bad', '', 'true,false', '["user-3"]', 'Production'],
  IS_SET: ['', 'x'],
  IS_NOT_SET: ['', 'x'],
  PERCENTAGE_SPLIT: ['0', '10', '50', '75.5', '99.9', '100', '150', '-1', 'abc'],
};
const COMPARISONS = ['EQUAL', 'NOT_EQUAL', 'GREATER_THAN', 'GREATER_THAN_INCLUSIVE', 'LESS_THAN', 'LESS_THAN_INCLUSIVE'];
export const OPERATORS = [...COMPARISONS, 'CONTAINS', 'NOT_CONTAINS', 'REGEX', 'MODULO', 'IN', 'IS_SET', 'IS_NOT_SET', 'PERCENTAGE_SPLIT'] as const;

const condition: fc.Arbitrary<SegmentConditionDocument> = fc.constantFrom(...OPERATORS).chain((operator) =>
  fc.record({
    operator: fc.constant(operator),
    property_: fc.constantFrom(...(operator === 'PERCENTAGE_SPLIT' ? SPLIT_PROPERTIES : PROPERTIES)),
    value: fc.option(fc.constantFrom(...(VALUES[operator] ?? VALUES.compare!)), { nil: null, freq: 12 }),
  }),
);

const { rule } = fc.letrec<{ rule: SegmentRuleDocument }>((tie) => ({
  rule: fc.record({
    type: fc.constantFrom('ALL', 'ANY', 'NONE'),
    conditions: fc.array(condition, { maxLength: 3 }),
    rules: fc.oneof({ depthSize: 'small' }, fc.constant([]), fc.array(tie('rule'), { maxLength: 2 })),
  }),
}));

// Segments that are only "identifier IN [...]", which the engine indexes instead of evaluating.
const identifierRules: fc.Arbitrary<SegmentRuleDocument[]> = fc
  .record({
    type: fc.constantFrom('ALL', 'ANY'),
    identifiers: fc.uniqueArray(fc.constantFrom(...IDENTIFIERS, ''), { minLength: 1, maxLength: 3 }),
    json: fc.boolean(),
  })
  .map(({ type, identifiers, json }) => [
    { type, rules: [], conditions: [{ operator: 'IN', property_: '$.identity.identifier', value: json ? JSON.stringify(identifiers) : identifiers.join(',') }] },
  ]);

const flagValue = fc.oneof(fc.constantFrom('on', 'off', '', 'blue'), fc.integer({ min: 0, max: 9 }), fc.boolean(), fc.constant(null));

const multivariateValue = fc.record({
  id: fc.option(fc.integer({ min: 1, max: 100_000 }), { nil: null, freq: 4 }),
  mv_fs_value_uuid: fc.uuid(),
  percentage_allocation: fc.oneof(fc.integer({ min: 0, max: 100 }), fc.constantFrom(33.3, 12.5, 50)),
  multivariate_feature_option: fc.record({ value: fc.constantFrom('a', 'b', 'c') }),
});

function featureState(name: string, id: number, inSegment: boolean): fc.Arbitrary<FeatureStateDocument> {
  return fc.record({
    feature: fc.constant({ id, name, type: 'STANDARD' }),
    enabled: fc.boolean(),
    feature_state_value: flagValue,
    django_id: fc.option(fc.integer({ min: 0, max: 1_000_000 }), { nil: null }),
    featurestate_uuid: fc.uuid(),
    feature_segment: inSegment
      ? fc.option(fc.record({ priority: fc.option(fc.integer({ min: 0, max: 3 }), { nil: null }) }), { nil: null, freq: 5 })
      : fc.constant(null),
    multivariate_feature_state_values: fc.oneof(fc.constant([]), fc.array(multivariateValue, { minLength: 1, maxLength: 3 })),
  });
}

export const document: fc.Arbitrary<EnvironmentDocument> = fc.integer({ min: 1, max: 4 }).chain((featureCount) => {
  const names = Array.from({ length: featureCount }, (_, i) => `feature_${i}`);
  const anyFeature = (inSegment: boolean) =>
    fc.integer({ min: 0, max: featureCount - 1 }).chain((i) => featureState(names[i]!, i + 1, inSegment));
  const segment = (id: number) =>
    fc.record({
      id: fc.constant(id),
      name: fc.constantFrom('segment_a', 'segment_b', `segment_${id}`),
      rules: fc.oneof({ weight: 3, arbitrary: fc.array(rule, { maxLength: 2 }) }, { weight: 1, arbitrary: identifierRules }),
      feature_states: fc.array(anyFeature(true), { maxLength: 3 }),
    });
  const identityOverride = (identifier: string) =>
    fc.record({
      identifier: fc.constant(identifier),
      identity_features: fc.array(anyFeature(false), { maxLength: 2 }),
      identity_traits: fc.array(fc.record({ trait_key: fc.constantFrom(...TRAIT_NAMES), trait_value: traitValue }), { maxLength: 3 }),
    });
  return fc.record({
    api_key: fc.constantFrom('env-key-1', 'ser.abc'),
    name: fc.constantFrom('Production', 'Staging'),
    feature_states: fc.tuple(...names.map((name, i) => featureState(name, i + 1, false))),
    project: fc.record({
      id: fc.constant(1),
      name: fc.constant('Project'),
      hide_disabled_flags: fc.constant(false),
      organisation: fc.constant({ id: 1, name: 'Org', feature_analytics: false, stop_serving_flags: false, persist_trait_data: true }),
      segments: fc.uniqueArray(fc.integer({ min: 1, max: 50 }), { maxLength: 4 }).chain((ids) => fc.tuple(...ids.map(segment))),
    }),
    identity_overrides: fc
      .uniqueArray(fc.constantFrom(...IDENTIFIERS), { maxLength: 2 })
      .chain((identifiers) => fc.tuple(...identifiers.map(identityOverride))),
  });
});
