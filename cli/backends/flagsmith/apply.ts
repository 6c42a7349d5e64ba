import type { FlagDefinition } from '../../../runtime/manifest/types';
import { ADMINS_SEGMENT, allowlistSegmentName, percentageSegmentName } from '../../../runtime/stages/naming';
import { patchedRollout, type FlagRollout, type RolloutPatch } from '../../../runtime/stages/rollout';
import { adminRules, allowlistRules, percentageRules } from '../../../runtime/stages/rules';
import { stageAtLeast } from '../../../runtime/stages/stages';
import { UsageError } from '../../io';
import type { AdminClient } from './client';
import type { FlagsmithConfig } from './config';
import { ensureOverride, ensureSegment, loadOverrides, orderOverrides, setDefault, type Remote } from './remote';

/**
 * Makes one flag's Flagsmith objects say what `patch` changes, and touches nothing else: an
 * allowlist change never writes the kill-switch or the stage's overrides, so a concurrent kill
 * cannot be undone by it. The writes come in an order that never lets anyone in early: first what
 * restricts (a kill, a default or override switched off), then the segments' rules, then what opens
 * up (overrides and defaults switched on, a revive). Segments and overrides the change needs and the
 * project lacks are created; the features must exist (`flagstage provision`).
 *
 * @example
 * ```ts
 * await applyPatch(api, config, remote, manifest.flags.gastown, before, { stage: 'allowlist' });
 * ```
 */
export async function applyPatch(api: AdminClient, config: FlagsmithConfig, remote: Remote, definition: FlagDefinition, before: FlagRollout, patch: RolloutPatch): Promise<void> {
  const target = patchedRollout(before, patch);
  const feature = requireFeature(remote, definition.feature);
  const killFeature = patch.killed === undefined || definition.killSwitchFeature === null ? null : requireFeature(remote, definition.killSwitchFeature);
  const kill = killFeature === null ? null : await loadOverrides(api, remote, killFeature.id);
  const touchesFeature = patch.stage !== undefined || patch.allowlist !== undefined || patch.percentage !== undefined;
  const overrides = touchesFeature ? await loadOverrides(api, remote, feature.id) : null;

  // 1. Restrict.
  if (kill !== null && patch.killed === true) await setDefault(api, remote, kill, true);
  if (overrides !== null && patch.stage !== undefined) {
    if (target.stage !== 'ga') await setDefault(api, remote, overrides, false);
    for (const [name, floor] of [
      [percentageSegmentName(definition.feature), 'percentage'],
      [allowlistSegmentName(definition.feature), 'allowlist'],
    ] as const) {
      const segment = remote.segments.get(name);
      if (!stageAtLeast(target.stage, floor) && segment !== undefined && overrides.featureSegments.has(segment.id)) {
        await ensureOverride(api, remote, overrides, segment.id, { enabled: false, replace: true });
      }
    }
  }

  // 2. Rules, and the overrides' existence and order. An override the change creates starts as the
  // target stage wants it; an existing one is switched only by a stage change (step 3).
  if (overrides !== null) {
    const admins = (await ensureSegment(api, config, remote, ADMINS_SEGMENT, adminRules(), false)).segment;
    await ensureOverride(api, remote, overrides, admins.id, { enabled: true, replace: true });
    const allowlistName = allowlistSegmentName(definition.feature);
    const allowlistRulesNow = patch.allowlist !== undefined ? allowlistRules(target.allowlist) : allowlistRules({ users: [], orgs: [] });
    const allowlist = (await ensureSegment(api, config, remote, allowlistName, allowlistRulesNow, patch.allowlist !== undefined)).segment;
    await ensureOverride(api, remote, overrides, allowlist.id, { enabled: patch.stage === undefined && stageAtLeast(target.stage, 'allowlist'), replace: false });
    const order = [admins.id, allowlist.id];
    let percentage = remote.segments.get(percentageSegmentName(definition.feature));
    if (patch.percentage !== undefined && target.percentage !== null) {
      percentage = (await ensureSegment(api, config, remote, percentageSegmentName(definition.feature), percentageRules(target.percentage), true)).segment;
      await ensureOverride(api, remote, overrides, percentage.id, { enabled: patch.stage === undefined && stageAtLeast(target.stage, 'percentage'), replace: false });
    }
    if (percentage !== undefined && overrides.featureSegments.has(percentage.id)) order.push(percentage.id);
    await orderOverrides(api, overrides, order);

    // 3. Open up.
    if (patch.stage !== undefined) {
      if (stageAtLeast(target.stage, 'allowlist')) await ensureOverride(api, remote, overrides, allowlist.id, { enabled: true, replace: true });
      if (stageAtLeast(target.stage, 'percentage') && percentage !== undefined) await ensureOverride(api, remote, overrides, percentage.id, { enabled: true, replace: true });
      if (target.stage === 'ga') await setDefault(api, remote, overrides, true);
    }
  }
  if (kill !== null && patch.killed === false) await setDefault(api, remote, kill, false);
}

function requireFeature(remote: Remote, name: string) {
  const feature = remote.features.get(name);
  if (feature === undefined) {
    throw new UsageError(`Flagsmith project ${remote.environment.project} has no feature "${name}"; run \`flagstage provision\` to create the manifest's features and segments`);
  }
  return feature;
}
