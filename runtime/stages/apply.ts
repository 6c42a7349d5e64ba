import { FlagstageError, unknownFlag } from '../errors/flagstage-error';
import type { FlagDefinition, Manifest } from '../manifest/types';
import type { StagedDocument, StagedFeature, StagedFeatureState, StagedRule, StagedSegment } from './document';
import { ADMINS_SEGMENT, allowlistSegmentName, percentageSegmentName, SEGMENT_PRIORITY } from './naming';
import { readRollout } from './read';
import { patchedRollout, type RolloutPatch } from './rollout';
import { adminRules, allowlistRules, percentageRules } from './rules';
import { stageAtLeast } from './stages';
import { stableUuid } from './uuid';

/**
 * Pure document edits (document in, new document out; the input is never mutated) that put a
 * rollout into a Flagsmith environment document exactly as naming.ts maps it: the environment
 * default is GA, the allowlist and percentage segment overrides are enabled from their stage up
 * (they stay, disabled, below it, so their lists survive), the admins segment overrides every flag
 * to enabled, and `<feature>_kill_switch` enabled is killed.
 */

type Writable<T> = T extends readonly (infer U)[] ? Writable<U>[] : T extends object ? { -readonly [K in keyof T]: Writable<T[K]> } : T;
type Draft = Writable<StagedDocument>;

/** What a new document is made with. */
export interface NewDocumentOptions {
  /** The environment's key (`api_key`): part of Flagsmith's identity hash for percentage splits. */
  readonly apiKey: string;
  /** `updated_at`, the document's revision. */
  readonly revision: string;
  /** The environment's name. Default `flagstage`. */
  readonly name?: string;
}

/**
 * A new document for the manifest with every flag admin-only and nothing killed.
 *
 * @example
 * ```ts
 * const doc = createDocument(manifest, { apiKey: 'local-3f2a', revision: new Date().toISOString() });
 * ```
 */
export function createDocument(manifest: Manifest, options: NewDocumentOptions): StagedDocument {
  const empty: StagedDocument = {
    id: 1,
    api_key: options.apiKey,
    name: options.name ?? 'flagstage',
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
export function ensureFlags(doc: StagedDocument, manifest: Manifest): StagedDocument {
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
 * Applies a change to one flag's rollout and writes nothing else: a patch without `killed` leaves
 * the kill-switch as the document has it, one without `allowlist` leaves the list. The result reads
 * back (`readRollout`) as the flag's rollout with the patch applied. The revision is not touched:
 * the store sets it when it saves (`withRevision`). Throws for a change the document cannot hold
 * (a flag not in the manifest, a kill without a kill-switch, the percentage stage without a
 * percentage, an allowlist `allowlistProblem` refuses).
 *
 * @example
 * ```ts
 * const next = applyRollout(doc, manifest, 'gastown', { stage: 'allowlist', allowlist: { users: ['u1'], orgs: [] } });
 * readRollout(manifest, next).gastown.stage; // 'allowlist'
 * ```
 */
export function applyRollout(doc: StagedDocument, manifest: Manifest, flag: string, patch: RolloutPatch): StagedDocument {
  const definition: FlagDefinition | undefined = Object.prototype.hasOwnProperty.call(manifest.flags, flag) ? manifest.flags[flag] : undefined;
  if (definition === undefined) throw unknownFlag(flag);
  if (patch.killed !== undefined && definition.killSwitchFeature === null) throw new FlagstageError('usage', `"${flag}" has no kill-switch of its own`);
  const draft = clone(ensureFlags(doc, manifest));
  const before = readRollout(manifest, draft)[flag];
  if (before === undefined) throw unknownFlag(flag);
  const target = patchedRollout(before, patch);
  if (target.stage === 'percentage' && target.percentage === null) {
    throw new FlagstageError('usage', `"${flag}" cannot be at stage percentage without a percentage`);
  }
  const feature = ensureFeature(draft, definition.feature);

  if (patch.killed !== undefined && definition.killSwitchFeature !== null) defaultState(draft, definition.killSwitchFeature).enabled = patch.killed;
  if (patch.allowlist !== undefined) upsertSegment(draft, allowlistSegmentName(definition.feature), allowlistRules(target.allowlist), true);
  if (patch.percentage !== undefined && target.percentage !== null) {
    const percentage = upsertSegment(draft, percentageSegmentName(definition.feature), percentageRules(target.percentage), true);
    upsertOverride(draft, percentage, feature, { enabled: stageAtLeast(target.stage, 'percentage'), priority: SEGMENT_PRIORITY.percentage, replace: true });
  }
  if (patch.stage !== undefined) {
    defaultState(draft, definition.feature).enabled = target.stage === 'ga';
    // Enabled from the list's stage up, GA included: a disabled override would switch its members off.
    for (const [name, floor, priority] of [
      [allowlistSegmentName(definition.feature), 'allowlist', SEGMENT_PRIORITY.allowlist],
      [percentageSegmentName(definition.feature), 'percentage', SEGMENT_PRIORITY.percentage],
    ] as const) {
      // ensureFlags made the allowlist segment; the percentage one exists once a percentage was set.
      const segment = draft.project.segments.find((candidate) => candidate.name === name);
      if (segment !== undefined) upsertOverride(draft, segment, feature, { enabled: stageAtLeast(target.stage, floor), priority, replace: true });
    }
  }
  return draft;
}

/**
 * The same document at a new revision.
 *
 * @example
 * ```ts
 * const saved = withRevision(next, '2026-11-28T10:00:00.000Z');
 * ```
 */
export function withRevision(doc: StagedDocument, revision: string): StagedDocument {
  return { ...doc, updated_at: revision };
}

function clone(doc: StagedDocument): Draft {
  return structuredClone(doc) as Draft;
}

function allFeatureStates(draft: Draft): Writable<StagedFeatureState>[] {
  return [...draft.feature_states, ...draft.project.segments.flatMap((segment) => segment.feature_states)];
}

function ensureFeature(draft: Draft, name: string): StagedFeature {
  const existing = draft.feature_states.find((state) => state.feature.name === name);
  if (existing) return existing.feature;
  const known = allFeatureStates(draft).find((state) => state.feature.name === name)?.feature;
  const feature: StagedFeature = known ?? { id: nextId(allFeatureStates(draft).map((state) => state.feature.id)), name, type: 'STANDARD' };
  draft.feature_states.push(newState(draft, feature, false, null));
  return feature;
}

function defaultState(draft: Draft, name: string): Writable<StagedFeatureState> {
  const state = draft.feature_states.find((candidate) => candidate.feature.name === name);
  if (!state) throw new FlagstageError('invalid-document', `the document has no feature "${name}"`);
  return state;
}

function upsertSegment(draft: Draft, name: string, rules: StagedRule[], replaceRules: boolean): Writable<StagedSegment> {
  const existing = draft.project.segments.find((segment) => segment.name === name);
  if (existing) {
    if (replaceRules) existing.rules = rules as Writable<StagedRule>[];
    return existing;
  }
  const segment: Writable<StagedSegment> = {
    id: nextId(draft.project.segments.map((candidate) => candidate.id)),
    name,
    rules: rules as Writable<StagedRule>[],
    feature_states: [],
  };
  draft.project.segments.push(segment);
  return segment;
}

function upsertOverride(
  draft: Draft,
  segment: Writable<StagedSegment>,
  feature: StagedFeature,
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

function newState(draft: Draft, feature: StagedFeature, enabled: boolean, featureSegment: { priority: number } | null): Writable<StagedFeatureState> {
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
