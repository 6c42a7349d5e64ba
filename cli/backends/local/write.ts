import { unknownFlag } from '../../../runtime/errors/flagstage-error';
import { BackendError, UsageError } from '../../io';
import type { FlagDefinition, Manifest } from '../../../runtime/manifest/types';
import type { Stage } from '../../../runtime/policy/decision';
import { ADMINS_SEGMENT, allowlistSegmentName, percentageSegmentName, SEGMENT_PRIORITY } from '../../../runtime/policy/naming';
import type { FlagRollout } from '../../../runtime/policy/rollout';
import type { DocFeature, DocFeatureState, DocRule, DocSegment, EnvironmentDoc } from './document';
import { stableUuid } from './revision';
import { adminRules, allowlistRules, percentageRules } from './rules';

/**
 * Pure document edits (document in, new document out; the input is never mutated) that put a
 * rollout into a Flagsmith environment document exactly as runtime/policy/naming.ts maps it:
 * the environment default is GA, the allowlist and percentage segment overrides are enabled from
 * their stage up (they stay, disabled, below it, so their lists survive), the admins segment
 * overrides every flag to enabled, and `<feature>_kill_switch` enabled is killed.
 */

const STAGE_RANK: Record<Stage, number> = { 'admin-only': 0, allowlist: 1, percentage: 2, ga: 3 };

type Writable<T> = T extends readonly (infer U)[] ? Writable<U>[] : T extends object ? { -readonly [K in keyof T]: Writable<T[K]> } : T;
type Draft = Writable<EnvironmentDoc>;

/**
 * A new document for the manifest with every flag admin-only and nothing killed.
 *
 * @example
 * ```ts
 * const doc = createDocument(manifest, { apiKey: 'local-3f2a', revision: new Date().toISOString() });
 * ```
 */
export function createDocument(manifest: Manifest, options: { readonly apiKey: string; readonly revision: string }): EnvironmentDoc {
  const empty: EnvironmentDoc = {
    id: 1,
    api_key: options.apiKey,
    name: 'flagstage local',
    project: {
      id: 1,
      name: 'flagstage',
      organisation: { id: 1, name: 'flagstage', feature_analytics: false, persist_trait_data: false, stop_serving_flags: false },
      hide_disabled_flags: false,
      segments: [],
    },
    feature_states: [],
    identity_overrides: [],
    updated_at: options.revision,
  };
  return ensureFlags(empty, manifest);
}

/**
 * Adds what the manifest needs and the document lacks (a flag added since the document was made):
 * each flag's feature and kill-switch feature (disabled), the admins segment and its override, and
 * an empty allowlist segment with a disabled override. Existing state is left as it is.
 *
 * @example
 * ```ts
 * const current = ensureFlags(doc, manifest);
 * ```
 */
export function ensureFlags(doc: EnvironmentDoc, manifest: Manifest): EnvironmentDoc {
  const draft = clone(doc);
  const admins = upsertSegment(draft, ADMINS_SEGMENT, adminRules(), false);
  for (const definition of Object.values(manifest.flags)) {
    const feature = ensureFeature(draft, definition.feature);
    if (definition.killSwitchFeature !== null) ensureFeature(draft, definition.killSwitchFeature);
    upsertOverride(draft, admins, feature, { enabled: true, priority: SEGMENT_PRIORITY.admins, replace: false });
    const allowlist = upsertSegment(draft, allowlistSegmentName(definition.feature), allowlistRules({ users: [], orgs: [] }), false);
    upsertOverride(draft, allowlist, feature, { enabled: false, priority: SEGMENT_PRIORITY.allowlist, replace: false });
  }
  return draft;
}

/**
 * Writes one flag's rollout into the document (after ensureFlags). The revision is not touched:
 * the store sets it when it saves.
 *
 * @example
 * ```ts
 * const next = writeRollout(doc, manifest, { ...before, stage: 'allowlist', allowlist: { users: ['u1'], orgs: [] } });
 * ```
 */
export function writeRollout(doc: EnvironmentDoc, manifest: Manifest, rollout: FlagRollout): EnvironmentDoc {
  const definition: FlagDefinition | undefined = manifest.flags[rollout.flag];
  if (definition === undefined) throw unknownFlag(rollout.flag, 'this manifest');
  if (rollout.killed && definition.killSwitchFeature === null) {
    throw new UsageError(`"${rollout.flag}" has no kill-switch of its own`);
  }
  const rank = STAGE_RANK[rollout.stage];
  if (rollout.stage === 'percentage' && rollout.percentage === null) {
    throw new UsageError(`"${rollout.flag}" cannot be at stage percentage without a percentage`);
  }
  const draft = clone(ensureFlags(doc, manifest));
  const feature = ensureFeature(draft, definition.feature);
  defaultState(draft, definition.feature).enabled = rollout.stage === 'ga';
  if (definition.killSwitchFeature !== null) defaultState(draft, definition.killSwitchFeature).enabled = rollout.killed;

  const allowlist = upsertSegment(draft, allowlistSegmentName(definition.feature), allowlistRules(rollout.allowlist), true);
  // Enabled from the allowlist stage up, GA included: a disabled override would switch its members off.
  upsertOverride(draft, allowlist, feature, { enabled: rank >= STAGE_RANK.allowlist, priority: SEGMENT_PRIORITY.allowlist, replace: true });
  if (rollout.percentage !== null) {
    const percentage = upsertSegment(draft, percentageSegmentName(definition.feature), percentageRules(rollout.percentage), true);
    upsertOverride(draft, percentage, feature, { enabled: rank >= STAGE_RANK.percentage, priority: SEGMENT_PRIORITY.percentage, replace: true });
  }
  return draft;
}

/**
 * The same document at a new revision.
 *
 * @example
 * ```ts
 * const saved = withRevision(next, nextRevision(doc.updated_at, Date.now()));
 * ```
 */
export function withRevision(doc: EnvironmentDoc, revision: string): EnvironmentDoc {
  return { ...doc, updated_at: revision };
}

function clone(doc: EnvironmentDoc): Draft {
  return structuredClone(doc) as Draft;
}

function allFeatureStates(draft: Draft): Writable<DocFeatureState>[] {
  return [...draft.feature_states, ...draft.project.segments.flatMap((segment) => segment.feature_states)];
}

function ensureFeature(draft: Draft, name: string): DocFeature {
  const existing = draft.feature_states.find((state) => state.feature.name === name);
  if (existing) return existing.feature;
  const known = allFeatureStates(draft).find((state) => state.feature.name === name)?.feature;
  const feature: DocFeature = known ?? { id: nextId(allFeatureStates(draft).map((state) => state.feature.id)), name, type: 'STANDARD' };
  draft.feature_states.push(newState(draft, feature, false, null));
  return feature;
}

function defaultState(draft: Draft, name: string): Writable<DocFeatureState> {
  const state = draft.feature_states.find((candidate) => candidate.feature.name === name);
  if (!state) throw new BackendError(`the document has no feature "${name}"`);
  return state;
}

function upsertSegment(draft: Draft, name: string, rules: DocRule[], replaceRules: boolean): Writable<DocSegment> {
  const existing = draft.project.segments.find((segment) => segment.name === name);
  if (existing) {
    if (replaceRules) existing.rules = rules as Writable<DocRule>[];
    return existing;
  }
  const segment: Writable<DocSegment> = {
    id: nextId(draft.project.segments.map((candidate) => candidate.id)),
    name,
    rules: rules as Writable<DocRule>[],
    feature_states: [],
  };
  draft.project.segments.push(segment);
  return segment;
}

function upsertOverride(
  draft: Draft,
  segment: Writable<DocSegment>,
  feature: DocFeature,
  options: { readonly enabled: boolean; readonly priority: number; readonly replace: boolean },
): void {
  const existing = segment.feature_states.find((state) => state.feature.name === feature.name);
  if (existing) {
    if (options.replace) {
      existing.enabled = options.enabled;
      existing.feature_segment = { priority: options.priority };
    }
    return;
  }
  segment.feature_states.push(newState(draft, feature, options.enabled, { priority: options.priority }));
}

function newState(draft: Draft, feature: DocFeature, enabled: boolean, featureSegment: { priority: number } | null): Writable<DocFeatureState> {
  const djangoId = nextId(allFeatureStates(draft).map((state) => state.django_id));
  return {
    feature: { ...feature },
    enabled,
    feature_state_value: null,
    django_id: djangoId,
    featurestate_uuid: stableUuid(`${draft.api_key}/featurestate/${djangoId}`),
    feature_segment: featureSegment,
    multivariate_feature_state_values: [],
  };
}

function nextId(ids: readonly number[]): number {
  return ids.reduce((max, id) => (Number.isFinite(id) && id > max ? id : max), 0) + 1;
}
