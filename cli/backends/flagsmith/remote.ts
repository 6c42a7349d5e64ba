import type { StagedRule } from '../../../runtime/stages/document';
import { UsageError } from '../../io';
import type { ApiEnvironment, ApiFeature, ApiFeatureSegment, ApiFeatureState, ApiSegment } from './api-types';
import type { AdminClient } from './client';
import type { FlagsmithConfig } from './config';
import { sameRules, toApiRules } from './rules';

/**
 * The Flagsmith objects of one project and environment that flagstage manages, loaded once per
 * command, with the calls that create or change them. Every write goes through here, so the
 * README's list of the endpoints flagstage relies on is this file.
 */
export interface Remote {
  readonly environment: ApiEnvironment;
  readonly features: Map<string, ApiFeature>;
  readonly segments: Map<string, ApiSegment>;
}

/**
 * Loads the environment (checking it belongs to the project), the project's features and segments.
 *
 * @example
 * ```ts
 * const remote = await loadRemote(api, config);
 * remote.features.get('gastown')?.id;
 * ```
 */
export async function loadRemote(api: AdminClient, config: FlagsmithConfig): Promise<Remote> {
  const environment = await api.get<ApiEnvironment>(`environments/${encodeURIComponent(config.environmentKey)}/`);
  if (environment.project !== config.projectId) {
    throw new UsageError(
      `FLAGSMITH_ENVIRONMENT_KEY is an environment of project ${environment.project}, not of FLAGSMITH_PROJECT_ID=${config.projectId}; set one of them to match`,
    );
  }
  if (environment.use_v2_feature_versioning === true) {
    throw new UsageError(
      `environment ${environment.name} uses v2 feature versioning, where Flagsmith applies changes only through published versions; flagstage writes feature states directly: use an environment without it`,
    );
  }
  const [features, segments] = await Promise.all([
    api.list<ApiFeature>(`projects/${config.projectId}/features/`, { page_size: 100 }),
    api.list<ApiSegment>(`projects/${config.projectId}/segments/`, { page_size: 100 }),
  ]);
  return {
    environment,
    features: new Map(features.map((feature) => [feature.name, feature])),
    // Names are not unique in Flagsmith; the first wins, as in the policy's reader.
    segments: new Map([...segments].reverse().map((segment) => [segment.name, segment])),
  };
}

/**
 * Creates a feature with its environment defaults disabled, if the project lacks it.
 *
 * @example
 * ```ts
 * await ensureFeature(api, config, remote, 'gastown_kill_switch', 'Kill-switch of gastown');
 * ```
 */
export async function ensureFeature(api: AdminClient, config: FlagsmithConfig, remote: Remote, name: string, description: string): Promise<{ feature: ApiFeature; created: boolean }> {
  const existing = remote.features.get(name);
  if (existing) return { feature: existing, created: false };
  const feature = await api.send<ApiFeature>('POST', `projects/${config.projectId}/features/`, { name, description, default_enabled: false, type: 'STANDARD' });
  remote.features.set(name, feature);
  return { feature, created: true };
}

/**
 * Creates a segment with the given rules, or replaces an existing one's rules when `update` is set
 * and they differ (a PUT without rule ids makes Flagsmith replace the whole rule tree).
 *
 * @example
 * ```ts
 * await ensureSegment(api, config, remote, 'flagstage_gastown_allowlist', allowlistRules(list), true);
 * ```
 */
export async function ensureSegment(
  api: AdminClient,
  config: FlagsmithConfig,
  remote: Remote,
  name: string,
  rules: readonly StagedRule[],
  update: boolean,
): Promise<{ segment: ApiSegment; change: 'created' | 'updated' | null }> {
  const wanted = toApiRules(rules);
  const existing = remote.segments.get(name);
  if (existing === undefined) {
    const segment = await api.send<ApiSegment>('POST', `projects/${config.projectId}/segments/`, { name, description: DESCRIPTION, rules: wanted });
    remote.segments.set(name, segment);
    return { segment, change: 'created' };
  }
  if (!update || sameRules(existing.rules, wanted)) return { segment: existing, change: null };
  const segment = await api.send<ApiSegment>('PUT', `projects/${config.projectId}/segments/${existing.id}/`, { name, description: existing.description ?? DESCRIPTION, rules: wanted });
  remote.segments.set(name, segment);
  return { segment, change: 'updated' };
}

const DESCRIPTION = 'Managed by flagstage (naming: runtime/stages/naming.ts); edit with the flagstage CLI.';

/** A feature's segment overrides and environment default in the environment. */
export interface FeatureOverrides {
  readonly featureId: number;
  /** Segment id -> its feature-segment (the override's priority). */
  readonly featureSegments: Map<number, ApiFeatureSegment>;
  /** The environment default (no segment, no identity). */
  readonly defaultState: ApiFeatureState;
  /** Feature-segment id -> the override's feature state. */
  readonly overrides: Map<number, ApiFeatureState>;
}

/**
 * Loads a feature's feature-segments and feature states in the environment.
 *
 * @example
 * ```ts
 * const overrides = await loadOverrides(api, remote, remote.features.get('gastown')!.id);
 * ```
 */
export async function loadOverrides(api: AdminClient, remote: Remote, featureId: number): Promise<FeatureOverrides> {
  const query = { environment: remote.environment.id, feature: featureId };
  const [featureSegments, states] = await Promise.all([
    api.list<ApiFeatureSegment>('features/feature-segments/', query),
    api.list<ApiFeatureState>('features/featurestates/', query),
  ]);
  const own = states.filter((state) => state.feature === featureId && state.identity === null);
  const defaultState = own.find((state) => state.feature_segment === null);
  if (defaultState === undefined) throw new UsageError(`feature ${featureId} has no default state in environment ${remote.environment.name}; run \`flagstage provision\``);
  return {
    featureId,
    featureSegments: new Map(featureSegments.map((fs) => [fs.segment, fs])),
    defaultState,
    overrides: new Map(own.filter((state) => state.feature_segment !== null).map((state) => [state.feature_segment as number, state])),
  };
}

/**
 * Creates a segment override (a feature-segment, then its feature state) if missing, or sets its
 * `enabled` when `replace` is set. Returns what it did, or null when nothing was needed.
 *
 * @example
 * ```ts
 * await ensureOverride(api, remote, overrides, segment.id, { enabled: true, replace: true });
 * ```
 */
export async function ensureOverride(
  api: AdminClient,
  remote: Remote,
  overrides: FeatureOverrides,
  segmentId: number,
  options: { readonly enabled: boolean; readonly replace: boolean },
): Promise<'created' | 'updated' | null> {
  let featureSegment = overrides.featureSegments.get(segmentId);
  if (featureSegment === undefined) {
    featureSegment = await api.send<ApiFeatureSegment>('POST', 'features/feature-segments/', {
      feature: overrides.featureId,
      segment: segmentId,
      environment: remote.environment.id,
    });
    overrides.featureSegments.set(segmentId, featureSegment);
  }
  const state = overrides.overrides.get(featureSegment.id);
  if (state === undefined) {
    const created = await api.send<ApiFeatureState>('POST', 'features/featurestates/', {
      feature: overrides.featureId,
      environment: remote.environment.id,
      feature_segment: featureSegment.id,
      enabled: options.enabled,
    });
    overrides.overrides.set(featureSegment.id, created);
    return 'created';
  }
  if (!options.replace || state.enabled === options.enabled) return null;
  const updated = await api.send<ApiFeatureState>('PATCH', `features/featurestates/${state.id}/`, { enabled: options.enabled });
  overrides.overrides.set(featureSegment.id, updated);
  return 'updated';
}

/**
 * Sets a feature's environment default.
 *
 * @example
 * ```ts
 * await setDefault(api, remote, overrides, true); // GA
 * ```
 */
export async function setDefault(api: AdminClient, remote: Remote, overrides: FeatureOverrides, enabled: boolean): Promise<boolean> {
  if (overrides.defaultState.enabled === enabled) return false;
  await api.send('PATCH', `environments/${encodeURIComponent(remote.environment.api_key)}/featurestates/${overrides.defaultState.id}/`, {
    feature: overrides.featureId,
    enabled,
  });
  return true;
}

/**
 * Puts the given segments' overrides of one feature in this priority order (first = 0, wins),
 * if they are not already in it.
 *
 * @example
 * ```ts
 * await orderOverrides(api, overrides, [admins.id, allowlist.id, percentage.id]);
 * ```
 */
export async function orderOverrides(api: AdminClient, overrides: FeatureOverrides, segmentIds: readonly number[]): Promise<boolean> {
  const ours = segmentIds.map((id) => overrides.featureSegments.get(id)).filter((fs): fs is ApiFeatureSegment => fs !== undefined);
  const inOrder = ours.every((fs, index) => fs.priority === index);
  if (inOrder) return false;
  await api.send('POST', 'features/feature-segments/update-priorities/', ours.map((fs, index) => ({ id: fs.id, priority: index })));
  ours.forEach((fs, index) => overrides.featureSegments.set(fs.segment, { ...fs, priority: index }));
  return true;
}
