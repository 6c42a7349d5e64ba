import type { FlagDefinition } from '../../../runtime/manifest/types';
import type { Stage } from '../../../runtime/policy/decision';
import { ADMINS_SEGMENT, allowlistSegmentName, percentageSegmentName } from '../../../runtime/policy/naming';
import type { FlagRollout } from '../../../runtime/policy/rollout';
import { UsageError } from '../../io';
import { adminRules, allowlistRules, percentageRules } from '../local/rules';
import type { AdminClient } from './client';
import type { FlagsmithConfig } from './config';
import { ensureOverride, ensureSegment, loadOverrides, orderOverrides, setDefault, type Remote } from './remote';

const RANK: Record<Stage, number> = { 'admin-only': 0, allowlist: 1, percentage: 2, ga: 3 };

/**
 * Makes one flag's Flagsmith objects say `rollout`, in an order that never lets anyone in early:
 * first what restricts (a kill, a default or override switched off), then the segments' rules,
 * then what opens up (overrides and defaults switched on, a revive). Segments and overrides the
 * flag needs and lacks are created; the features must exist (`flagstage provision`).
 *
 * @example
 * ```ts
 * await applyRollout(api, config, remote, manifest.flags.gastown, { ...before, stage: 'allowlist' });
 * ```
 */
export async function applyRollout(api: AdminClient, config: FlagsmithConfig, remote: Remote, definition: FlagDefinition, rollout: FlagRollout): Promise<void> {
  const feature = requireFeature(remote, definition.feature);
  const killFeature = definition.killSwitchFeature === null ? null : requireFeature(remote, definition.killSwitchFeature);
  const rank = RANK[rollout.stage];
  const overrides = await loadOverrides(api, remote, feature.id);
  const kill = killFeature === null ? null : await loadOverrides(api, remote, killFeature.id);

  const wantDefault = rollout.stage === 'ga';
  const wantAllowlist = rank >= RANK.allowlist;
  const wantPercentage = rank >= RANK.percentage;

  const overrideOf = (segmentName: string) => {
    const segment = remote.segments.get(segmentName);
    const featureSegment = segment ? overrides.featureSegments.get(segment.id) : undefined;
    return featureSegment ? overrides.overrides.get(featureSegment.id) : undefined;
  };

  // 1. Restrict.
  if (kill !== null && rollout.killed) await setDefault(api, remote, kill, true);
  if (!wantDefault) await setDefault(api, remote, overrides, false);
  for (const [name, wanted] of [
    [percentageSegmentName(definition.feature), wantPercentage],
    [allowlistSegmentName(definition.feature), wantAllowlist],
  ] as const) {
    const segment = remote.segments.get(name);
    if (!wanted && segment !== undefined && overrideOf(name)?.enabled === true) {
      await ensureOverride(api, remote, overrides, segment.id, { enabled: false, replace: true });
    }
  }

  // 2. Rules, and the overrides' existence and order (created disabled unless already wanted on).
  const admins = (await ensureSegment(api, config, remote, ADMINS_SEGMENT, adminRules(), false)).segment;
  await ensureOverride(api, remote, overrides, admins.id, { enabled: true, replace: true });
  const allowlist = (await ensureSegment(api, config, remote, allowlistSegmentName(definition.feature), allowlistRules(rollout.allowlist), true)).segment;
  await ensureOverride(api, remote, overrides, allowlist.id, { enabled: false, replace: false });
  const order = [admins.id, allowlist.id];
  let percentageId: number | null = null;
  if (rollout.percentage !== null) {
    const percentage = (await ensureSegment(api, config, remote, percentageSegmentName(definition.feature), percentageRules(rollout.percentage), true)).segment;
    await ensureOverride(api, remote, overrides, percentage.id, { enabled: false, replace: false });
    order.push(percentage.id);
    percentageId = percentage.id;
  }
  await orderOverrides(api, overrides, order);

  // 3. Open up.
  if (wantAllowlist) await ensureOverride(api, remote, overrides, allowlist.id, { enabled: true, replace: true });
  if (wantPercentage && percentageId !== null) await ensureOverride(api, remote, overrides, percentageId, { enabled: true, replace: true });
  if (wantDefault) await setDefault(api, remote, overrides, true);
  if (kill !== null && !rollout.killed) await setDefault(api, remote, kill, false);
}

function requireFeature(remote: Remote, name: string) {
  const feature = remote.features.get(name);
  if (feature === undefined) {
    throw new UsageError(`Flagsmith project ${remote.environment.project} has no feature "${name}"; run \`flagstage provision\` to create the manifest's features and segments`);
  }
  return feature;
}
