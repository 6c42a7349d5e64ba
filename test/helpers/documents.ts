/**
 * A test builder for environment documents in Flagsmith's `GET /api/v1/environment-document/` format,
 * writing exactly the stage mapping of runtime/policy/naming.ts (the CLI's production writer lives in
 * cli/; this one is for tests anywhere in the repository).
 *
 *   buildDocument(manifest, { gastown: { stage: 'percentage', allowlist: { users: ['u1'] }, percentage: 10 } })
 */
import type { EnvironmentDocument } from '../../runtime/engine/index';
import type { BucketBy, Manifest } from '../../runtime/manifest/types';
import type { Stage } from '../../runtime/policy/decision';
import {
  ADMINS_SEGMENT,
  allowlistSegmentName,
  FLAGSMITH_LIMITS,
  NOBODY_CONDITION,
  percentageSegmentName,
  SEGMENT_PRIORITY,
  TRAIT,
} from '../../runtime/policy/naming';

/** One flag's rollout as a test states it; everything is optional. */
export interface FlagSetup {
  /** Default `admin-only`. */
  readonly stage?: Stage;
  readonly allowlist?: { readonly users?: readonly string[]; readonly orgs?: readonly string[] };
  /** A percentage (bucketing from the manifest) or `{ value, by }`. */
  readonly percentage?: number | { readonly value: number; readonly by?: BucketBy };
  /** The flag's own kill-switch (ignored for flags without one). */
  readonly killed?: boolean;
}

export interface BuildOptions {
  /** `updated_at`, the revision. Default: a fresh timestamp, later than any built before. */
  readonly revision?: string;
  readonly apiKey?: string;
}

export const TEST_API_KEY = 'flagstageTestEnvKey';

const RANK: Record<Stage, number> = { 'admin-only': 0, allowlist: 1, percentage: 2, ga: 3 };
let clock = Date.UTC(2025, 0, 1);

/** A revision later than every one handed out before (microsecond precision, like Flagsmith's). */
export function nextRevision(): string {
  clock += 1000;
  return new Date(clock).toISOString().replace('Z', '000+00:00');
}

interface Ids {
  next: number;
}

function featureRef(ids: Map<string, number>, name: string) {
  return { id: ids.get(name) ?? 0, name, type: 'STANDARD' };
}

function featureState(ids: Map<string, number>, counter: Ids, name: string, enabled: boolean, priority: number | null) {
  const id = counter.next++;
  return {
    feature: featureRef(ids, name),
    enabled,
    feature_state_value: null,
    django_id: id,
    featurestate_uuid: `00000000-0000-4000-8000-${String(id).padStart(12, '0')}`,
    multivariate_feature_state_values: [],
    feature_segment: priority === null ? null : { priority },
  };
}

/** Splits ids into IN values of at most Flagsmith's 1,000 characters each. */
export function chunkIds(ids: readonly string[]): string[] {
  const chunks: string[] = [];
  let current = '';
  for (const id of ids) {
    const next = current === '' ? id : `${current},${id}`;
    if (next.length > FLAGSMITH_LIMITS.conditionValueLength && current !== '') {
      chunks.push(current);
      current = id;
    } else {
      current = next;
    }
  }
  if (current !== '') chunks.push(current);
  return chunks;
}

/**
 * Builds an environment document for a manifest: one feature per flag (enabled = GA), one
 * `<feature>_kill_switch` feature per flag that has one, the `flagstage_admins` segment, and for
 * each flag with a list or percentage (or a stage that needs one) its allowlist / percentage segment,
 * whose override is enabled at that stage and above and disabled below it. Allowlists always start
 * with `NOBODY_CONDITION`, so an empty one matches nobody.
 *
 * @example
 * ```ts
 * const doc = buildDocument(manifest, { gastown: { stage: 'allowlist', allowlist: { users: ['u1'], orgs: ['o1'] } } });
 * ```
 */
export function buildDocument<K extends string>(
  manifest: Manifest<K>,
  setup: Partial<Record<K, FlagSetup>> = {},
  options: BuildOptions = {},
): EnvironmentDocument {
  const keys = Object.keys(manifest.flags) as K[];
  const featureIds = new Map<string, number>();
  let nextFeatureId = 1;
  for (const key of keys) {
    const definition = manifest.flags[key];
    featureIds.set(definition.feature, nextFeatureId++);
    if (definition.killSwitchFeature !== null) featureIds.set(definition.killSwitchFeature, nextFeatureId++);
  }
  const counter: Ids = { next: 1000 };

  const featureStates = [];
  for (const key of keys) {
    const definition = manifest.flags[key];
    const flag = setup[key] ?? {};
    featureStates.push(featureState(featureIds, counter, definition.feature, (flag.stage ?? 'admin-only') === 'ga', null));
    if (definition.killSwitchFeature !== null) {
      featureStates.push(featureState(featureIds, counter, definition.killSwitchFeature, flag.killed === true, null));
    }
  }

  const segments: unknown[] = [
    {
      id: 1,
      name: ADMINS_SEGMENT,
      rules: [{ type: 'ALL', rules: [], conditions: [{ operator: 'EQUAL', property_: TRAIT.isAdmin, value: 'true' }] }],
      feature_states: keys.map((key) => featureState(featureIds, counter, manifest.flags[key].feature, true, SEGMENT_PRIORITY.admins)),
    },
  ];
  keys.forEach((key, index) => {
    const definition = manifest.flags[key];
    const flag = setup[key] ?? {};
    const rank = RANK[flag.stage ?? 'admin-only'];
    const users = flag.allowlist?.users ?? [];
    const orgs = flag.allowlist?.orgs ?? [];
    if (users.length + orgs.length > 0 || rank >= RANK.allowlist) {
      const conditions = [
        { ...NOBODY_CONDITION },
        ...chunkIds(users).map((value) => ({ operator: 'IN', property_: TRAIT.userId, value })),
        ...chunkIds(orgs).map((value) => ({ operator: 'IN', property_: TRAIT.orgId, value })),
      ];
      if (conditions.length > FLAGSMITH_LIMITS.conditionsPerSegment) throw new Error(`buildDocument: the allowlist of ${key} needs more than 100 conditions`);
      segments.push({
        id: 100 + index * 2,
        name: allowlistSegmentName(definition.feature),
        rules: [{ type: 'ALL', conditions: [], rules: [{ type: 'ANY', conditions, rules: [] }] }],
        feature_states: [featureState(featureIds, counter, definition.feature, rank >= RANK.allowlist, SEGMENT_PRIORITY.allowlist)],
      });
    }
    if (flag.percentage !== undefined || rank >= RANK.percentage) {
      const split = typeof flag.percentage === 'object' ? flag.percentage : { value: flag.percentage ?? 0 };
      const by = split.by ?? definition.bucketBy;
      segments.push({
        id: 101 + index * 2,
        name: percentageSegmentName(definition.feature),
        rules: [
          {
            type: 'ALL',
            rules: [],
            conditions: [{ operator: 'PERCENTAGE_SPLIT', property_: by === 'org' ? TRAIT.orgId : '', value: String(split.value) }],
          },
        ],
        feature_states: [featureState(featureIds, counter, definition.feature, rank >= RANK.percentage, SEGMENT_PRIORITY.percentage)],
      });
    }
  });

  const apiKey = options.apiKey ?? TEST_API_KEY;
  const document = {
    api_key: apiKey,
    name: 'Test environment',
    id: 1,
    project: {
      id: 1,
      name: 'Gastown',
      hide_disabled_flags: false,
      organisation: { id: 1, name: 'Test Org', feature_analytics: false, persist_trait_data: true, stop_serving_flags: false },
      segments,
    },
    segment_overrides: [],
    feature_states: featureStates,
    identity_overrides: [],
    updated_at: options.revision ?? nextRevision(),
  };
  return document as unknown as EnvironmentDocument;
}
