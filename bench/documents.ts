// Documents the benchmarks share: Gastown's manifest staged as in production, grown with the lists
// and the unrelated features and segments a real Flagsmith project accumulates.
import { manifest } from '../flags.gen';
import type { EnvironmentDocument, FeatureStateDocument, SegmentDocument } from '../runtime/engine/index';
import { packIds } from '../runtime/stages/allowlist';
import { buildDocument } from '../runtime/testing/index';

export { manifest };

/** `count` user ids of about 10 characters. */
export function userIds(count: number, prefix = 'user-'): string[] {
  return Array.from({ length: count }, (_, i) => `${prefix}${i * 7}`);
}

let stateId = 100_000;
function unrelatedState(id: number, name: string, enabled: boolean, priority?: number): FeatureStateDocument {
  return {
    feature: { id, name, type: 'STANDARD' },
    enabled,
    feature_state_value: null,
    django_id: stateId++,
    featurestate_uuid: `00000000-0000-4000-8000-${String(stateId).padStart(12, '0')}`,
    feature_segment: priority === undefined ? null : { priority },
    multivariate_feature_state_values: [],
  };
}

/**
 * Gastown's flags (gastown at the allowlist stage with `allowlistUsers` users and a few orgs,
 * convoys at 25%, prMerge GA, the rest admin-only), plus `features` unrelated features and
 * `segments` unrelated segments (traits, splits, IN lists, regexes, versions) overriding them.
 */
export function gastownDocument(allowlistUsers: number, features: number, segments: number): EnvironmentDocument {
  const doc = buildDocument(
    manifest,
    {
      gastown: { stage: 'allowlist', users: userIds(allowlistUsers), orgs: ['org-1', 'org-2', 'org-3'] },
      convoys: { stage: 'percentage', percent: 25 },
      prMerge: { stage: 'ga' },
    },
    { revision: '2026-07-01T10:00:00.000000+00:00' },
  );
  const states = doc.feature_states as FeatureStateDocument[];
  for (let i = 0; i < features; i++) states.push(unrelatedState(10_000 + i, `feature_${i}`, i % 3 === 0));
  const list = doc.project.segments as SegmentDocument[];
  const kinds = [
    (i: number) => [{ operator: 'EQUAL', property_: 'plan', value: i % 2 ? 'pro' : 'team' }],
    (i: number) => [{ operator: 'PERCENTAGE_SPLIT', property_: '', value: String(i % 100) }],
    (i: number) => packIds(userIds(20, `org-${i}-`)).map((value) => ({ operator: 'IN', property_: 'org_id', value })),
    () => [{ operator: 'REGEX', property_: 'email', value: '@example\\.com$' }],
    (i: number) => [{ operator: 'GREATER_THAN_INCLUSIVE', property_: 'app_version', value: `1.${i % 10}.0:semver` }],
  ];
  for (let i = 0; i < segments; i++) {
    const overrides = features === 0 ? [] : Array.from({ length: 1 }, (_, j) => {
      const feature = (i + j * 7) % features;
      return unrelatedState(10_000 + feature, `feature_${feature}`, true, i % 7);
    });
    list.push({
      id: 5_000 + i,
      name: `segment_${i}`,
      rules: [{ type: i % 2 ? 'ALL' : 'ANY', rules: [{ type: 'ALL', rules: [], conditions: kinds[i % kinds.length]!(i) }], conditions: [] }],
      feature_states: overrides,
    });
  }
  return doc;
}
