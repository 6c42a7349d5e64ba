import type { Manifest } from '../../../runtime/manifest/types';
import { ADMINS_SEGMENT, allowlistSegmentName, percentageSegmentName } from '../../../runtime/stages/naming';
import type { ProvisionReport } from '../../backend';
import { adminRules, allowlistRules } from '../../../runtime/stages/rules';
import type { AdminClient } from './client';
import type { FlagsmithConfig } from './config';
import { ensureFeature, ensureOverride, ensureSegment, loadOverrides, orderOverrides, type Remote } from './remote';

/**
 * Creates, idempotently, what the manifest needs in Flagsmith: each flag's feature and kill-switch
 * feature (defaults disabled: admin-only, not killed), the admins segment and each flag's allowlist
 * segment (empty), the admins override (enabled, first) and the allowlist override (disabled).
 * Existing objects keep their state: running it again, or on a live project, changes no rollout.
 * Percentage segments are created by the first `flagstage percent`.
 *
 * @example
 * ```ts
 * const report = await provisionFlagsmith(api, config, remote, manifest);
 * report.created; // ['feature gastown', 'feature gastown_kill_switch', …]
 * ```
 */
export async function provisionFlagsmith(api: AdminClient, config: FlagsmithConfig, remote: Remote, manifest: Manifest): Promise<ProvisionReport> {
  const created: string[] = [];
  const existing: string[] = [];
  const note = (what: string, made: boolean) => (made ? created : existing).push(what);

  const admins = await ensureSegment(api, config, remote, ADMINS_SEGMENT, adminRules(), false);
  note(`segment ${ADMINS_SEGMENT}`, admins.change === 'created');
  for (const definition of Object.values(manifest.flags)) {
    const feature = await ensureFeature(api, config, remote, definition.feature, definition.description);
    note(`feature ${definition.feature}`, feature.created);
    if (definition.killSwitchFeature !== null) {
      const kill = await ensureFeature(api, config, remote, definition.killSwitchFeature, `Kill-switch of ${definition.key}: enabled = killed (flagstage kill / revive)`);
      note(`feature ${definition.killSwitchFeature}`, kill.created);
    }
    const allowlistName = allowlistSegmentName(definition.feature);
    const allowlist = await ensureSegment(api, config, remote, allowlistName, allowlistRules({ users: [], orgs: [] }), false);
    note(`segment ${allowlistName}`, allowlist.change === 'created');

    const overrides = await loadOverrides(api, remote, feature.feature.id);
    note(`override ${ADMINS_SEGMENT} -> ${definition.feature}`, (await ensureOverride(api, remote, overrides, admins.segment.id, { enabled: true, replace: false })) === 'created');
    note(`override ${allowlistName} -> ${definition.feature}`, (await ensureOverride(api, remote, overrides, allowlist.segment.id, { enabled: false, replace: false })) === 'created');
    const percentage = remote.segments.get(percentageSegmentName(definition.feature));
    await orderOverrides(api, overrides, [admins.segment.id, allowlist.segment.id, ...(percentage ? [percentage.id] : [])]);
  }
  return { created, existing };
}
