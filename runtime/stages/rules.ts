import { FlagstageError } from '../errors/flagstage-error';
import type { BucketBy } from '../manifest/types';
import { allowlistProblem, packIds } from './allowlist';
import type { StagedCondition, StagedRule } from './document';
import { NOBODY_CONDITION, TRAIT } from './naming';
import type { Allowlist } from './rollout';

/**
 * The segment rules for an allowlist: one ANY rule whose conditions are `user_id IN "a,b"` and
 * `org_id IN "x,y"`, each list split across as many conditions as Flagsmith's 1,000-character value
 * limit needs. Throws when `allowlistProblem` finds the list cannot be written (callers check
 * first, to say so as a usage error).
 *
 * An empty allowlist still needs a condition: an ANY rule with no conditions matches everyone in
 * Flagsmith's engine, and a segment with no rules is refused by Flagsmith's API. The placeholder
 * `NOBODY_CONDITION` (`user_id IN ""`) matches nobody: every identity flagstage sends has a user id.
 *
 * @example
 * ```ts
 * allowlistRules({ users: ['u1', 'u2'], orgs: ['acme'] });
 * // [{ type: 'ANY', rules: [], conditions: [
 * //   { property_: 'user_id', operator: 'IN', value: 'u1,u2' },
 * //   { property_: 'org_id', operator: 'IN', value: 'acme' } ] }]
 * ```
 */
export function allowlistRules(allowlist: Allowlist): StagedRule[] {
  const problem = allowlistProblem(allowlist);
  if (problem !== null) throw new FlagstageError('usage', problem);
  const conditions = [...inConditions(TRAIT.userId, allowlist.users), ...inConditions(TRAIT.orgId, allowlist.orgs)];
  return [{ type: 'ANY', rules: [], conditions: conditions.length > 0 ? conditions : [{ ...NOBODY_CONDITION }] }];
}

/**
 * The segment rules for a percentage split: one ALL rule with one PERCENTAGE_SPLIT condition whose
 * property is empty (Flagsmith hashes the identity) for user bucketing, or `org_id` for org bucketing.
 *
 * @example
 * ```ts
 * percentageRules({ value: 10, by: 'org' });
 * // [{ type: 'ALL', rules: [], conditions: [{ property_: 'org_id', operator: 'PERCENTAGE_SPLIT', value: '10' }] }]
 * ```
 */
export function percentageRules(percentage: { readonly value: number; readonly by: BucketBy }): StagedRule[] {
  return [
    {
      type: 'ALL',
      rules: [],
      conditions: [{ property_: percentage.by === 'org' ? TRAIT.orgId : '', operator: 'PERCENTAGE_SPLIT', value: String(percentage.value) }],
    },
  ];
}

/**
 * The admins segment's rules: `is_admin EQUAL true`.
 *
 * @example
 * ```ts
 * adminRules(); // [{ type: 'ALL', rules: [], conditions: [{ property_: 'is_admin', operator: 'EQUAL', value: 'true' }] }]
 * ```
 */
export function adminRules(): StagedRule[] {
  return [{ type: 'ALL', rules: [], conditions: [{ property_: TRAIT.isAdmin, operator: 'EQUAL', value: 'true' }] }];
}

function inConditions(property: string, ids: readonly string[]): StagedCondition[] {
  return packIds(ids).map((value) => ({ property_: property, operator: 'IN', value }));
}
