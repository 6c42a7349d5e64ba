/**
 * How the stages live in Flagsmith (DESIGN.md, "How the stages live in Flagsmith"). The CLI writes
 * documents with these names and the policy reads them back, so both import them from here.
 *
 *   GA            the feature's environment default is enabled
 *   allowlist     segment flagstage_<feature>_allowlist: ANY of user_id IN [...] / org_id IN [...],
 *                 with a segment override enabling the feature
 *   percentage    segment flagstage_<feature>_percentage: one PERCENTAGE_SPLIT condition (value N;
 *                 property empty for user bucketing, `org_id` for org bucketing), override enabled
 *   admins        segment flagstage_admins (is_admin EQUAL true) overriding every feature to enabled
 *   kill-switch   feature <feature>_kill_switch, environment default enabled = killed
 *
 * A stage below the one a list belongs to keeps the segment (and so its list or percentage) but its
 * segment override is disabled, so moving back up restores exactly what was there.
 */

export const ADMINS_SEGMENT = 'flagstage_admins';

/**
 * The allowlist segment of a feature.
 *
 * @example
 * ```ts
 * allowlistSegmentName('pr_merge'); // 'flagstage_pr_merge_allowlist'
 * ```
 */
export function allowlistSegmentName(feature: string): string {
  return `flagstage_${feature}_allowlist`;
}

/**
 * The percentage segment of a feature.
 *
 * @example
 * ```ts
 * percentageSegmentName('gastown'); // 'flagstage_gastown_percentage'
 * ```
 */
export function percentageSegmentName(feature: string): string {
  return `flagstage_${feature}_percentage`;
}

/** Segment override priorities: lower wins. An allowlisted identity stays in whatever its bucket. */
export const SEGMENT_PRIORITY = { admins: 0, allowlist: 1, percentage: 2 } as const;

/** Traits flagstage sends for every identity. */
export const TRAIT = { userId: 'user_id', orgId: 'org_id', isAdmin: 'is_admin' } as const;

/**
 * Flagsmith matches a rule with no conditions (an empty ANY rule is true), so an allowlist segment
 * emptied of ids would let everyone in. Allowlist rules therefore always carry this condition, which
 * no identity flagstage sends can match (`user_id` is never empty), so an empty list matches nobody.
 * `readRollout` skips it.
 */
// `user_id` spelled out rather than read from TRAIT: a property read at module scope would keep this
// object in every bundle that imports this module, the gates' included.
export const NOBODY_CONDITION = { operator: 'IN', property_: 'user_id', value: '' } as const satisfies { operator: 'IN'; property_: typeof TRAIT.userId; value: '' };

/** Flagsmith's limits: a condition value holds at most 1,000 characters, a segment 100 conditions. */
export const FLAGSMITH_LIMITS = { conditionValueLength: 1000, conditionsPerSegment: 100 } as const;
